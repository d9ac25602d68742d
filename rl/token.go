package rl

import "math"

// Per-token losses. Each returns the loss value l_t and its exact derivative dl_t/dlogp_t, where
// logp_t is the current policy's log-probability of the token. At a kink (a clip boundary hit
// exactly) the derivative is the one-sided derivative from inside the trust region, as PyTorch's
// clamp passes the gradient at its bounds.

// ClipState says which branch of the PPO-clip surrogate was active for a token.
type ClipState uint8

const (
	Unclipped   ClipState = iota // -rho A is active: gradient -rho A
	ClippedLow                   // A < 0 and rho < 1 - eps_low: gradient 0
	ClippedHigh                  // A > 0 and rho > 1 + eps_high: gradient 0
	DualClipped                  // A < 0 and rho > c (dual clip): loss capped at -c A, gradient 0
)

// ClipToken is the PPO/GRPO clipped surrogate with clip-higher and optional dual clip:
//
//	rho = exp(logp - logpOld)
//	l   = -min(rho A, clip(rho, 1 - epsLow, 1 + epsHigh) A)
//	dl/dlogp = -rho A on the unclipped branch, 0 on the clipped one
//
// Dual clip (Ye et al. 2020, dualC > 1, only for A < 0): l = min(l, -dualC A), so once rho > dualC
// the loss is the constant -dualC A with gradient 0. dualC <= 0 turns it off.
func ClipToken(logp, logpOld, adv, epsLow, epsHigh, dualC float64) (l, dl float64, state ClipState) {
	rho := math.Exp(logp - logpOld)
	switch {
	case adv > 0 && rho > 1+epsHigh:
		return -(1 + epsHigh) * adv, 0, ClippedHigh
	case adv < 0 && rho < 1-epsLow:
		return -(1 - epsLow) * adv, 0, ClippedLow
	case adv < 0 && dualC > 0 && rho > dualC:
		return -dualC * adv, 0, DualClipped
	}
	return -rho * adv, -rho * adv, Unclipped
}

// ReinforceToken is the plain policy-gradient (REINFORCE with baseline) surrogate:
//
//	l = -A logp,   dl/dlogp = -A
//
// Its gradient equals ClipToken's at rho = 1, without any ratio or clipping on later iterations.
func ReinforceToken(logp, adv float64) (l, dl float64) {
	return -adv * logp, -adv
}

// K3Token is the k3 estimator of KL(pi || pi_ref) (Schulman 2020):
//
//	k  = exp(logpRef - logp) - (logpRef - logp) - 1   (>= 0)
//	dk/dlogp = 1 - exp(logpRef - logp)
func K3Token(logp, logpRef float64) (k, dk float64) {
	d := logpRef - logp
	e := math.Exp(d)
	return e - d - 1, 1 - e
}

// nftMaxLogRatio caps logp - logpOld in NFT's ratio, as the reference code does.
const nftMaxLogRatio = 10

// NFTRatio is R = exp(min(logp - logpOld, 10)) and dR/dlogp (R below the cap, 0 above it).
func NFTRatio(logp, logpOld float64) (r, dr float64) {
	d := logp - logpOld
	if d > nftMaxLogRatio {
		return math.Exp(nftMaxLogRatio), 0
	}
	r = math.Exp(d)
	return r, r
}

// NFTPositiveToken is NFT's loss on a correct sample:
//
//	l = -log R = -min(logp - logpOld, 10),   dl/dlogp = -1 (0 above the cap)
func NFTPositiveToken(logp, logpOld float64) (l, dl float64) {
	d := logp - logpOld
	if d > nftMaxLogRatio {
		return -nftMaxLogRatio, 0
	}
	return -d, -1
}

// NFTNegativeToken is NFT's loss on an incorrect sample, the likelihood of the token under the
// implicit negative policy pi_neg = (pi_old - rhat pi) / (1 - rhat), normalised by pi_old:
//
//	v = (1 - rhat R) / (1 - rhat)
//	l = -log(max_v(v, eps))
//	dl/dlogp = rhat R / ((1 - rhat) max(v, eps))   (times dR/dlogp / R, i.e. 0 above the ratio cap)
//
// max_v clamps the value but keeps the unclamped gradient (the reference's clamp_preserve_grad):
// below eps the loss is the constant -log(eps) while the gradient is that of -v/eps.
// rhat must lie in (0, 1) and eps must be > 0.
func NFTNegativeToken(logp, logpOld, rhat, eps float64) (l, dl float64) {
	r, dr := NFTRatio(logp, logpOld)
	v := (1 - rhat*r) / (1 - rhat)
	c := math.Max(v, eps)
	return -math.Log(c), rhat * dr / ((1 - rhat) * c)
}

// PromptWeight is NFT's prompt weight omega(q) (config key nft.prompt_weight).
type PromptWeight string

// NFT prompt weights omega(q).
const (
	PromptWeightOneMinusR PromptWeight = "one_minus_r" // omega = 1 - rhat (default; Dr. GRPO equivalent on-policy)
	PromptWeightSqrt      PromptWeight = "sqrt"        // omega = sqrt((1 - rhat) / rhat) (std-normalised GRPO equivalent)
	PromptWeightNone      PromptWeight = "none"        // omega = 1
)

// PromptWeights lists NFT's prompt weights, for error messages.
var PromptWeights = []PromptWeight{PromptWeightOneMinusR, PromptWeightSqrt, PromptWeightNone}

// NFTPromptWeight returns omega(q) for the clamped accuracy rhat.
func NFTPromptWeight(rhat float64, mode PromptWeight) (float64, error) {
	switch mode {
	case PromptWeightOneMinusR:
		return 1 - rhat, nil
	case PromptWeightSqrt:
		return math.Sqrt((1 - rhat) / rhat), nil
	case PromptWeightNone:
		return 1, nil
	}
	return 0, errorf("NFT prompt weight %q is unknown; use one of %q", mode, PromptWeights)
}
