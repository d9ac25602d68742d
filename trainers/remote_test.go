package trainers

import (
	"context"
	"strings"
	"testing"
)

// localSource plays every round on the learner (req.Local), like workers.local with no worker, and
// labels the trajectories with version(req).
type localSource struct{ version func(RoundRequest) int }

func (s localSource) PlayRound(ctx context.Context, req RoundRequest, _ Metrics) ([]*Trajectory, error) {
	var out []*Trajectory
	for g := range req.Tasks {
		trajs, err := req.Local(ctx, g)
		if err != nil {
			return nil, err
		}
		for _, tr := range trajs {
			tr.PolicyVersion = s.version(req)
		}
		out = append(out, trajs...)
	}
	return out, nil
}

// A RolloutSource's PolicyVersion reaches the stored rows; one outside the versions the step can
// have been sampled with (req.Step - workers.max_staleness .. req.Step) stops the run.
func TestRemoteRolloutsCarryTheirPolicyVersion(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 2, 0, 0
	dir := t.TempDir()
	honest := localSource{version: func(req RoundRequest) int { return req.Step }}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Rollouts: honest}); err != nil {
		t.Fatal(err)
	}
	if n := assertSynchronousPolicyVersions(t, dir); n != cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations {
		t.Errorf("checked %d samples, want %d", n, cfg.Steps*cfg.PromptsPerStep*cfg.NumGenerations)
	}
	for _, bad := range []struct {
		name    string
		version func(RoundRequest) int
		want    string
	}{
		{"from the future", func(req RoundRequest) int { return req.Step + 1 }, "group 0 of step 1 was sampled with policy version 1; the step takes versions 0..0 (workers.max_staleness 0)"},
		{"too stale", func(req RoundRequest) int { return max(req.Step-1, 0) }, "group 0 of step 2 was sampled with policy version 0; the step takes versions 1..1"},
	} {
		_, err := Run(context.Background(), cfg, RunOptions{OutDir: t.TempDir(), Rollouts: localSource{version: bad.version}})
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v; want an error containing %q", bad.name, err, bad.want)
		}
	}
}
