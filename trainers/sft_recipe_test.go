package trainers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"grit/trainers"
	"grit/trainers/configfile"
)

// sftRecipePrefix is the first steps of a base-policy recipe (configs/sft-*.yaml) and what it logs
// at the prefix's last step. The full 3000-step recipes take a minute or more each (README.md,
// "Base policies", lists where each full run ends today), so the test runs only a prefix: with a
// constant learning rate the prefix is step for step the start of the full run, and every value
// below is the one the measured run of the whole recipe logged (sft-tool's run was stopped after
// step 540); the held-out accuracy is checked where that run evaluated, after step 500.
// The values are exact: a change of summation order anywhere in the forward or backward pass
// moves them, and then the README's numbers must be measured again.
type sftRecipePrefix struct {
	config   string
	steps    int
	loss     float64 // training loss of the last step (step = steps, 1-based)
	accuracy float64 // held-out greedy accuracy after the last step; checked when steps is 500 (eval_every)
}

func TestSFTRecipesReproduceTheirPrefix(t *testing.T) {
	if testing.Short() {
		t.Skip("SFT recipe runs are skipped with -short")
	}
	if _, err := os.Stat("configs"); err != nil {
		t.Chdir("..") // the repository root
	}
	for _, c := range []sftRecipePrefix{
		{"sft-arithmetic", 500, 0.6393759250640869, 0.245},
		{"sft-score", 200, 0.990949809551239, 0},
		{"sft-tool", 100, 0.1272328943014145, 0},
	} {
		t.Run(c.config, func(t *testing.T) {
			sets := []string{fmt.Sprintf("steps=%d", c.steps), "checkpoint_every=0"}
			cfg, err := configfile.Load(filepath.Join("configs", c.config+".yaml"), sets, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), c.config)
			if _, err := trainers.Run(context.Background(), cfg, trainers.RunOptions{OutDir: dir}); err != nil {
				t.Fatal(err)
			}
			last := lastMetrics(t, dir)
			if last["step"] != float64(c.steps) || last["loss"] != c.loss {
				t.Errorf("%s, step %v: loss %v; the recipe gave %v at step %d", c.config, last["step"], last["loss"], c.loss, c.steps)
			}
			if c.steps == 500 && last["eval_accuracy"] != c.accuracy {
				t.Errorf("%s: held-out accuracy %v at step 500; the recipe gave %v", c.config, last["eval_accuracy"], c.accuracy)
			}
		})
	}
}

// lastMetrics returns the last line of a run's metrics.jsonl.
func lastMetrics(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last map[string]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		last = map[string]float64{}
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return last
}
