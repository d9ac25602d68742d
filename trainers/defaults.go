package trainers

import (
	"reflect"
	"strings"

	"grit/envs"
	"grit/policy"
	"grit/rl"
	"grit/tensor"
)

// Defaults is the built-in configuration: GRPO from the shipped base policy on the default
// arithmetic task. configs/grpo.yaml spells out the same values (a test holds them equal).
func Defaults() Config {
	return Config{
		Algo:    AlgoGRPO,
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
		LRSchedule:  tensor.ScheduleConstant,
		AdamBeta1:   0.9,
		AdamBeta2:   0.99,
		AdamEps:     1e-8,
		MaxGradNorm: 1,

		MiniBatchSize: 128,
		NumIterations: 1,

		LossType:          rl.LossTypeDAPO,
		EpsLow:            0.2,
		EpsHigh:           0.28,
		ScaleRewards:      rl.ScaleGroup,
		Estimator:         rl.EstimatorGRPO,
		MaxResampleRounds: 0,
		RewardWeights:     map[string]float64{},

		EvalEvery:       10,
		CheckpointEvery: 10,
		KeepCheckpoints: 2,
		MaxBadSteps:     3,
		MaxEmptySteps:   3,

		LogCompletionsEvery: 10,
		Stop:                StopConfig{Metric: "eval_accuracy", Mode: "max"},
		Rollouts:            RolloutsConfig{Every: 1, Parquet: true},
		Workers:             WorkersConfig{Listen: "127.0.0.1:4222", WaitS: 10, AckWaitS: 30, WeightsDType: WeightsF32},

		SFT:   SFTConfig{BatchSize: 64},
		SCoRe: SCoReConfig{Stage1Steps: 0, Alpha: 10, Beta1: 0.01, Beta2: 0.1, Estimator: SCoReReinforce, AttemptReward: SCoReOwnReward},
		NFT:   NFTConfig{NegWeight: 1, PromptWeight: rl.PromptWeightOneMinusR, ClampEps: 1, Normaliser: 1000},
		HDPO:  HDPOConfig{WAcc: 1, WEff: 0.15, Efficiency: EfficiencyToolCalls},
		RRR:   RRRConfig{Reflect: true, ReflectionPrompt: envs.DefaultReflectionPrompt, MaxReflectionTokens: 32, Group: RRRGroupPrompt},

		ExpertIter: ExpertIterConfig{Restart: ExpertContinue, Epochs: 1, Select: SelectCorrect, Threshold: 1,
			BalanceNStar: 4, Temperatures: "0.5,0.75,1,1.25", ProbePrompts: 8},
	}
}

// DefaultsFor is the built-in configuration of algorithm algo: Defaults() with algo set and the
// settings that suit it. Supervised fine-tuning (sft) takes AdamW's adam_beta2 0.999, the default
// of PyTorch's AdamW and of Hugging Face's Trainer, which SFT scripts keep; the RL default 0.99
// lets the second moment follow the shifting gradients of on-policy updates faster. Gradient
// clipping stays at max_grad_norm 1 for every algorithm, also the Trainer's default. rrr keeps a
// small KL to the starting policy (beta 0.001, the coefficient of the Reflect, Retry, Reward
// paper). The other RL algorithms share Defaults(), and so does expert_iter: it trains with the
// SFT loss, but on data that changes with the policy every iteration, as in RL (its own section
// expert_iter.* is part of Defaults()).
func DefaultsFor(algo string) Config {
	c := Defaults()
	c.Algo = Algorithm(algo)
	switch c.Algo {
	case AlgoSFT:
		c.AdamBeta2 = 0.999
	case AlgoRRR:
		c.Beta = rrrBeta
	}
	return c
}

// AlgoDefaults lists the keys whose built-in default for algo differs from Defaults(), with
// algo's value (empty for the algorithms that use Defaults() as it is).
func AlgoDefaults(algo string) map[string]any {
	base, own := DefaultsMap(), map[string]any{}
	flatten("", reflect.ValueOf(DefaultsFor(algo)), own)
	out := map[string]any{}
	for k, v := range own {
		if k != "algo" && !IsMapKey(k) && !reflect.DeepEqual(v, base[k]) {
			out[k] = v
		}
	}
	return out
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
