package trainers

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl/store"
)

// stepFileNames lists the base names of a run's rollout step files.
func stepFileNames(t *testing.T, dir string) []string {
	t.Helper()
	files, err := store.StepFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	return names
}

// assertSynchronousPolicyVersions reads every step file of a run without rollout workers and fails
// unless each sample of step s has policy_version s-1 (the policy at the start of step s had
// completed s-1 steps). It returns how many samples it checked.
func assertSynchronousPolicyVersions(t *testing.T, dir string) int {
	t.Helper()
	files, err := store.StepFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		rec, err := store.ReadStepFile(memory.DefaultAllocator, f)
		if err != nil {
			t.Fatal(err)
		}
		_, samples, err := store.RecordSamples(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			if s.PolicyVersion != s.Step-1 {
				t.Fatalf("%s: sample (group %d, index %d) of step %d has policy_version %d, want %d",
					filepath.Base(f), s.Group, s.Index, s.Step, s.PolicyVersion, s.Step-1)
			}
			checked++
		}
	}
	return checked
}

// rollouts.every / keep_last / parquet choose the files kept, and never what is trained: the
// updates read the step's rollouts from memory, so the metrics and weights equal a run that keeps
// every file.
func TestRolloutRetention(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Steps, cfg.EvalEvery, cfg.CheckpointEvery = 7, 0, 0
	all := uninterrupted(t, cfg)
	if got := len(stepFileNames(t, all)); got != 7 {
		t.Fatalf("default rollouts keep %d step files, want 7", got)
	}
	cases := []struct {
		name    string
		rc      RolloutsConfig
		want    []string // step files kept
		parquet bool
	}{
		{"every 2, last 2", RolloutsConfig{Every: 2, KeepLast: 2, Parquet: true}, []string{"step-000004.arrow", "step-000006.arrow"}, true},
		{"every 3, all", RolloutsConfig{Every: 3, Parquet: false}, []string{"step-000003.arrow", "step-000006.arrow"}, false},
		{"last 1", RolloutsConfig{Every: 1, KeepLast: 1, Parquet: true}, []string{"step-000007.arrow"}, true},
		{"off", RolloutsConfig{Every: 0, Parquet: true}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.Rollouts = tc.rc
			dir := uninterrupted(t, c)
			if got := stepFileNames(t, dir); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("step files %v, want %v", got, tc.want)
			}
			_, err := os.Stat(filepath.Join(dir, "rollouts.parquet"))
			if (err == nil) != tc.parquet {
				t.Errorf("rollouts.parquet exists: %v, want %v", err == nil, tc.parquet)
			}
			if tc.want == nil {
				if _, err := os.Stat(filepath.Join(dir, "rollouts")); err == nil {
					t.Error("rollouts.every 0 created rollouts/")
				}
			}
			for _, name := range tc.want { // a kept file is the step's full record
				rec, err := store.ReadStepFile(memory.DefaultAllocator, filepath.Join(dir, "rollouts", name))
				if err != nil {
					t.Fatal(err)
				}
				_, samples, err := store.RecordSamples(rec)
				rec.Release()
				if err != nil || len(samples) != c.PromptsPerStep*c.NumGenerations {
					t.Errorf("%s: %d samples (%v), want %d", name, len(samples), err, c.PromptsPerStep*c.NumGenerations)
				}
			}
			sameRun(t, all, dir)
		})
	}
}

// An SFT run samples nothing and leaves no rollouts/ folder behind.
func TestSFTWritesNoRolloutsFolder(t *testing.T) {
	cfg := tinyRunConfig()
	cfg.Algo, cfg.SFT.BatchSize, cfg.Steps, cfg.EvalEvery = "sft", 8, 2, 0
	dir := uninterrupted(t, cfg)
	for _, p := range []string{"rollouts", "rollouts.parquet"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("sft run wrote %s", p)
		}
	}
}
