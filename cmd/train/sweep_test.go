package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"grit/trainers"
)

// realSweepApp runs real trainers, as the train binary does.
func realSweepApp(t *testing.T) (*app, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errOut bytes.Buffer
	return &app{
		stdout: &out, stderr: &errOut,
		run: trainers.Run, prepare: trainers.Prepare, eval: trainers.Eval,
		now:  func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
		exit: func(code int) { t.Errorf("exit(%d) called", code) },
	}, &out, &errOut
}

// tinySweepArgs: 2 seeds x 2 algorithms of three short steps from the shipped base policy.
func tinySweepArgs(out string, jobs string) []string {
	return []string{"sweep", "--config", "../../configs/ci/grpo.yaml", "--seeds", "2",
		"--vary", "algo=grpo,nft", "--set", "steps=3", "--set", "lr=3e-3", "--set", "eval_every=3",
		"--set", "eval_tasks=16", "--set", "prompts_per_step=4", "--jobs", jobs, "--out", out}
}

func runSweep(t *testing.T, args []string) {
	t.Helper()
	a, out, errOut := realSweepApp(t)
	if code := a.execute(args); code != 0 {
		t.Fatalf("train %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
}

func readSweepJSON(t *testing.T, dir string) sweepReport {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep sweepReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestSweepRealRuns(t *testing.T) {
	root := t.TempDir()
	one, two := filepath.Join(root, "jobs1"), filepath.Join(root, "jobs2")
	runSweep(t, tinySweepArgs(one, "1"))

	// Layout: DIR/<variant>/seed-<s>/ normal run folders (seeds 7, 8: the config's seed 7 + i).
	variants := []string{"algo-grpo", "algo-nft"}
	for _, v := range variants {
		for _, s := range []string{"seed-7", "seed-8"} {
			for _, f := range []string{"config.yaml", "metrics.jsonl", "summary.json"} {
				if _, err := os.Stat(filepath.Join(one, v, s, f)); err != nil {
					t.Errorf("missing run file: %v", err)
				}
			}
		}
	}
	for _, f := range []string{"sweep.json", "sweep.md", "sweep.yaml", "sweep-accuracy.svg"} {
		if _, err := os.Stat(filepath.Join(one, f)); err != nil {
			t.Errorf("missing sweep file: %v", err)
		}
	}

	// Statistics recomputed here from the run folders: mean, sample std, t(0.975; 1) = 12.706.
	rep := readSweepJSON(t, one)
	if len(rep.Variants) != 2 {
		t.Fatalf("sweep.json has %d variants, want 2", len(rep.Variants))
	}
	sawSpread := false
	for i, v := range variants {
		vr := rep.Variants[i]
		if vr.Name != v || vr.Settings["algo"] != strings.TrimPrefix(v, "algo-") {
			t.Errorf("variant %d: name %q settings %v", i, vr.Name, vr.Settings)
		}
		var sums [2]trainers.Summary
		for j, s := range []string{"seed-7", "seed-8"} {
			b, err := os.ReadFile(filepath.Join(one, v, s, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &sums[j]); err != nil {
				t.Fatal(err)
			}
		}
		check := func(key string, x0, x1 float64) {
			got, ok := vr.Metrics[key]
			if !ok {
				t.Errorf("%s: no metric %s in sweep.json", v, key)
				return
			}
			mean := (x0 + x1) / 2
			std := math.Sqrt(((x0-mean)*(x0-mean) + (x1-mean)*(x1-mean)) / 1)
			half := 12.706 * std / math.Sqrt(2)
			if std > 0 {
				sawSpread = true
			}
			near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b)) }
			if got.N != 2 || !near(got.Mean, mean) || got.Std == nil || !near(*got.Std, std) ||
				!near(*got.CILow, mean-half) || !near(*got.CIHigh, mean+half) {
				t.Errorf("%s %s: got n=%d mean=%v std=%v ci=[%v,%v]; want mean %v std %v ci %v ± %v",
					v, key, got.N, got.Mean, *got.Std, *got.CILow, *got.CIHigh, mean, std, mean, half)
			}
		}
		for key := range sums[0].Final {
			check(key, sums[0].Final[key], sums[1].Final[key])
		}
		check("best_accuracy", sums[0].BestAccuracy, sums[1].BestAccuracy)
	}
	if !sawSpread {
		t.Error("no metric differs between the seeds: the statistics check above is vacuous")
	}
	md, _ := os.ReadFile(filepath.Join(one, "sweep.md"))
	if !strings.Contains(string(md), "| algo-nft | accuracy | 2 |") {
		t.Errorf("sweep.md lacks the nft accuracy row:\n%s", md)
	}

	// --jobs 2 gives the same statistics.
	runSweep(t, tinySweepArgs(two, "2"))
	rep2 := readSweepJSON(t, two)
	for i := range rep.Variants {
		rep.Variants[i].Runs, rep2.Variants[i].Runs = nil, nil
	}
	j1, _ := json.Marshal(rep)
	j2, _ := json.Marshal(rep2)
	if !bytes.Equal(j1, j2) {
		t.Errorf("--jobs 2 changed sweep.json:\n%s\n%s", j1, j2)
	}

	// Rerun: finished runs are skipped, a deleted run is redone (bit-identical summary), a run
	// with a checkpoint but no summary is resumed.
	deleted := filepath.Join(one, "algo-nft", "seed-8")
	resumed := filepath.Join(one, "algo-grpo", "seed-8")
	wantDeleted, _ := os.ReadFile(filepath.Join(deleted, "summary.json"))
	wantResumed, _ := os.ReadFile(filepath.Join(resumed, "summary.json"))
	if err := os.RemoveAll(deleted); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(resumed, "summary.json")); err != nil {
		t.Fatal(err)
	}
	kept := []string{filepath.Join(one, "algo-grpo", "seed-7"), filepath.Join(one, "algo-nft", "seed-7")}
	var mtimes []time.Time
	for _, d := range kept {
		st, err := os.Stat(filepath.Join(d, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		mtimes = append(mtimes, st.ModTime())
	}
	a, out, errOut := realSweepApp(t)
	if code := a.execute(tinySweepArgs(one, "1")); code != 0 {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errOut)
	}
	for i, d := range kept {
		st, _ := os.Stat(filepath.Join(d, "summary.json"))
		if !st.ModTime().Equal(mtimes[i]) {
			t.Errorf("%s was run again; a finished run must be skipped", d)
		}
		if !strings.Contains(out.String(), d+": finished, skipped") {
			t.Errorf("rerun output does not say %s was skipped:\n%s", d, out)
		}
	}
	if !strings.Contains(out.String(), resumed+": resumed") {
		t.Errorf("rerun output does not say %s was resumed:\n%s", resumed, out)
	}
	for dir, want := range map[string][]byte{deleted: wantDeleted, resumed: wantResumed} {
		got, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatalf("rerun did not complete %s: %v", dir, err)
		}
		if !bytes.Equal(dropTiming(t, got), dropTiming(t, want)) {
			t.Errorf("%s: rerun summary differs:\n%s\nwant\n%s", dir, got, want)
		}
	}

	// The same folder with another setting is refused, naming the key.
	a, out, errOut = realSweepApp(t)
	args := append(tinySweepArgs(one, "1"), "--set", "lr=1e-3")
	if code := a.execute(args); code != exitConfigError || !strings.Contains(errOut.String(), "lr was 0.003, now 0.001") {
		t.Errorf("changed lr: exit %d, stderr %q; want exit 2 naming lr", code, errOut)
	}
}

