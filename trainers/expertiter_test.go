package trainers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"grit/policy"
)

// expertRunConfig is a short expert_iter run from the shipped base policy (two-digit sums, about
// half right at the start), so every iteration has correct samples to keep: ReST-EM restarts and
// the balance-score temperature search on, a checkpoint every 2 steps.
func expertRunConfig() Config {
	cfg := Defaults()
	cfg.Algo = AlgoExpertIter
	cfg.Init = filepath.Join("..", "configs", "base", "arithmetic")
	cfg.Steps = 6
	cfg.PromptsPerStep = 4
	cfg.NumGenerations = 4
	cfg.MiniBatchSize = 64 // one optimiser step per iteration
	cfg.LR = 1e-3
	cfg.EvalEvery = 2
	cfg.EvalTasks = 20
	cfg.CheckpointEvery = 2
	cfg.LogCompletionsEvery = 0
	cfg.ExpertIter.Restart = ExpertBase
	cfg.ExpertIter.AutoTemperature = true
	cfg.ExpertIter.Temperatures = "0.5,1,1.5"
	cfg.ExpertIter.ProbePrompts = 2
	return cfg
}

// A run logs documented keys only; it keeps exactly the correct samples (selected = accuracy x
// samples, one sequence each), and each iteration samples at the probe's best temperature.
func TestExpertIterRunSelectsCorrectAtBestTemperature(t *testing.T) {
	cfg := expertRunConfig()
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	checkKeysDocumented(t, readAllMetrics(t, dir))
	if n := assertSynchronousPolicyVersions(t, dir); n != cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations {
		t.Errorf("checked the policy version of %d samples, want every one of the %d steps'", n, cfg.Steps)
	}
	temps := []float64{0.5, 1, 1.5}
	for _, m := range readMetrics(t, dir) {
		step := m["step"]
		correct := m["accuracy"].(float64) * m["samples"].(float64)
		if m["selected"].(float64) != math.Round(correct) || m["sequences"] != m["selected"] {
			t.Errorf("step %v: selected %v, sequences %v; want the %v correct samples", step, m["selected"], m["sequences"], correct)
		}
		if m["selection_precision"] != nil && m["selection_precision"].(float64) != 1 {
			t.Errorf("step %v: selection_precision %v with select: correct", step, m["selection_precision"])
		}
		best, bestT := math.Inf(-1), 0.0
		for _, temp := range temps {
			key := fmt.Sprintf("probe_balance/t%g", temp)
			v, ok := m[key].(float64)
			if !ok {
				t.Fatalf("step %v lacks %s: %v", step, key, m)
			}
			if v > best {
				best, bestT = v, temp
			}
		}
		if m["temperature"] != bestT {
			t.Errorf("step %v sampled at temperature %v; the probe's best (lowest on ties) is %v", step, m["temperature"], bestT)
		}
	}
}

// select: reward with a threshold grid logs one probe score per (temperature, threshold), the
// chosen threshold, and the precision of the rule (below 1 when it keeps wrong answers).
func TestExpertIterThresholdGrid(t *testing.T) {
	cfg := expertRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 2, 0, 0
	cfg.ExpertIter.Select = SelectReward
	cfg.ExpertIter.Thresholds = "0,1"
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	checkKeysDocumented(t, readAllMetrics(t, dir))
	for _, m := range readMetrics(t, dir) {
		for _, key := range []string{"probe_balance/t0.5_th0", "probe_balance/t1.5_th1", "select_threshold", "selection_precision"} {
			if _, ok := m[key]; !ok {
				t.Errorf("step %v lacks %s: %v", m["step"], key, m)
			}
		}
		if th := m["select_threshold"]; th == 0.0 && m["selected"] != m["samples"] {
			t.Errorf("step %v: threshold 0 keeps every graded sample, selected %v of %v", m["step"], m["selected"], m["samples"])
		}
	}
}

// maxAbsDiff is the largest |a - b| over the parameters of two policies of the same shape.
func maxAbsDiff(t *testing.T, a, b policy.Policy) float64 {
	t.Helper()
	bp := map[string][]float32{}
	for _, p := range b.Params() {
		bp[p.Name] = p.Value.Data
	}
	d := 0.0
	for _, p := range a.Params() {
		for i, v := range p.Value.Data {
			d = math.Max(d, math.Abs(float64(v)-float64(bp[p.Name][i])))
		}
	}
	return d
}

