package trainers

import "grit/rl"

// rowWeights are per-row factors of a step's loss, indexed by row of the step's record (one row
// per turn). loss (nil = 1) multiplies the row's whole loss (0 for masked rows stays 0);
// kl (nil = 1) multiplies only its KL term (rl.MiniBatch.KLWeight), so a strong KL on some rows
// does not scale their policy-gradient or entropy terms.
type rowWeights struct {
	loss, kl []float64
}

// apply writes the factors of mb's rows into mb.Weight and mb.KLWeight.
func (rw rowWeights) apply(mb *rl.MiniBatch) {
	if rw.loss != nil {
		for b := range mb.Weight {
			mb.Weight[b] *= rw.loss[mb.Rows[b]]
		}
	}
	if rw.kl != nil {
		mb.KLWeight = make([]float64, len(mb.Rows))
		for b, r := range mb.Rows {
			mb.KLWeight[b] = rw.kl[r]
		}
	}
}

// perRow expands per-sample factors (nil = nil) to one per row: every turn of a sample is a row.
func perRow(samples []rl.Sample, perSample []float64) []float64 {
	if perSample == nil {
		return nil
	}
	var out []float64
	for i := range samples {
		for range samples[i].Turns {
			out = append(out, perSample[i])
		}
	}
	return out
}