// dropTiming removes the wall-time fields of a summary.json.
func dropTiming(t *testing.T, b []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "elapsed_total_s")
	delete(m, "run_dir")
	out, _ := json.Marshal(m)
	return out
}

func TestSweepBadInputWritesNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no seeds", []string{"--seeds", "0"}, "--seeds 0"},
		{"vary without values", []string{"--seeds", "2", "--vary", "algo"}, "expected key=v1,v2"},
		{"vary empty value", []string{"--seeds", "2", "--vary", "lr=1e-3,"}, "empty value"},
		{"vary seed", []string{"--seeds", "2", "--vary", "seed=1,2"}, "--seeds N"},
		{"vary twice", []string{"--seeds", "2", "--vary", "lr=1e-3", "--vary", "lr=2e-3"}, "varied twice"},
		{"unknown vary key", []string{"--seeds", "2", "--vary", "lrr=1e-3,2e-3"}, `--vary lrr=1e-3: unknown config key "lrr"`},
		{"unknown set key", []string{"--seeds", "2", "--set", "stepz=3"}, `--set stepz=3: unknown config key "stepz"`},
		{"no jobs", []string{"--seeds", "2", "--jobs", "0"}, "--jobs 0"},
		{"bad vary value", []string{"--seeds", "2", "--vary", "steps=2,x"}, "--vary steps=x: steps expects an integer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "sweep")
			a, _, errOut := realSweepApp(t)
			args := append([]string{"sweep", "--config", "../../configs/ci/grpo.yaml", "--out", out}, c.args...)
			if code := a.execute(args); code != exitConfigError {
				t.Fatalf("exit %d, want %d; stderr %q", code, exitConfigError, errOut)
			}
			if !strings.Contains(errOut.String(), c.want) {
				t.Errorf("stderr %q does not contain %q", errOut, c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was created for bad input", out)
			}
		})
	}
}

func TestVariantNamesAndGrid(t *testing.T) {
	axes, err := parseVary([]string{"algo=grpo,nft", "lr=1e-3, 3e-4"})
	if err != nil {
		t.Fatal(err)
	}
	a, _, _ := realSweepApp(t)
	a.prepare = func(trainers.Config) error { return nil }
	vs, err := a.expandVariants(sweepFlags{config: "../../configs/ci/grpo.yaml"}, axes)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	want := "algo-grpo_lr-1e-3 algo-grpo_lr-3e-4 algo-nft_lr-1e-3 algo-nft_lr-3e-4"
	if strings.Join(names, " ") != want {
		t.Errorf("variants %v, want %s", names, want)
	}
	if vs[3].cfg.Algo != "nft" || vs[3].cfg.LR != 3e-4 {
		t.Errorf("last variant config algo=%s lr=%v, want nft 3e-4", vs[3].cfg.Algo, vs[3].cfg.LR)
	}
}

func TestSweepRefusesFolderWithoutRecord(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _, errOut := realSweepApp(t)
	code := a.execute([]string{"sweep", "--config", "../../configs/ci/grpo.yaml", "--seeds", "1", "--out", out})
	if code != exitConfigError || !strings.Contains(errOut.String(), "holds no sweep") {
		t.Fatalf("exit %d, stderr %q; want exit 2 saying the folder holds no sweep", code, errOut)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("the folder now holds %d entries, want only notes.txt", len(entries))
	}
}