// restart: base fine-tunes the starting weights anew each iteration with a fresh AdamW: after an
// iteration's single optimiser step every weight is within lr of the base (a first Adam step moves
// each weight by lr |g| / (|g| + eps) <= lr), while restart: continue drifts further with every
// iteration. Both read the weights right after the third iteration's update.
func TestExpertIterRestartBaseStartsFromBaseWeights(t *testing.T) {
	for _, restart := range []ExpertRestart{ExpertBase, ExpertContinue} {
		cfg := expertRunConfig()
		cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 3, 0, 0
		cfg.ExpertIter.AutoTemperature = false
		cfg.ExpertIter.Restart = restart
		base, err := initPolicy(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var drift []float64
		_, err = Run(context.Background(), cfg, RunOptions{OutDir: t.TempDir(), hook: func(phase string, step int, pol policy.Policy) {
			if phase == phaseUpdated {
				drift = append(drift, maxAbsDiff(t, pol, base))
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(drift) != 3 {
			t.Fatalf("restart %s: %d updates, want one per iteration (3)", restart, len(drift))
		}
		lr := cfg.LR
		switch restart {
		case ExpertBase:
			for k, d := range drift {
				if d == 0 || d > lr*(1+1e-4) {
					t.Errorf("restart base, iteration %d: weights moved %g from the base, want in (0, lr=%g]", k+1, d, lr)
				}
			}
		case ExpertContinue:
			if drift[2] < 1.5*lr {
				t.Errorf("restart continue: after 3 iterations the weights moved only %g from the base (want > 1.5 lr); the test cannot tell the modes apart", drift[2])
			}
		}
	}
}

// An interrupt anywhere in an iteration (probe included) and --resume give the uninterrupted run
// exactly, with ReST-EM restarts (the base policy comes back from init on resume).
func TestExpertIterInterruptResumesExactly(t *testing.T) {
	cfg := expertRunConfig()
	straight := uninterrupted(t, cfg)
	for _, at := range []struct {
		phase string
		step  int
	}{{phaseSampled, 3}, {phaseUpdated, 3}, {phaseLogged, 4}} {
		t.Run(fmt.Sprintf("%s-step%d", at.phase, at.step), func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := Run(ctx, cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
				if phase == at.phase && step == at.step {
					cancel()
				}
			}})
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("interrupted run returned %v, want ErrInterrupted", err)
			}
			if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true}); err != nil {
				t.Fatal(err)
			}
			sameRun(t, straight, dir)
		})
	}
}

// A hard stop (the process killed mid-iteration) resumes exactly from the last checkpoint on disk.
func TestExpertIterHardStopResumesExactly(t *testing.T) {
	cfg := expertRunConfig()
	straight := uninterrupted(t, cfg)
	dir, killed := t.TempDir(), filepath.Join(t.TempDir(), "run")
	taken := false
	_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
		if phase == phaseUpdated && step == 3 && !taken {
			taken = true
			if err := copyTree(dir, killed); err != nil {
				t.Error(err)
			}
		}
	}})
	if err != nil || !taken {
		t.Fatalf("run: %v (snapshot taken: %v)", err, taken)
	}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: killed, Resume: true}); err != nil {
		t.Fatal(err)
	}
	sameRun(t, straight, killed)
}

// Bad expert_iter settings are refused by Prepare with an error naming the key.
func TestExpertIterValidation(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.ExpertIter.AutoTemperature, c.ExpertIter.Temperatures = true, "" }, "expert_iter.temperatures: empty"},
		{func(c *Config) { c.ExpertIter.Temperatures = "0.5,0" }, "expert_iter.temperatures: 0 must be > 0"},
		{func(c *Config) { c.ExpertIter.Temperatures = "0.5,-1" }, "expert_iter.temperatures: -1 must be > 0"},
		{func(c *Config) { c.ExpertIter.Temperatures = "0.5,hot" }, `expert_iter.temperatures: "hot" is not a finite number`},
		{func(c *Config) { c.ExpertIter.BalanceNStar = 0 }, "expert_iter.balance_n_star: 0 must be >= 1"},
		{func(c *Config) { c.ExpertIter.Epochs = 0 }, "expert_iter.epochs: 0 must be >= 1"},
		{func(c *Config) { c.ExpertIter.ProbePrompts = 0 }, "expert_iter.probe_prompts: 0 must be >= 1"},
		{func(c *Config) { c.ExpertIter.Restart = "scratch" }, `expert_iter.restart: "scratch" is not valid; use one of continue, base`},
		{func(c *Config) { c.ExpertIter.Select = "best" }, `expert_iter.select: "best" is not valid; use one of correct, reward`},
		{func(c *Config) { c.ExpertIter.Thresholds = "0.5,1" }, "expert_iter.thresholds: a threshold grid needs expert_iter.select: reward"},
		{func(c *Config) { c.ExpertIter.Select, c.ExpertIter.Thresholds = SelectReward, "0.5,," }, `expert_iter.thresholds: "" is not a finite number`},
		{func(c *Config) { c.ExpertIter.Threshold = math.Inf(1) }, "expert_iter.threshold: +Inf must be a finite number"},
		{func(c *Config) { c.Beta = 0.04 }, "beta: 0.04, but expert_iter trains with the SFT loss"},
		{func(c *Config) { c.DynamicSampling = true }, "dynamic_sampling: expert_iter keeps every group"},
		{func(c *Config) { c.ExpertIter.AutoTemperature, c.Temperature = false, 0 }, "temperature: 0; expert_iter samples"},
	} {
		cfg := expertRunConfig()
		c.edit(&cfg)
		err := Prepare(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to contain %q", err, c.want)
		}
	}
	cfg := expertRunConfig()
	cfg.NumGenerations = 1 // STaR samples one solution per prompt: allowed
	if err := Prepare(cfg); err != nil {
		t.Errorf("num_generations 1: %v", err)
	}
}
