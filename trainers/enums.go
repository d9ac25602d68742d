package trainers

// SCoReEstimator is how SCoRe turns its shaped rewards into a loss (config key score.estimator).
type SCoReEstimator string

const (
	// SCoReReinforce is REINFORCE with the group-mean baseline: A = r - mean_G r (rl.KindReinforce).
	SCoReReinforce SCoReEstimator = "reinforce"
	// SCoReClip is GRPO's clipped surrogate on group-normalised advantages (rl.KindClip).
	SCoReClip SCoReEstimator = "grpo"
)

// SCoReAttemptReward is the reward each SCoRe attempt is trained on (config key
// score.attempt_reward).
type SCoReAttemptReward string

const (
	// SCoReOwnReward trains attempt j on its own reward r_j (plus Stage II's bonus): SCoRe.
	SCoReOwnReward SCoReAttemptReward = "own"
	// SCoReFinalReward trains every attempt on the last attempt's reward r_k: naive multi-turn RL.
	SCoReFinalReward SCoReAttemptReward = "final"
)

// RRRGroup is which reflections share a GRPO baseline in rrr (config key rrr.group).
type RRRGroup string

const (
	// RRRGroupPrompt: the reflections after the failed first attempts among a prompt's G episodes.
	RRRGroupPrompt RRRGroup = "prompt"
	// RRRGroupAttempt: G reflections sampled after one failed first attempt of the prompt (the
	// paper's groups).
	RRRGroupAttempt RRRGroup = "attempt"
)

// EfficiencyMeasure is what HDPO's efficiency reward counts (config key hdpo.efficiency).
type EfficiencyMeasure string

const (
	EfficiencyToolCalls EfficiencyMeasure = "tool_calls" // r_eff = 1 / (1 + tool calls of the episode)
	EfficiencyTokens    EfficiencyMeasure = "tokens"     // r_eff = 1 / (1 + generated tokens of the episode)
)

// The values each enumerated config key accepts, in the order error messages list them.
var (
	SCoReEstimators     = []SCoReEstimator{SCoReReinforce, SCoReClip}
	SCoReAttemptRewards = []SCoReAttemptReward{SCoReOwnReward, SCoReFinalReward}
	RRRGroups           = []RRRGroup{RRRGroupPrompt, RRRGroupAttempt}
	EfficiencyMeasures  = []EfficiencyMeasure{EfficiencyToolCalls, EfficiencyTokens}
)

// Algorithm is a training algorithm (config key algo, flag --algo).
type Algorithm string

const (
	AlgoGRPO  Algorithm = "grpo"  // group-relative policy optimisation and its loss variants
	AlgoSFT   Algorithm = "sft"   // supervised fine-tuning on the env's reference solutions
	AlgoSCoRe Algorithm = "score" // SCoRe: two-stage self-correction RL over attempts
	AlgoNFT   Algorithm = "nft"   // negative-aware fine-tuning
	AlgoHDPO  Algorithm = "hdpo"  // GRPO plus HDPO's decoupled efficiency channel
	AlgoRRR   Algorithm = "rrr"   // Reflect, Retry, Reward: GRPO on the self-reflection after a failure

	AlgoExpertIter Algorithm = "expert_iter" // expert iteration: SFT on the policy's own verified samples (STaR, ReST-EM, B-STaR)
)

// Algorithms lists the valid values of `algo`.
var Algorithms = []Algorithm{AlgoGRPO, AlgoSFT, AlgoSCoRe, AlgoNFT, AlgoHDPO, AlgoRRR, AlgoExpertIter}
