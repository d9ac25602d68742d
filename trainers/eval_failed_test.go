package trainers

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"grit/policy"
)

// Evaluations whose reward could not be computed are counted (failed) and left out of the
// accuracy's denominator instead of counting as wrong.
func TestEvalCountsFailuresOutsideTheAccuracy(t *testing.T) {
	cfg := tinyRunConfig()
	pol, err := initPolicy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Env = "test_flaky"
	env := mustEnv(t, cfg)
	tasks := heldOut(env, 40)
	m, err := evaluate(context.Background(), pol, nil, env, tasks, cfg.MaxNewTokens, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	// The same greedy episodes, judged here with the flaky env's rule.
	p := &player{pol: pol, env: env, opts: policy.SampleOptions{MaxNewTokens: cfg.MaxNewTokens}}
	trajs, err := p.play(context.Background(), tasks, 1, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	failed, correct := 0, 0
	for _, tr := range trajs {
		switch {
		case flakyFails(tr.Task, tr.Last().Gen.Text):
			failed++
		case tr.Last().Reward.Correct:
			correct++
		}
	}
	if failed == 0 || failed == len(tasks) {
		t.Fatalf("%d of %d evaluations failed; the test needs some of each", failed, len(tasks))
	}
	if m["failed"] != float64(failed) {
		t.Errorf("failed = %v, want %d", m["failed"], failed)
	}
	if want := float64(correct) / float64(len(tasks)-failed); m["accuracy"] != want {
		t.Errorf("accuracy = %v, want %v (%d correct of %d graded)", m["accuracy"], want, correct, len(tasks)-failed)
	}

	cfg.Env = "test_broken" // nothing can be graded: accuracy is undefined, and summary.json still writes
	broken := mustEnv(t, cfg)
	m, err = evaluate(context.Background(), pol, nil, broken, heldOut(broken, 10), cfg.MaxNewTokens, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	if m["failed"] != 10 || !math.IsNaN(m["accuracy"]) {
		t.Errorf("all failed: failed %v accuracy %v, want 10 and NaN", m["failed"], m["accuracy"])
	}
	raw, err := json.Marshal(Summary{Base: m, Final: m})
	if err != nil {
		t.Fatalf("summary with an undefined accuracy: %v", err)
	}
	if !strings.Contains(string(raw), `"accuracy":null`) || !strings.Contains(string(raw), `"failed":10`) {
		t.Errorf("summary %s: want accuracy null and failed 10", raw)
	}
}
