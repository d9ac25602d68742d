package trainers

import (
	"grit/policy"
	"reflect"
	"strings"
)

// Defaults is the built-in configuration: GRPO from the shipped base policy on the default
// arithmetic task. configs/grpo.yaml spells out the same values (a test holds them equal).
func Defaults() Config {
	return Config{
		Algo:    "grpo",
		Seed:    1,
		Env:     "arithmetic",
		EnvArgs: map[string]any{"digits_min": 2, "digits_max": 2, "operators": []any{"+"}},
		Init:    "configs/base/arithmetic",
		// ChatTemplate: false, SystemPrompt: "" (plain prompts: [BOS] + the prompt's tokens)
		Model: policy.Config{
			DModel: 64, NHeads: 4, NLayers: 2, MLPHidden: 256, Context: 32,
			Norm: policy.LayerNorm, Activation: policy.GELU, Positions: policy.LearnedPositions,
			RoPETheta: 10000, NormEps: 1e-5, Bias: true,
		},
		Steps:          60,
		PromptsPerStep: 16,
		NumGenerations: 8,
		MaxNewTokens:   6,
		Temperature:    1,
		TopP:           1,

		LR:          3e-4,
		LRSchedule:  "constant",
		AdamBeta1:   0.9,
		AdamBeta2:   0.99,
		AdamEps:     1e-8,
		MaxGradNorm: 1,

		MiniBatchSize: 128,
		NumIterations: 1,

		LossType:          "dapo",
		EpsLow:            0.2,
		EpsHigh:           0.28,
		ScaleRewards:      "group",
		Estimator:         "grpo",
		MaxResampleRounds: 0,
		RewardWeights:     map[string]float64{},

		EvalEvery:       10,
		CheckpointEvery: 10,
		KeepCheckpoints: 2,
		MaxBadSteps:     3,
		MaxEmptySteps:   3,

		SFT:   SFTConfig{BatchSize: 64},
		SCoRe: SCoReConfig{Stage1Steps: 0, Alpha: 10, Beta1: 0.01, Beta2: 0.1, Estimator: "reinforce"},
		NFT:   NFTConfig{NegWeight: 1, PromptWeight: "one_minus_r", ClampEps: 1, Normaliser: 1000},
		HDPO:  HDPOConfig{WAcc: 1, WEff: 0.15, Efficiency: "tool_calls"},
	}
}

// DefaultsMap flattens Defaults() into dotted keys (`score.alpha`) for viper's SetDefault.
// Map-valued keys (env_args, reward_weights) stay whole: their own keys are free-form.
func DefaultsMap() map[string]any {
	out := map[string]any{}
	flatten("", reflect.ValueOf(Defaults()), out)
	return out
}

func flatten(prefix string, v reflect.Value, out map[string]any) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("mapstructure")
		if tag == "" {
			continue
		}
		key := tag
		if prefix != "" {
			key = prefix + "." + tag
		}
		f := v.Field(i)
		if f.Kind() == reflect.Struct {
			flatten(key, f, out)
			continue
		}
		out[key] = f.Interface()
	}
}

// IsMapKey reports whether key lies under a free-form map setting (env_args.*, reward_weights.*).
func IsMapKey(key string) bool {
	for _, m := range []string{"env_args", "reward_weights"} {
		if key == m || strings.HasPrefix(key, m+".") {
			return true
		}
	}
	return false
}
