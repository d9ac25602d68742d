package rl

import "grit/rewards"

// TurnTokens is one policy turn of a trajectory, in tokens; a single-turn completion has exactly
// one. For turn k > 0, Context holds everything the policy saw before generating: the prompt, earlier
// turns and the environment's observations. Storing the full context per turn keeps every turn a
// self-contained (prompt, completion) pair the policy can compute log-probs of without reassembly.
type TurnTokens struct {
	Context []int     // tokens before this turn (prompt for turn 0); not trained on
	Tokens  []int     // generated tokens; trained on
	Logp    []float32 // sampling log-probs, len(Logp) == len(Tokens)
	RefLogp []float32 // reference log-probs; nil when not recorded, else len == len(Tokens)
	Text    string    // decoded Tokens
}

// Sample is one completion (a trajectory of one or more turns) of a group.
type Sample struct {
	Step     int    // training step that generated it
	PromptID string // task id; all samples of a group share it
	Group    int    // index of the group within the step
	Index    int    // index of the sample within its group
	// PolicyVersion is the version of the policy that sampled it: the number of training steps
	// that policy had completed (the policy at the start of 1-based step s is version s-1; an
	// asynchronous rollout worker may have sampled with an older one). UnknownPolicyVersion when
	// not known (a sample read from a rollout file written before the version was recorded).
	PolicyVersion int
	// Attempt is the 0-based attempt of a multi-attempt episode when a trainer splits the episode
	// into one sample per attempt (SCoRe); 0 for single-sample episodes. Not stored in Arrow.
	Attempt int

	Turns []TurnTokens

	Components []rewards.Component // reward components by name; failed ones have OK false
	Reward     float64             // total reward (see TotalReward); meaningless when !RewardOK
	RewardOK   bool                // false when every weighted component is missing
	RewardEff  float64             // HDPO efficiency reward (second channel); 0 otherwise

	Correct   bool // verifier verdict
	Truncated bool // stopped at the token limit without EOS
	Masked    bool // excluded from the loss (still counted in group statistics)

	NumTokens int // efficiency counter: generated tokens over all turns
	ToolCalls int // efficiency counter: tool calls over all turns

	PromptText string

	// Filled by AssignAdvantages (AdvantageEff and EffQualifies by its hdpo estimator).
	Advantage     float64 // A (accuracy advantage for HDPO)
	AdvantageEff  float64 // HDPO efficiency advantage; 0 outside the group's correct set
	EffQualifies  bool    // HDPO: the sample is in the correct set Q with |Q| >= 2
	GroupAccuracy float64 // r_q: fraction of correct samples in the group (NFT's rhat before clamping)
}

// UnknownPolicyVersion is Sample.PolicyVersion when the sampling policy's version is not known.
const UnknownPolicyVersion = -1

// Validate reports the first structural problem: a turn whose log-probs (or reference log-probs)
// do not match its tokens, or a sample with no turns.
func (s *Sample) Validate() error {
	if len(s.Turns) == 0 {
		return errorf("sample (group %d, index %d) has no turns; a completion needs at least one turn", s.Group, s.Index)
	}
	if s.PolicyVersion < UnknownPolicyVersion {
		return errorf("sample (group %d, index %d) has policy version %d; a version counts completed training steps (>= 0), or is UnknownPolicyVersion (-1)",
			s.Group, s.Index, s.PolicyVersion)
	}
	for k, t := range s.Turns {
		if len(t.Logp) != len(t.Tokens) {
			return errorf("sample (group %d, index %d) turn %d: %d tokens but %d sampling log-probs; record one log-prob per generated token",
				s.Group, s.Index, k, len(t.Tokens), len(t.Logp))
		}
		if t.RefLogp != nil && len(t.RefLogp) != len(t.Tokens) {
			return errorf("sample (group %d, index %d) turn %d: %d tokens but %d reference log-probs; use nil when there is no reference",
				s.Group, s.Index, k, len(t.Tokens), len(t.RefLogp))
		}
	}
	return nil
}
