package distrib

import (
	"fmt"
	"testing"
)

// With 0 (the learner plays every group itself), 1 and 2 workers the run is the single-process run
// bit for bit: metrics.jsonl (timing keys aside) and the final weights.
func TestWorkersBitIdenticalToSingleProcess(t *testing.T) {
	want := singleRun(t)
	for _, n := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("%d_workers", n), func(t *testing.T) {
			sets := append([]string{}, workerSets...)
			if n == 0 {
				sets = append(sets, "workers.local=true", "workers.wait_s=0.05")
			}
			got, log := workerRun(t, tinyConfig(t, sets...), startWorkers(t, n))
			m := assertSameRun(t, want, got)
			assertKeysDocumented(t, m)
			tasks, local := sumKey(m, "workers/tasks"), sumKey(m, "workers/local")
			if tasks != 3*4 {
				t.Errorf("workers/tasks summed to %v over 3 steps of 4 groups; want 12\n%s", tasks, log)
			}
			if n == 0 && local != 12 {
				t.Errorf("workers/local = %v with no workers; want all 12 groups played locally", local)
			}
			if n > 0 && sumKey(m, "workers/count") == 0 {
				t.Errorf("no worker result was accepted with %d workers (workers/local %v)", n, local)
			}
		})
	}
}
