package trainers

import (
	"fmt"
	"sort"
	"strings"

	"grit/policy"
	"grit/rl"
	"grit/tensor"
)

// Config is one training run's settings. Every field maps to a config key (the mapstructure tag);
// nested structs are sections (`score.alpha`). Defaults() is the built-in default, equal to
// configs/grpo.yaml.
type Config struct {
	Algo Algorithm `mapstructure:"algo"` // grpo | sft | score | nft | hdpo | expert_iter | rrr
	Seed uint64    `mapstructure:"seed"` // one seed for everything; per-purpose streams derive from it

	Env     string         `mapstructure:"env"`      // registered env name (arithmetic, countdown, dataset, correction, tool, ...)
	EnvArgs map[string]any `mapstructure:"env_args"` // the env's own settings

	Init  string        `mapstructure:"init"`  // checkpoint folder to start from; empty = fresh model from `model`
	Model policy.Config `mapstructure:"model"` // architecture of a fresh model (vocab comes from the tokenizer; not used when init is set)

	ChatTemplate bool   `mapstructure:"chat_template"` // render prompts through the init folder's chat template
	SystemPrompt string `mapstructure:"system_prompt"` // system message put first (chat_template: true only)

	Steps          int     `mapstructure:"steps"`            // generation batches (RL) or optimiser steps (sft)
	PromptsPerStep int     `mapstructure:"prompts_per_step"` // prompts drawn per generation batch
	NumGenerations int     `mapstructure:"num_generations"`  // G: completions sampled per prompt
	MaxNewTokens   int     `mapstructure:"max_new_tokens"`   // per turn
	Temperature    float64 `mapstructure:"temperature"`      // sampling temperature during training (0 = greedy)
	TopK           int     `mapstructure:"top_k"`            // 0 = off
	TopP           float64 `mapstructure:"top_p"`            // 1 = off

	LR          float64             `mapstructure:"lr"`           // peak learning rate
	LRSchedule  tensor.ScheduleKind `mapstructure:"lr_schedule"`  // constant | linear | cosine
	WarmupSteps int                 `mapstructure:"warmup_steps"` // linear warm-up, in optimiser steps
	MinLR       float64             `mapstructure:"min_lr"`       // floor of the linear / cosine decay
	WeightDecay float64             `mapstructure:"weight_decay"` // AdamW decoupled weight decay (matrices only)
	AdamBeta1   float64             `mapstructure:"adam_beta1"`
	AdamBeta2   float64             `mapstructure:"adam_beta2"`
	AdamEps     float64             `mapstructure:"adam_eps"`
	MaxGradNorm float64             `mapstructure:"max_grad_norm"` // global grad-norm clip; 0 = off

	MiniBatchSize int `mapstructure:"mini_batch_size"` // sequences per optimiser step
	NumIterations int `mapstructure:"num_iterations"`  // mu: epochs of updates per generation batch

	LossType           rl.LossType        `mapstructure:"loss_type"`            // grpo | bnpo | dr_grpo | dapo
	EpsLow             float64            `mapstructure:"eps_low"`              // PPO clip, lower side
	EpsHigh            float64            `mapstructure:"eps_high"`             // PPO clip, upper side (clip-higher: 0.28)
	DualClip           float64            `mapstructure:"dual_clip"`            // dual-clip cap c (> 1) for negative advantages; 0 = off
	Beta               float64            `mapstructure:"beta"`                 // k3 KL to the reference (initial) policy; 0 = off
	ScaleRewards       rl.RewardScale     `mapstructure:"scale_rewards"`        // group | batch | none (Dr. GRPO)
	Estimator          rl.Estimator       `mapstructure:"estimator"`            // advantage estimator: grpo | rloo
	DynamicSampling    bool               `mapstructure:"dynamic_sampling"`     // drop zero-variance groups, resample to refill
	MaxResampleRounds  int                `mapstructure:"max_resample_rounds"`  // bound on dynamic-sampling refills per step
	OverlongMaxLen     int                `mapstructure:"overlong_max_len"`     // DAPO overlong shaping L_max; 0 = off
	OverlongCache      int                `mapstructure:"overlong_cache"`       // DAPO overlong shaping L_cache
	MaskTruncated      bool               `mapstructure:"mask_truncated"`       // completions without EOS are left out of the loss
	TopEntropyQuantile float64            `mapstructure:"top_entropy_quantile"` // keep the top fraction of tokens by entropy; 0 = off
	EntropyCoef        float64            `mapstructure:"entropy_coef"`         // entropy bonus; 0 = off
	RewardWeights      map[string]float64 `mapstructure:"reward_weights"`       // component name -> weight in the total reward

	EvalEvery       int `mapstructure:"eval_every"`       // steps between held-out evaluations; 0 = only base and final
	EvalTasks       int `mapstructure:"eval_tasks"`       // held-out tasks used; 0 = the whole split (more: see fitHeldOut)
	EvalPassK       int `mapstructure:"eval_pass_k"`      // k for pass@k in evaluation; 0 = off
	CheckpointEvery int `mapstructure:"checkpoint_every"` // steps between checkpoints; 0 = only at the end
	KeepCheckpoints int `mapstructure:"keep_checkpoints"` // newest step checkpoints kept (checkpoints/step-NNNNNN)
	MaxBadSteps     int `mapstructure:"max_bad_steps"`    // consecutive non-finite steps before the run stops
	MaxEmptySteps   int `mapstructure:"max_empty_steps"`  // consecutive steps with every sample excluded before the run stops
	Threads         int `mapstructure:"threads"`          // GOMAXPROCS; 0 = all cores (results do not depend on it)

	LogCompletionsEvery int            `mapstructure:"log_completions_every"` // steps between console prints of a few sampled completions; 0 = off
	Stop                StopConfig     `mapstructure:"stop"`                  // rules that end a run before `steps`
	Rollouts            RolloutsConfig `mapstructure:"rollouts"`              // which step files rollouts/ keeps
	Workers             WorkersConfig  `mapstructure:"workers"`               // rollout workers over NATS (workerscfg.go)

	SFT   SFTConfig   `mapstructure:"sft"`
	SCoRe SCoReConfig `mapstructure:"score"`
	NFT   NFTConfig   `mapstructure:"nft"`
	HDPO  HDPOConfig  `mapstructure:"hdpo"`
	RRR   RRRConfig   `mapstructure:"rrr"`

	ExpertIter ExpertIterConfig `mapstructure:"expert_iter"`
}

