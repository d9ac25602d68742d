package configfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"grit/trainers"
)

// nonDefault is a Config that differs from the defaults in every kind of value.
func nonDefault() trainers.Config {
	c := trainers.Defaults()
	c.Algo = "score"
	c.Seed = 1<<40 + 3
	c.Init = ""
	c.EnvArgs = map[string]any{"digits": 3, "mode": "true", "ops": []any{"+", "*"}, "scale": 0.5,
		"nested": map[string]any{"a": 1}}
	c.RewardWeights = map[string]float64{"correct": 1, "format": 0.1}
	c.LR = 3.3e-7
	c.Temperature = 0.7
	c.DynamicSampling = true
	c.Model.Positions = "rope"
	c.SCoRe.Alpha = 12.5
	c.SCoRe.Stage1Steps = 5
	return c
}

func TestDumpRoundTrips(t *testing.T) {
	def := trainers.Defaults()
	def.Init = absPath(t, def.Init) // a resolved config holds absolute paths
	for _, cfg := range []trainers.Config{def, nonDefault()} {
		b, err := Dump(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Load(writeConfig(t, string(b)), nil, nil)
		if err != nil {
			t.Fatalf("loading the dump: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Errorf("round trip changed the config:\n got %+v\nwant %+v\nyaml:\n%s", got, cfg, b)
		}
	}
}

func TestDumpKeepsFieldOrder(t *testing.T) {
	b, err := Dump(trainers.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	order := []string{"\nalgo:", "\nseed:", "\nenv:", "\nmodel:", "\n  d_model:", "\nsteps:", "\nlr:", "\nloss_type:", "\neval_every:", "\nsft:", "\nscore:", "\nnft:", "\nhdpo:"}
	last := -1
	for _, key := range order {
		i := strings.Index(s, key)
		if i < 0 || i < last {
			t.Fatalf("key %q missing or out of order in dump:\n%s", key, s)
		}
		last = i
	}
}

func TestWriteAndLoadResolved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	want := nonDefault()
	if err := WriteResolved(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadResolved(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadResolved = %+v, want %+v", got, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("run folder holds %d entries, want only config.yaml (no temp files left)", len(entries))
	}
	_, err = LoadResolved(t.TempDir())
	wantErr(t, "not a run folder", err, "config.yaml", "run folder")
}

// WriteResolved is the claim on a run folder: a second write, as from a run started at the same
// moment, fails with fs.ErrExist and leaves the first config.yaml as it was.
func TestWriteResolvedNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	first := nonDefault()
	if err := WriteResolved(dir, first); err != nil {
		t.Fatal(err)
	}
	err := WriteResolved(dir, trainers.Defaults())
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second WriteResolved: %v, want fs.ErrExist", err)
	}
	got, err := LoadResolved(dir)
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Errorf("config.yaml changed by the refused write: %+v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("run folder holds %d entries after the writes, want only config.yaml", len(entries))
	}
}
