package trainers

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/policy"
)

// nonFiniteIn returns the name of a tensor in a safetensors file holding NaN or Inf ("" if none),
// scanning the values itself.
func nonFiniteIn(t *testing.T, path string) string {
	t.Helper()
	tensors, _, err := policy.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range tensors {
		for _, v := range x.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return name
			}
		}
	}
	return ""
}

// checkpointState reads state.json of a checkpoint folder.
func checkpointState(t *testing.T, dir string) loopState {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	var st loopState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// A weight turning NaN after step 2's checkpoint makes steps 3 and 4 skip their updates; with
// max_bad_steps 2 the run stops. checkpoints/latest must still be step 2's good checkpoint (not
// the NaN parameters), the error must say so, and --resume from it finishes the run.
func TestNonFiniteUpdatesStopWithoutOverwritingTheGoodCheckpoint(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Beta, cfg.MaxBadSteps, cfg.NumIterations, cfg.MiniBatchSize = 0, 2, 1, 64
	dir := t.TempDir()
	_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, pol policy.Policy) {
		if phase == phaseSampled && step == 3 {
			pol.Params()[0].Value.Data[0] = float32(math.NaN())
		}
	}})
	if err == nil || !strings.Contains(err.Error(), "non-finite") || !strings.Contains(err.Error(), "step-000002") {
		t.Fatalf("want a non-finite error naming the step-2 checkpoint, got %v", err)
	}
	ms := readMetrics(t, dir)
	if len(ms) != 4 || ms[3]["skipped_updates_total"] != 2.0 {
		t.Fatalf("want 4 logged steps with 2 skipped updates, got %v", ms)
	}
	latest := filepath.Join(dir, "checkpoints", "latest")
	if name := nonFiniteIn(t, filepath.Join(latest, policy.WeightsFile)); name != "" {
		t.Fatalf("checkpoints/latest holds non-finite weights in %q", name)
	}
	if st := checkpointState(t, latest); st.Step != 2 {
		t.Fatalf("checkpoints/latest is after step %d, want the last good one, 2", st.Step)
	}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true}); err != nil {
		t.Fatalf("resume after the stop: %v", err)
	}
	if n := len(readMetrics(t, dir)); n != cfg.Steps {
		t.Fatalf("resumed run logged %d steps, want %d", n, cfg.Steps)
	}
}

// Non-finite optimizer moments in a checkpoint are an error naming the tensor and the file.
func TestLoadRejectsNonFiniteOptimizerState(t *testing.T) {
	cfg := tinyRunConfig()
	pol, err := initPolicy(cfg)
	if err != nil {
		t.Fatal(err)
	}
	opt := newOptimizer(cfg)
	pol.ZeroGrad()
	opt.Step(pol.Params(), 1e-3) // creates the moments
	dir := filepath.Join(t.TempDir(), "ck")
	if err := saveCheckpoint(dir, pol, opt, loopState{Step: 1}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, optimizerFile)
	tensors, meta, err := policy.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	key := "adam.v." + pol.Params()[1].Name
	tensors[key].Data[3] = float32(math.Inf(1))
	if err := policy.WriteSafetensors(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	_, _, err = loadCheckpoint(dir, newOptimizer(cfg))
	if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), path) {
		t.Fatalf("want an error naming %q and %s, got %v", key, path, err)
	}
}

// keep_checkpoints 2 keeps the two newest step folders; when the newest is damaged, --resume says
// so, falls back to the older one and still reproduces the uninterrupted run.
func TestResumeFallsBackFromADamagedCheckpoint(t *testing.T) {
	cfg := interruptConfig()
	straight := uninterrupted(t, cfg)
	root := filepath.Join(straight, "checkpoints")
	names, err := stepCheckpoints(root)
	if err != nil || strings.Join(names, ",") != "step-000006,step-000004" {
		t.Fatalf("step checkpoints %v (%v), want step-000006,step-000004", names, err)
	}
	if link, err := os.Readlink(filepath.Join(root, "latest")); err != nil || link != "step-000006" {
		t.Fatalf("latest -> %q (%v), want step-000006", link, err)
	}

	// A run stopped hard during step 5 (its folder as it was then), whose newest checkpoint
	// (step 4) then gets a NaN in a weight.
	dir, killed := t.TempDir(), filepath.Join(t.TempDir(), "run")
	taken := false
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
		if phase == phaseSampled && step == 5 && !taken {
			taken = true
			if err := copyTree(dir, killed); err != nil {
				t.Error(err)
			}
		}
	}}); err != nil || !taken {
		t.Fatalf("run: %v (snapshot taken: %v)", err, taken)
	}
	weights := filepath.Join(killed, "checkpoints", "step-000004", policy.WeightsFile)
	tensors, meta, err := policy.ReadSafetensors(weights)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tensors {
		x.Data[0] = float32(math.NaN())
		break
	}
	if err := policy.WriteSafetensors(weights, tensors, meta); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: killed, Resume: true, Log: &log}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"step-000004 cannot be used", "NaN", "older checkpoint", "step-000002"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("resume log lacks %q:\n%s", want, log.String())
		}
	}
	sameRun(t, straight, killed)
}

// A run folder from the earlier layout (checkpoints/latest a plain folder, no step folders)
// resumes exactly, and its next checkpoint turns latest into a link.
func TestResumeFromAPlainLatestFolder(t *testing.T) {
	cfg := interruptConfig()
	straight := uninterrupted(t, cfg)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := Run(ctx, cfg, RunOptions{OutDir: dir, hook: func(phase string, step int, _ policy.Policy) {
		if phase == phaseLogged && step == 3 {
			cancel()
		}
	}}); err == nil {
		t.Fatal("the run was not interrupted")
	}
	root := filepath.Join(dir, "checkpoints")
	if err := os.Remove(filepath.Join(root, "latest")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "step-000003"), filepath.Join(root, "latest")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "step-000002")); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Resume: true}); err != nil {
		t.Fatal(err)
	}
	if link, err := os.Readlink(filepath.Join(root, "latest")); err != nil || link != "step-000006" {
		t.Fatalf("latest -> %q (%v), want step-000006", link, err)
	}
	sameRun(t, straight, dir)
}