// StopConfig holds the rules that end a run early. The metric rules read one key of the step's
// metrics line (stop.metric) at every step that logs it (eval_* keys: at evaluations), so they stop
// at the same step on every run with the same config and seed; the time budget reads the clock.
type StopConfig struct {
	Metric      string  `mapstructure:"metric"`        // metrics.jsonl key the target and patience rules read
	Mode        string  `mapstructure:"mode"`          // max (higher is better) | min (lower is better)
	Target      float64 `mapstructure:"target"`        // stop once metric >= target (mode max) or <= target (min); 0 = off
	Patience    int     `mapstructure:"patience"`      // stop after this many checks without an improvement; 0 = off
	MinDelta    float64 `mapstructure:"min_delta"`     // smallest change that counts as an improvement for patience
	TimeBudgetS float64 `mapstructure:"time_budget_s"` // stop after the step at which elapsed_total_s reaches this; 0 = off
}

// RolloutsConfig says which steps' rollouts are written to rollouts/step-NNNNNN.arrow.
type RolloutsConfig struct {
	Every    int  `mapstructure:"every"`     // write every N-th step's file; 0 = none
	KeepLast int  `mapstructure:"keep_last"` // newest step files kept; 0 = all
	Parquet  bool `mapstructure:"parquet"`   // merge the kept files into rollouts.parquet at the end
}

// SFTConfig drives supervised next-token training on an env's reference solutions.
type SFTConfig struct {
	BatchSize int `mapstructure:"batch_size"` // sequences per optimiser step
}

