package rl

import "math"

// LossKind is the per-token loss PolicyLoss computes.
type LossKind string

// Loss kinds.
const (
	KindClip      LossKind = "clip"      // PPO/GRPO clipped surrogate (ClipToken)
	KindReinforce LossKind = "reinforce" // plain policy gradient with baseline (ReinforceToken)
	KindNFT       LossKind = "nft"       // negative-aware fine-tuning (NFTPositiveToken / NFTNegativeToken)
)

// LossKinds lists the loss kinds, for error messages.
var LossKinds = []LossKind{KindClip, KindReinforce, KindNFT}

// NFTConfig holds NFT's options (reference defaults in DefaultLossConfig).
type NFTConfig struct {
	NegWeight    float64      // weight of the negative loss: 1 NFT, 0 positives only (RFT); < 0 uses the clip loss on Advantage instead
	PromptWeight PromptWeight // omega(q): one_minus_r (default), sqrt, none
	Eps          float64      // clamp floor of (1 - rhat R)/(1 - rhat); > 0 (reference 1.0)
	RhatMin      float64      // rhat = clamp(r_q, RhatMin, RhatMax): 0.02
	RhatMax      float64      // 0.98
}

// LossConfig selects the loss PolicyLoss computes. Start from DefaultLossConfig.
type LossConfig struct {
	Kind                LossKind // clip | reinforce | nft
	LossType            LossType // grpo | bnpo | dr_grpo | dapo | constant ("" = grpo, or constant for nft)
	MaxCompletionLength int      // dr_grpo's L_max
	GenerationTokens    int      // dapo's normaliser: loss tokens in the whole generation batch
	Normalizer          float64  // constant's normaliser (NFT reference: 1000)
	EpsLow              float64  // clip: rho >= 1 - EpsLow for A < 0 (0.2)
	EpsHigh             float64  // clip: rho <= 1 + EpsHigh for A > 0 (0.2; DAPO clip-higher 0.28)
	DualClip            float64  // dual-clip c > 1 caps the loss of A < 0 tokens at -c A; 0 = off
	Beta                float64  // weight of the k3 KL to the reference (needs RefLogp); 0 = off
	EntropyCoef         float64  // entropy bonus: L -= EntropyCoef * agg(H); needs entropy
	TopEntropyFraction  float64  // in (0, 1]: keep only tokens whose entropy is in this top fraction; 0 = off
	NFT                 NFTConfig
	HDPO                bool    // add the efficiency channel: WAcc * L(A) + WEff * tokenmean_Q L(A_eff)
	WAcc                float64 // HDPO accuracy weight (1.0)
	WEff                float64 // HDPO efficiency weight (0.15)
}

// DefaultLossConfig is GRPO's clip loss with the reference defaults: grpo aggregation (constant
// 1000 when Kind is switched to nft), eps 0.2,
// no dual clip, no KL, no entropy bonus; NFT neg weight 1, omega 1 - rhat, eps 1, rhat in [0.02, 0.98],
// normaliser 1000; HDPO weights 1.0 and 0.15 (off).
func DefaultLossConfig() LossConfig {
	return LossConfig{
		Kind: KindClip, LossType: "", Normalizer: 1000, // "": grpo, or constant for nft
		EpsLow: 0.2, EpsHigh: 0.2,
		NFT:  NFTConfig{NegWeight: 1, PromptWeight: PromptWeightOneMinusR, Eps: 1, RhatMin: 0.02, RhatMax: 0.98},
		WAcc: 1, WEff: 0.15,
	}
}

// resolved returns the config with defaults for empty fields, or an error naming the bad field.
func (c LossConfig) resolved() (LossConfig, error) {
	if c.LossType == "" {
		c.LossType = LossTypeGRPO
		if c.Kind == KindNFT {
			c.LossType = LossTypeConstant
		}
	}
	bad := func(x float64) bool { return !finite(x) }
	switch c.Kind {
	case KindClip, KindReinforce:
	case KindNFT:
		n := c.NFT
		if _, err := NFTPromptWeight(0.5, n.PromptWeight); err != nil {
			return c, err
		}
		if !(n.Eps > 0) || bad(n.Eps) {
			return c, errorf("NFT eps %g must be > 0 (the reference uses 1.0)", n.Eps)
		}
		if !(n.RhatMin > 0 && n.RhatMin <= n.RhatMax && n.RhatMax < 1) {
			return c, errorf("NFT rhat clamp [%g, %g] must satisfy 0 < min <= max < 1 (reference [0.02, 0.98])", n.RhatMin, n.RhatMax)
		}
		if bad(n.NegWeight) {
			return c, errorf("NFT neg weight %g must be finite", n.NegWeight)
		}
	default:
		return c, errorf("loss kind %q is unknown; use one of %q", c.Kind, LossKinds)
	}
	switch c.LossType {
	case LossTypeDrGRPO:
		if c.MaxCompletionLength <= 0 {
			return c, errorf("loss_type dr_grpo needs MaxCompletionLength > 0 (the generation token limit)")
		}
	case LossTypeDAPO:
		if c.GenerationTokens <= 0 {
			return c, errorf("loss_type dapo needs GenerationTokens > 0: the loss tokens of the whole generation batch (sum MiniBatch.Tokens over it)")
		}
	case LossTypeConstant:
		if !(c.Normalizer > 0) || bad(c.Normalizer) {
			return c, errorf("loss_type constant needs Normalizer > 0 (NFT uses 1000)")
		}
	}
	if !(c.EpsLow >= 0 && c.EpsLow < 1) || !(c.EpsHigh >= 0) || bad(c.EpsHigh) {
		return c, errorf("clip range eps_low %g must be in [0, 1) and eps_high %g >= 0", c.EpsLow, c.EpsHigh)
	}
	if c.DualClip != 0 && !(c.DualClip > 1) {
		return c, errorf("dual clip c %g must be > 1 (typically 3) or 0 to turn it off", c.DualClip)
	}
	if c.Beta < 0 || bad(c.Beta) || bad(c.EntropyCoef) {
		return c, errorf("beta %g must be finite and >= 0, entropy coefficient %g finite", c.Beta, c.EntropyCoef)
	}
	if c.TopEntropyFraction < 0 || c.TopEntropyFraction > 1 || math.IsNaN(c.TopEntropyFraction) {
		return c, errorf("top-entropy fraction %g must be in [0, 1] (0 turns it off)", c.TopEntropyFraction)
	}
	if !c.HDPO {
		c.WAcc = 1
	} else if bad(c.WAcc) || bad(c.WEff) {
		return c, errorf("HDPO weights w_acc %g, w_eff %g must be finite", c.WAcc, c.WEff)
	}
	return c, nil
}
