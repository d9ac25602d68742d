package extproc

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkScoreAll measures plugin round trips with example_reward.py (64 completions a batch).
func BenchmarkScoreAll(b *testing.B) {
	for _, size := range []int{1, 2} {
		b.Run(fmt.Sprint("pool=", size), func(b *testing.B) {
			cmd := pythonPlugin(b, "example_reward.py")
			p, err := NewPool(Config{Command: cmd, Size: size, Timeout: 10 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			reqs := make([]Request, 64)
			for i := range reqs {
				reqs[i] = Request{Task: Task{Answer: "42"}, Completion: fmt.Sprintf("the answer is %d", i)}
			}
			b.ResetTimer()
			for b.Loop() {
				for _, r := range p.GradeAll(reqs) {
					if r.Err != nil {
						b.Fatal(r.Err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "calls/s")
		})
	}
}