// SCoReConfig: two-stage self-correction RL (Kumar et al. 2024).
type SCoReConfig struct {
	Stage1Steps int            `mapstructure:"stage1_steps"` // Stage I steps (0 = skip Stage I, the ablation)
	Alpha       float64        `mapstructure:"alpha"`        // shaping bonus alpha*(r2-r1) on attempt 2 in Stage II (> 1)
	Beta1       float64        `mapstructure:"beta1"`        // weak KL on every attempt
	Beta2       float64        `mapstructure:"beta2"`        // strong KL on attempt 1 in Stage I
	Estimator   SCoReEstimator `mapstructure:"estimator"`    // reinforce (group baseline) | grpo (clip loss)
	// AttemptReward is own (SCoRe: attempt j trained on its reward r_j) or final (every attempt
	// trained on the last attempt's reward r_k: the naive multi-turn RL baseline, which takes
	// stage1_steps 0 and alpha 0).
	AttemptReward SCoReAttemptReward `mapstructure:"attempt_reward"`
}

// RRRConfig: Reflect, Retry, Reward (Bensal et al. 2025) on a two-attempt correction env.
type RRRConfig struct {
	Reflect             bool     `mapstructure:"reflect"`               // true = reflect before the retry; false = retry at once (the comparison)
	ReflectionPrompt    string   `mapstructure:"reflection_prompt"`     // text after a wrong first attempt asking for the reflection
	MaxReflectionTokens int      `mapstructure:"max_reflection_tokens"` // generated tokens of the reflection turn, EOS included
	Group               RRRGroup `mapstructure:"group"`                 // prompt (a prompt's failed episodes) | attempt (G reflections of one failed attempt)
}

// NFTConfig: negative-aware fine-tuning.
type NFTConfig struct {
	NegWeight    float64         `mapstructure:"neg_weight"`    // 1 = NFT, 0 = positives only (RFT), -1 = clipped policy gradient
	PromptWeight rl.PromptWeight `mapstructure:"prompt_weight"` // one_minus_r (1 - rhat) | sqrt ((1-rhat)/rhat)
	ClampEps     float64         `mapstructure:"clamp_eps"`     // lower clamp of the negative ratio (1.0 in the reference code)
	Normaliser   float64         `mapstructure:"normaliser"`    // constant loss normaliser (1000 in the reference code)
}

// HDPOConfig: decoupled accuracy / efficiency advantages.
type HDPOConfig struct {
	WAcc       float64           `mapstructure:"w_acc"`      // weight of the accuracy channel
	WEff       float64           `mapstructure:"w_eff"`      // weight of the efficiency channel
	Efficiency EfficiencyMeasure `mapstructure:"efficiency"` // tool_calls (1/(T+1)) | tokens
}

// enumStrings spells a list of typed constants as strings (for oneOf).
func enumStrings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// oneOf is nil when v is one of valid, else an error naming key and listing the valid values.
func oneOf[T ~string](key string, v T, valid ...T) error {
	for _, s := range valid {
		if v == s {
			return nil
		}
	}
	return fmt.Errorf("%s: %q is not valid; use one of %s", key, v, strings.Join(enumStrings(valid), ", "))
}

