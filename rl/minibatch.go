package rl

// MiniBatch is what PolicyLoss consumes: one row per scored sequence (one per turn of each sample).
// Slices may alias Arrow buffers (see Rollouts.MiniBatch): treat them as read-only, and keep the
// Rollouts alive while the MiniBatch is in use.
type MiniBatch struct {
	Rows          []int       // source rows in the step record; nil when built from samples
	Prompt        [][]int32   // [B][context] tokens before the scored ones
	Completion    [][]int32   // [B][T_b] scored tokens
	OldLogp       [][]float32 // [B][T_b] sampling log-probs
	RefLogp       [][]float32 // [B][T_b] reference log-probs; a nil row means none recorded
	Advantage     []float64   // [B] A (HDPO: accuracy advantage)
	AdvantageEff  []float64   // [B] HDPO efficiency advantage; nil when unused
	EffQualifies  []bool      // [B] HDPO: row is in its group's correct set Q with |Q| >= 2
	Correct       []bool      // [B] verifier verdict (NFT: positive or negative sample)
	GroupAccuracy []float64   // [B] r_q, fraction correct in the row's group (NFT)
	Weight        []float64   // [B] per-row loss weight; nil means 1; 0 removes the row (mask counts too)
	KLWeight      []float64   // [B] extra factor on the row's KL term only (Beta * KLWeight_b); nil means 1
	TokenMask     [][]float32 // [B][T_b] per-token 0/1 mask; nil (or a nil row) means all ones
}

// Len is the number of rows B.
func (mb *MiniBatch) Len() int { return len(mb.OldLogp) }

// Tokens counts the tokens that enter the loss: mask 1 and row weight non-zero. A trainer using the
// dapo aggregation sums this over the mini-batches of a generation batch for GenerationTokens.
func (mb *MiniBatch) Tokens() int {
	n := 0
	for b := range mb.OldLogp {
		if mb.Weight != nil && mb.Weight[b] == 0 {
			continue
		}
		if mb.TokenMask == nil || mb.TokenMask[b] == nil {
			n += len(mb.OldLogp[b])
			continue
		}
		for _, m := range mb.TokenMask[b] {
			if m != 0 {
				n++
			}
		}
	}
	return n
}

// IntTokens converts row b's tokens to []int for the policy (the one copy its API needs).
func (mb *MiniBatch) IntTokens(b int) (prompt, completion []int) {
	return toInts(mb.Prompt[b]), toInts(mb.Completion[b])
}

func toInts(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

func toInt32s(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

// MiniBatchFromSamples builds a MiniBatch with one row per turn, without Arrow. Masked samples get
// row weight 0. It copies tokens (int to int32) and reuses the log-prob slices.
func MiniBatchFromSamples(samples []Sample) (MiniBatch, error) {
	var mb MiniBatch
	for i := range samples {
		s := &samples[i]
		if err := s.Validate(); err != nil {
			return MiniBatch{}, err
		}
		w := 1.0
		if s.Masked {
			w = 0
		}
		for _, t := range s.Turns {
			mb.Prompt = append(mb.Prompt, toInt32s(t.Context))
			mb.Completion = append(mb.Completion, toInt32s(t.Tokens))
			mb.OldLogp = append(mb.OldLogp, t.Logp)
			mb.RefLogp = append(mb.RefLogp, t.RefLogp)
			mb.Advantage = append(mb.Advantage, s.Advantage)
			mb.AdvantageEff = append(mb.AdvantageEff, s.AdvantageEff)
			mb.EffQualifies = append(mb.EffQualifies, s.EffQualifies)
			mb.Correct = append(mb.Correct, s.Correct)
			mb.GroupAccuracy = append(mb.GroupAccuracy, s.GroupAccuracy)
			mb.Weight = append(mb.Weight, w)
		}
	}
	return mb, nil
}

// check reports rows whose per-row slices disagree in length with OldLogp.
func (mb *MiniBatch) check() error {
	n := len(mb.OldLogp)
	lens := map[string]int{"Advantage": len(mb.Advantage)}
	opt := map[string]int{
		"RefLogp": len(mb.RefLogp), "AdvantageEff": len(mb.AdvantageEff), "EffQualifies": len(mb.EffQualifies),
		"Correct": len(mb.Correct), "GroupAccuracy": len(mb.GroupAccuracy), "Weight": len(mb.Weight),
		"KLWeight": len(mb.KLWeight), "TokenMask": len(mb.TokenMask), "Completion": len(mb.Completion),
	}
	for name, l := range lens {
		if l != n {
			return errorf("mini-batch has %d rows of OldLogp but %d of %s", n, l, name)
		}
	}
	for _, name := range sortedKeys(opt) {
		if l := opt[name]; l != 0 && l != n {
			return errorf("mini-batch has %d rows of OldLogp but %d of %s; leave it nil or give one per row", n, l, name)
		}
	}
	for b := 0; b < n; b++ {
		if mb.KLWeight != nil && !(mb.KLWeight[b] >= 0 && finite(mb.KLWeight[b])) {
			return errorf("mini-batch row %d has KL weight %g; it must be finite and >= 0", b, mb.KLWeight[b])
		}
		t := len(mb.OldLogp[b])
		if mb.Completion != nil && len(mb.Completion[b]) != t {
			return errorf("mini-batch row %d: %d completion tokens but %d sampling log-probs", b, len(mb.Completion[b]), t)
		}
		if mb.RefLogp != nil && mb.RefLogp[b] != nil && len(mb.RefLogp[b]) != t {
			return errorf("mini-batch row %d: %d reference log-probs for %d tokens", b, len(mb.RefLogp[b]), t)
		}
		if mb.TokenMask != nil && mb.TokenMask[b] != nil && len(mb.TokenMask[b]) != t {
			return errorf("mini-batch row %d: token mask of length %d for %d tokens", b, len(mb.TokenMask[b]), t)
		}
	}
	return nil
}
