package configfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func absPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A relative init or env_args.path in a config file names a path next to the file, whatever the
// working directory; on --set it is relative to the working directory. Both come back absolute.
func TestPathsRelativeToTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "configs")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(sub, "c.yaml")
	body := "init: base/policy\nenv: dataset\nenv_args:\n  path: data/train.jsonl\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // somewhere else entirely
	cfg, err := Load(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(sub, "base", "policy"); cfg.Init != want {
		t.Errorf("init = %q, want %q (relative to the config file)", cfg.Init, want)
	}
	if want := filepath.Join(sub, "data", "train.jsonl"); cfg.EnvArgs["path"] != want {
		t.Errorf("env_args.path = %v, want %q", cfg.EnvArgs["path"], want)
	}
	cfg, err = Load(file, []string{"init=mine/policy", "env_args.path=d.jsonl"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := absPath(t, "mine/policy"); cfg.Init != want {
		t.Errorf("--set init = %q, want %q (relative to the working directory)", cfg.Init, want)
	}
	if want := absPath(t, "d.jsonl"); cfg.EnvArgs["path"] != want {
		t.Errorf("--set env_args.path = %v, want %q", cfg.EnvArgs["path"], want)
	}
}

// The shipped configs name their base policies relative to themselves: they load the same
// existing folders from the repository root and from anywhere else.
func TestShippedConfigsFindTheirInitFromAnyDirectory(t *testing.T) {
	paths, _ := filepath.Glob(absPath(t, "../../configs") + "/*.yaml")
	ci, _ := filepath.Glob(absPath(t, "../../configs/ci") + "/*.yaml")
	t.Chdir(t.TempDir())
	for _, path := range append(paths, ci...) {
		cfg, err := Load(path, nil, nil)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if cfg.Init == "" || strings.HasPrefix(cfg.Init, "/path/to/") {
			continue // a fresh model, or a placeholder for the user's own folder (hf-grpo.yaml; trainers tests it)
		}
		if _, err := os.Stat(filepath.Join(cfg.Init, "config.json")); err != nil {
			t.Errorf("%s: init %s is not a policy folder: %v", path, cfg.Init, err)
		}
	}
}

// model.* keys are ignored when init is set; giving one is an error that says so, wherever it
// came from. Values equal to the defaults (configs/grpo.yaml spells them all out) are allowed.
func TestModelKeysWithInitAreRefused(t *testing.T) {
	for _, c := range []struct {
		file string
		sets []string
		env  []string
		from string
	}{
		{"", []string{"model.d_model=128"}, nil, "--set model.d_model=128"},
		{"", nil, []string{"GRIT_MODEL_N_LAYERS=4"}, "GRIT_MODEL_N_LAYERS"},
		{"init: somewhere\nmodel:\n  n_heads: 8\n", nil, nil, "cfg.yaml:3"},
	} {
		path := ""
		if c.file != "" {
			path = writeConfig(t, c.file)
		}
		_, err := Load(path, c.sets, c.env)
		if err == nil {
			t.Errorf("%v %v %q: model.* with init accepted", c.sets, c.env, c.file)
			continue
		}
		for _, f := range []string{c.from, "init folder", "remove the model.* key"} {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("error %q does not mention %q", err, f)
			}
		}
	}
	if _, err := Load("", []string{"init=", "model.d_model=128"}, nil); err != nil {
		t.Errorf("a fresh model's shape refused: %v", err)
	}
	if _, err := Load("", []string{"model.d_model=64"}, nil); err != nil {
		t.Errorf("the default shape with init refused: %v", err)
	}
}

// Out-of-range values name where they were set, like type errors do.
func TestRangeErrorsNameTheirSource(t *testing.T) {
	path := writeConfig(t, "lr: 1.0e-3\n\nsteps: -3\n")
	_, err := Load(path, nil, nil)
	if err == nil || !strings.Contains(err.Error(), path+":3: steps:") {
		t.Errorf("steps: -3 on line 3: error %v should start with %s:3", err, path)
	}
	_, err = Load("", []string{"top_p=2"}, nil)
	if err == nil || !strings.Contains(err.Error(), "--set top_p=2: top_p:") {
		t.Errorf("--set top_p=2: error %v should name the flag", err)
	}
	_, err = Load("", nil, []string{"GRIT_SCORE_ALPHA=-1", "GRIT_ALGO=score"})
	if err == nil || !strings.Contains(err.Error(), "GRIT_SCORE_ALPHA") {
		t.Errorf("GRIT_SCORE_ALPHA=-1: error %v should name the variable", err)
	}
}

// Names other trainers use are suggested first: learning_rate -> lr.
func TestUnknownKeySuggestsSynonymFirst(t *testing.T) {
	for key, want := range map[string]string{"learning_rate": "lr", "max_steps": "steps", "kl_coef": "beta", "lr_schedul": "lr_schedule"} {
		_, err := Load("", []string{key + "=1"}, nil)
		if err == nil || !strings.Contains(err.Error(), `did you mean "`+want+`"?`) {
			t.Errorf("%s: error %v should suggest %q", key, err, want)
		}
	}
}