// Validate reports the first setting that cannot work, naming its key.
func (c *Config) Validate() error {
	if err := oneOf("algo", c.Algo, Algorithms...); err != nil {
		return err
	}
	checks := []struct {
		ok  bool
		msg string
	}{
		{c.Env != "", "env: must name an environment"},
		{c.Steps >= 0, "steps: must be >= 0"},
		{c.PromptsPerStep >= 1, "prompts_per_step: must be >= 1"},
		{c.NumGenerations >= 1, "num_generations: must be >= 1"},
		{c.Algo == AlgoSFT || c.Algo == AlgoExpertIter || c.NumGenerations >= 2, "num_generations: group-relative algorithms need >= 2 completions per prompt"},
		{c.MaxNewTokens >= 1, "max_new_tokens: must be >= 1"},
		{c.Temperature >= 0, "temperature: must be >= 0"},
		{c.TopK >= 0, "top_k: must be >= 0"},
		{c.TopP > 0 && c.TopP <= 1, "top_p: must be in (0, 1]"},
		{c.LR > 0, "lr: must be > 0"},
		{c.MinLR >= 0 && c.MinLR <= c.LR, "min_lr: must be in [0, lr]"},
		{c.WarmupSteps >= 0, "warmup_steps: must be >= 0"},
		{c.AdamBeta1 >= 0 && c.AdamBeta1 < 1, "adam_beta1: must be in [0, 1)"},
		{c.AdamBeta2 >= 0 && c.AdamBeta2 < 1, "adam_beta2: must be in [0, 1)"},
		{c.AdamEps > 0, "adam_eps: must be > 0"},
		{c.WeightDecay >= 0, "weight_decay: must be >= 0"},
		{c.MaxGradNorm >= 0, "max_grad_norm: must be >= 0 (0 = off)"},
		{c.MiniBatchSize >= 1, "mini_batch_size: must be >= 1"},
		{c.NumIterations >= 1, "num_iterations: must be >= 1"},
		{c.EpsLow > 0 && c.EpsLow < 1, "eps_low: must be in (0, 1)"},
		{c.EpsHigh > 0, "eps_high: must be > 0"},
		{c.DualClip == 0 || c.DualClip > 1, "dual_clip: must be 0 (off) or > 1"},
		{c.Beta >= 0, "beta: must be >= 0"},
		{c.MaxResampleRounds >= 0, "max_resample_rounds: must be >= 0"},
		{c.OverlongMaxLen >= 0 && c.OverlongCache >= 0 && c.OverlongCache <= c.OverlongMaxLen, "overlong_cache: must be in [0, overlong_max_len]"},
		{c.TopEntropyQuantile >= 0 && c.TopEntropyQuantile <= 1, "top_entropy_quantile: must be in [0, 1]"},
		{c.EvalEvery >= 0, "eval_every: must be >= 0"},
		{c.EvalTasks >= 0, "eval_tasks: must be >= 0"},
		{c.EvalPassK >= 0, "eval_pass_k: must be >= 0"},
		{c.CheckpointEvery >= 0, "checkpoint_every: must be >= 0"},
		{c.KeepCheckpoints >= 1, "keep_checkpoints: must be >= 1 (the newest checkpoint is always kept)"},
		{c.LogCompletionsEvery >= 0, "log_completions_every: must be >= 0 (0 = off)"},
		{c.MaxBadSteps >= 1, "max_bad_steps: must be >= 1"},
		{c.MaxEmptySteps >= 1, "max_empty_steps: must be >= 1"},
		{c.Threads >= 0, "threads: must be >= 0"},
		{c.SFT.BatchSize >= 1, "sft.batch_size: must be >= 1"},
		{c.SystemPrompt == "" || c.ChatTemplate, "system_prompt: is only rendered with chat_template: true; set chat_template: true or remove system_prompt"},
		{!c.ChatTemplate || c.Init != "", "chat_template: true needs an init folder whose tokenizer_config.json (or chat_template.jinja) holds a chat template; set init or chat_template: false"},
		{c.Stop.Patience >= 0, "stop.patience: must be >= 0 (0 = off)"},
		{c.Stop.MinDelta >= 0, "stop.min_delta: must be >= 0"},
		{c.Stop.TimeBudgetS >= 0, "stop.time_budget_s: must be >= 0 seconds (0 = off)"},
		{c.Stop.Metric != "" || (c.Stop.Target == 0 && c.Stop.Patience == 0), "stop.metric: must name a metrics.jsonl key (e.g. eval_accuracy) when stop.target or stop.patience is set"},
		{c.Rollouts.Every >= 0, "rollouts.every: must be >= 0 (0 = write no rollout files)"},
		{c.Rollouts.KeepLast >= 0, "rollouts.keep_last: must be >= 0 (0 = keep all)"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("%s", ch.msg)
		}
	}
	for _, err := range []error{
		oneOf("lr_schedule", c.LRSchedule, tensor.ScheduleKinds...),
		oneOf("loss_type", c.LossType, rl.LossTypeGRPO, rl.LossTypeBNPO, rl.LossTypeDrGRPO, rl.LossTypeDAPO),
		oneOf("scale_rewards", c.ScaleRewards, rl.RewardScales...),
		oneOf("estimator", c.Estimator, rl.EstimatorGRPO, rl.EstimatorRLOO),
		oneOf("model.norm", c.Model.Norm, policy.Norms...),
		oneOf("model.activation", c.Model.Activation, policy.Activations...),
		oneOf("model.positions", c.Model.Positions, policy.PositionKinds...),
		oneOf("score.estimator", c.SCoRe.Estimator, SCoReEstimators...),
		oneOf("score.attempt_reward", c.SCoRe.AttemptReward, SCoReAttemptRewards...),
		oneOf("rrr.group", c.RRR.Group, RRRGroups...),
		oneOf("nft.prompt_weight", c.NFT.PromptWeight, rl.PromptWeightOneMinusR, rl.PromptWeightSqrt),
		oneOf("hdpo.efficiency", c.HDPO.Efficiency, EfficiencyMeasures...),
		oneOf("stop.mode", c.Stop.Mode, "max", "min"),
	} {
		if err != nil {
			return err
		}
	}
	if err := c.validateWorkers(); err != nil {
		return err
	}
	for name, w := range c.RewardWeights {
		if w != w {
			return fmt.Errorf("reward_weights.%s: NaN weight", name)
		}
	}
	return c.validateAlgo()
}

