package rl

// LossType is how token losses aggregate into the mini-batch loss (config key loss_type).
type LossType string

// Aggregation modes (loss_type, docs/algorithms.md GRPO "Aggregation"), with m the token mask,
// w_b the row weight and B the number of rows in the mini-batch:
const (
	LossTypeGRPO     LossType = "grpo"     // (1/B) sum_b (sum_t w_b m l) / max(sum_t m, 1)
	LossTypeBNPO     LossType = "bnpo"     // sum w m l / max(sum m, 1) over the mini-batch
	LossTypeDrGRPO   LossType = "dr_grpo"  // sum w m l / (B * MaxCompletionLength)
	LossTypeDAPO     LossType = "dapo"     // sum w m l / GenerationTokens (tokens of the whole generation batch)
	LossTypeConstant LossType = "constant" // sum w m l / Normalizer (NFT's reference code: 1000)
)

// LossTypes lists the aggregation modes, for error messages.
var LossTypes = []LossType{LossTypeGRPO, LossTypeBNPO, LossTypeDrGRPO, LossTypeDAPO, LossTypeConstant}

// rowNormalisers returns, per row, the factor 1/norm that multiplies w_b m_bt l_bt.
// mask[b][t] is the effective 0/1 mask (row weight 0 already folded in).
func rowNormalisers(cfg *LossConfig, mask [][]float64) ([]float64, error) {
	B := len(mask)
	out := make([]float64, B)
	count := func(b int) float64 {
		s := 0.0
		for _, m := range mask[b] {
			s += m
		}
		return s
	}
	switch cfg.LossType {
	case LossTypeGRPO:
		for b := range B {
			out[b] = 1 / (float64(B) * max(count(b), 1))
		}
	case LossTypeBNPO:
		total := 0.0
		for b := range B {
			total += count(b)
		}
		for b := range B {
			out[b] = 1 / max(total, 1)
		}
	case LossTypeDrGRPO:
		for b := range B {
			out[b] = 1 / (float64(B) * float64(cfg.MaxCompletionLength))
		}
	case LossTypeDAPO:
		for b := range B {
			out[b] = 1 / float64(cfg.GenerationTokens)
		}
	case LossTypeConstant:
		for b := range B {
			out[b] = 1 / cfg.Normalizer
		}
	default:
		return nil, errorf("loss_type %q is unknown; use one of %q", cfg.LossType, LossTypes)
	}
	return out, nil
}
