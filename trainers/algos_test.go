package trainers

import (
	"context"
	"testing"

	_ "grit/envs/tool" // registers the "tool" env
)

// Every algorithm runs end to end on a tiny fresh model and logs its own metrics, and every key it
// writes to metrics.jsonl (eval_* of the last step included) is documented in docs/metrics.md.
func TestEveryAlgorithmRuns(t *testing.T) {
	arith := map[string]any{"digits_min": 1, "digits_max": 1, "operators": []string{"+"}}
	cases := []struct {
		name string
		edit func(*Config)
		want []string // metric keys that must appear in step 0
	}{
		{"sft", func(c *Config) { c.Algo = "sft"; c.SFT.BatchSize = 8 }, []string{"loss", "grad_norm"}},
		{"grpo-dynamic", func(c *Config) {
			c.DynamicSampling, c.MaxResampleRounds, c.LossType, c.OverlongMaxLen, c.OverlongCache = true, 2, "bnpo", 4, 2
		}, []string{"groups_dropped", "reward/overlong_mean"}},
		{"grpo-dr", func(c *Config) { c.LossType, c.ScaleRewards, c.MaskTruncated = "dr_grpo", "none", true }, []string{"masked_truncated"}},
		{"grpo-entropy", func(c *Config) {
			c.LossType, c.TopEntropyQuantile, c.EntropyCoef, c.Estimator = "grpo", 0.5, 0.01, "rloo"
		}, []string{"entropy"}},
		{"nft", func(c *Config) { c.Algo = "nft"; c.Beta = 0 }, []string{"groups_uninformative"}},
		{"nft-positives", func(c *Config) { c.Algo = "nft"; c.NFT.NegWeight = 0 }, []string{"groups_uninformative"}},
		{"score", func(c *Config) {
			c.Algo, c.Env = "score", "correction"
			c.EnvArgs = map[string]any{"base": "arithmetic", "base_args": arith, "instruction": "\nfix:"}
			c.SCoRe.Stage1Steps = 1
			c.Model.Context = 32
		}, []string{"stage", "reward_t1_mean", "reward_t2_mean"}},
		{"rrr", func(c *Config) {
			c.Algo, c.Env, c.Beta = "rrr", "correction", rrrBeta
			c.EnvArgs = map[string]any{"base": "arithmetic", "base_args": arith, "instruction": "\nfix:"}
			c.RRR = RRRConfig{Reflect: true, ReflectionPrompt: "?", MaxReflectionTokens: 3, Group: RRRGroupPrompt}
			c.Model.Context = 32
		}, []string{"first_attempt_accuracy", "retry_success_rate", "reflection_len_mean", "after_retry_accuracy"}},
		{"rrr-attempt-groups", func(c *Config) {
			c.Algo, c.Env = "rrr", "correction"
			c.EnvArgs = map[string]any{"base": "arithmetic", "base_args": arith, "instruction": "\nfix:"}
			c.RRR = RRRConfig{Reflect: true, ReflectionPrompt: "?", MaxReflectionTokens: 3, Group: RRRGroupAttempt}
			c.Model.Context = 32
		}, []string{"first_attempt_accuracy", "retry_success_rate", "reflection_len_mean", "groups"}},
		{"rrr-no-reflection", func(c *Config) {
			c.Algo, c.Env = "rrr", "correction"
			c.EnvArgs = map[string]any{"base": "arithmetic", "base_args": arith, "instruction": "\nfix:"}
			c.RRR = RRRConfig{Reflect: false, ReflectionPrompt: "?", MaxReflectionTokens: 3, Group: RRRGroupPrompt}
			c.Model.Context = 32
		}, []string{"first_attempt_accuracy", "retry_success_rate", "failed_first_attempts"}},
		{"hdpo", func(c *Config) {
			c.Algo, c.Env = "hdpo", "tool"
			c.EnvArgs = map[string]any{}
			c.RewardWeights = map[string]float64{"correct": 0.9, "format": 0.1}
			c.Model.Context = 96
			c.MaxNewTokens = 24
		}, []string{"eff_qualifying_frac", "tool_calls_mean"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyRunConfig()
			cfg.Steps = 2
			cfg.EvalEvery = 0
			cfg.CheckpointEvery = 0
			tc.edit(&cfg)
			dir := t.TempDir()
			s, err := Run(context.Background(), cfg, RunOptions{OutDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.Final["accuracy"]; !ok {
				t.Fatalf("no final accuracy: %v", s.Final)
			}
			checkKeysDocumented(t, readAllMetrics(t, dir))
			ms := readMetrics(t, dir)
			if len(ms) != cfg.Steps {
				t.Fatalf("%d metric lines, want %d", len(ms), cfg.Steps)
			}
			for _, k := range tc.want {
				if _, ok := ms[0][k]; !ok {
					t.Errorf("step 0 lacks %q: %v", k, ms[0])
				}
			}
			// every sampling round (dynamic sampling's, rrr's retries, SCoRe's attempts) is step s's
			// policy: version s-1
			// (sft samples nothing; nft's fresh policy leaves no informative group to store, and its
			// samples are built as grpo's are)
			if n := assertSynchronousPolicyVersions(t, dir); n == 0 && cfg.Algo != "sft" && cfg.Algo != "nft" {
				t.Errorf("%s stored no rollout sample to check", tc.name)
			}
		})
	}
}
