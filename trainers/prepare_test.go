package trainers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/envs"
)

// Every config problem is found before the run folder exists: Run returns a *ConfigError and
// leaves nothing on disk, and Prepare (what --dry-run calls) reports the same error.
func TestConfigProblemsFoundBeforeTheRunFolder(t *testing.T) {
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, "config.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		change  func(*Config)
		mention string
	}{
		{"bad env_args", func(c *Config) { c.EnvArgs = map[string]any{"digits_maxx": 3} }, "digits_maxx"},
		{"unknown env", func(c *Config) { c.Env = "nowhere" }, "nowhere"},
		{"missing init", func(c *Config) { c.Init = filepath.Join(t.TempDir(), "absent") }, "init"},
		{"corrupt init", func(c *Config) { c.Init = corrupt }, "init"},
		{"model shape", func(c *Config) { c.Model.NHeads = 5 }, "model"},
		{"lr schedule", func(c *Config) { c.LRSchedule, c.WarmupSteps = "linear", 100000 }, "lr_schedule"},
		{"algo needs another env", func(c *Config) { c.Algo = "score" }, "multi-attempt"},
		{"range", func(c *Config) { c.Steps = -3 }, "steps"},
	} {
		cfg := tinyRunConfig()
		c.change(&cfg)
		out := filepath.Join(t.TempDir(), "run")
		_, err := Run(context.Background(), cfg, RunOptions{OutDir: out})
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: Run error %v, want a ConfigError mentioning %q", c.name, err, c.mention)
		}
		if _, serr := os.Stat(out); !os.IsNotExist(serr) {
			t.Errorf("%s: Run created %s despite the config error", c.name, out)
		}
		perr := Prepare(cfg)
		if !errors.As(perr, &ce) || err == nil || perr.Error() != err.Error() {
			t.Errorf("%s: Prepare error %v, want Run's %v", c.name, perr, err)
		}
	}
	if err := Prepare(tinyRunConfig()); err != nil {
		t.Errorf("a good config fails Prepare: %v", err)
	}
}

// closeCounter is an env that holds a resource (like a plugin env's processes) and counts Close.
type closeCounter struct {
	envs.Env
	closed *int
}

func (c closeCounter) Close() error { *c.closed++; return nil }

// Prepare releases the env it built, whether the config passes or fails a later check: a dry
// run leaves no plugin process behind.
func TestPrepareClosesTheEnv(t *testing.T) {
	closed := 0
	envs.Register("preparetest-closer", func(p envs.Params) (envs.Env, error) {
		e, err := envs.New("arithmetic", p)
		return closeCounter{e, &closed}, err
	})
	cfg := tinyRunConfig()
	cfg.Env = "preparetest-closer"
	if err := Prepare(cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Algo = "score" // fails after the env was built: arithmetic has one attempt
	if err := Prepare(cfg); err == nil {
		t.Fatal("score on a one-attempt env passed Prepare")
	}
	cfg.Algo, cfg.Init = "grpo", filepath.Join(t.TempDir(), "absent") // fails at the policy
	if err := Prepare(cfg); err == nil {
		t.Fatal("a missing init passed Prepare")
	}
	if closed != 3 {
		t.Errorf("env closed %d times over 3 Prepare calls, want 3", closed)
	}
}