// validateAlgo checks the settings of the chosen algorithm's own section.
func (c *Config) validateAlgo() error {
	switch c.Algo {
	case AlgoSCoRe:
		s := c.SCoRe
		if s.AttemptReward == SCoReFinalReward {
			if s.Stage1Steps != 0 || s.Alpha != 0 {
				return fmt.Errorf("score.attempt_reward: final is the naive multi-turn baseline (every attempt trained on the last reward), which has no Stage I and no shaping bonus; set score.stage1_steps=0 and score.alpha=0 (got %d and %g)", s.Stage1Steps, s.Alpha)
			}
		} else if s.Alpha <= 0 {
			return fmt.Errorf("score.alpha: %g must be > 0 (the paper uses 10; alpha > 1 rewards fixing a wrong first attempt more than keeping a right one; alpha 0 is only for score.attempt_reward: final)", s.Alpha)
		}
		if s.Beta1 < 0 || s.Beta2 < 0 {
			return fmt.Errorf("score.beta1 / score.beta2: KL weights must be >= 0 (got %g, %g)", s.Beta1, s.Beta2)
		}
		if s.Stage1Steps > 0 && s.Beta1 == 0 {
			return fmt.Errorf("score.beta1: must be > 0 when score.stage1_steps > 0 (Stage I weighs attempt 1's KL by beta2 and attempt 2's by beta1; the paper uses 0.01)")
		}
		if s.Stage1Steps < 0 || s.Stage1Steps > c.Steps {
			return fmt.Errorf("score.stage1_steps: %d must be in [0, steps=%d]", s.Stage1Steps, c.Steps)
		}
	case AlgoRRR:
		if c.RRR.Group == RRRGroupAttempt && c.DynamicSampling {
			return fmt.Errorf("dynamic_sampling: not available with rrr.group: attempt (its groups are sampled after the first attempts); set dynamic_sampling: false or rrr.group: prompt")
		}
		return c.RRR.validate()
	case AlgoNFT:
		n := c.NFT
		if n.NegWeight != 1 && n.NegWeight != 0 && n.NegWeight != -1 {
			return fmt.Errorf("nft.neg_weight: %g must be 1 (NFT), 0 (positives only) or -1 (clipped policy gradient)", n.NegWeight)
		}
		if n.ClampEps <= 0 || n.Normaliser <= 0 {
			return fmt.Errorf("nft.clamp_eps and nft.normaliser must be > 0")
		}
	case AlgoHDPO:
		if c.HDPO.WAcc < 0 || c.HDPO.WEff < 0 {
			return fmt.Errorf("hdpo.w_acc / hdpo.w_eff: weights must be >= 0")
		}
	case AlgoExpertIter:
		return c.validateExpertIter()
	}
	return nil
}

// Keys lists every valid dotted config key, sorted (used to reject unknown keys).
func Keys() []string {
	keys := make([]string, 0, 64)
	for k := range DefaultsMap() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
