package trainers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Each bad workers: setting is refused by Validate with a message naming its key.
func TestWorkersConfigValidation(t *testing.T) {
	cases := []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.Workers.MaxStaleness, c.Algo = 2, AlgoSCoRe }, "workers.max_staleness: asynchronous sampling (> 0) is implemented for algos grpo, nft and hdpo only"},
		{func(c *Config) { c.Workers.MaxStaleness = -1 }, "workers.max_staleness: must be >= 0"},
		{func(c *Config) { c.Workers.WeightsDType = "f16" }, `workers.weights_dtype: "f16" is not f32 or bf16`},
		{func(c *Config) { c.Workers.WeightsDType = WeightsBF16 }, "workers.weights_dtype: bf16 makes workers sample from rounded weights"},
		{func(c *Config) { c.Workers.Listen = "localhost" }, "workers.listen"},
		{func(c *Config) { c.Workers.User = "grit" }, "workers.user / workers.password: set both"},
		{func(c *Config) { c.Workers.User, c.Workers.Password, c.Workers.Token = "grit", "pw", "tok" }, "workers.token"},
		{func(c *Config) { c.Workers.WaitS = 0 }, "workers.wait_s"},
		{func(c *Config) { c.Workers.AckWaitS = -1 }, "workers.ack_wait_s"},
		{func(c *Config) { c.Algo = AlgoSFT }, "sft samples no rollouts"},
		{func(c *Config) { c.Algo = AlgoRRR }, "algo rrr samples on the learner only"},
		{func(c *Config) { c.Algo = AlgoExpertIter }, "algo expert_iter samples on the learner only"},
	}
	for i, c := range cases {
		cfg := Defaults()
		cfg.Workers.Enabled = true
		c.set(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: Validate = %v, want an error containing %q", i, err, c.want)
		}
	}
	ok := Defaults()
	ok.Workers.Enabled, ok.Workers.URL, ok.Workers.Listen = true, "nats://10.0.0.2:4222", "" // listen unused with a url
	ok.Workers.MaxStaleness = 2                                                              // asynchronous
	for _, algo := range []Algorithm{AlgoGRPO, AlgoNFT, AlgoHDPO} {
		ok.Algo = algo
		if err := ok.Validate(); err != nil {
			t.Fatalf("a valid workers section, algo %s: %v", algo, err)
		}
	}
	off := Defaults()
	off.Workers.MaxStaleness = 3 // not checked while workers are off
	if err := off.Validate(); err != nil {
		t.Fatalf("workers off: %v", err)
	}
}

// A secret never shows through fmt.
func TestSecretIsNotPrinted(t *testing.T) {
	cfg := Defaults()
	cfg.Workers.Password, cfg.Workers.Token = "pw-123456", "tok-abcdef"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, cfg.Workers)
		if strings.Contains(out, "pw-123456") || strings.Contains(out, "tok-abcdef") {
			t.Fatalf("%s shows a secret: %s", verb, out)
		}
	}
}

// Run refuses workers.enabled when no learner was given, before it writes anything.
func TestRunWithWorkersNeedsARolloutSource(t *testing.T) {
	cfg := Defaults()
	cfg.Init = "../configs/base/arithmetic"
	cfg.Workers.Enabled = true
	dir := t.TempDir() + "/run"
	_, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "workers.enabled") {
		t.Fatalf("Run = %v, want a config error naming workers.enabled", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("run folder written (%v)", err)
	}
}
