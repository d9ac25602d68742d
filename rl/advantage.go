package rl

import "math"

// Estimator is how advantages are computed from a group's rewards.
type Estimator string

// RewardScale is what GRPO divides centred rewards by (config key scale_rewards).
type RewardScale string

// Advantage estimators (docs/algorithms.md, GRPO "Advantage" and HDPO).
const (
	EstimatorGRPO   Estimator = "grpo"    // A_i = (r_i - mean_G r) / (std_G r + eps), scaled per Scale
	EstimatorDrGRPO Estimator = "dr_grpo" // A_i = r_i - mean_G r (GRPO with Scale "none")
	EstimatorRLOO   Estimator = "rloo"    // A_i = r_i - mean_{j != i} r_j (leave-one-out baseline)
	EstimatorHDPO   Estimator = "hdpo"    // GRPO accuracy advantage plus the conditional efficiency advantage

	ScaleGroup RewardScale = "group" // divide by the group's std (default)
	ScaleBatch RewardScale = "batch" // divide by the std of all rewards in the batch; the mean stays per group
	ScaleNone  RewardScale = "none"  // no division (Dr. GRPO)
)

// Estimators and RewardScales list the accepted values, for error messages and configs.
var (
	Estimators   = []Estimator{EstimatorGRPO, EstimatorDrGRPO, EstimatorRLOO, EstimatorHDPO}
	RewardScales = []RewardScale{ScaleGroup, ScaleBatch, ScaleNone}
)

// AdvantageConfig selects an estimator. The zero value is not useful: start from
// DefaultAdvantageConfig, which matches the reference defaults.
type AdvantageConfig struct {
	Estimator Estimator   // grpo | dr_grpo | rloo | hdpo
	Scale     RewardScale // group | batch | none (grpo only; dr_grpo is none, rloo is unscaled, hdpo is group)
	Eps       float64     // added to the std before dividing (1e-4)
	EffEps    float64     // HDPO: added to std_Q of the efficiency rewards (1e-6)
}

// DefaultAdvantageConfig is GRPO with per-group scaling, eps 1e-4 (and HDPO's 1e-6).
func DefaultAdvantageConfig() AdvantageConfig {
	return AdvantageConfig{Estimator: EstimatorGRPO, Scale: ScaleGroup, Eps: 1e-4, EffEps: 1e-6}
}

// AdvantageStats counts what the estimator saw.
type AdvantageStats struct {
	Groups        int // groups seen
	Samples       int // samples seen
	Excluded      int // samples whose reward was missing, NaN or infinite: advantage 0, left out of statistics
	ZeroStdGroups int // groups with at least one valid sample whose valid rewards were all equal
}

func (c AdvantageConfig) validate() error {
	switch c.Estimator {
	case EstimatorGRPO:
		switch c.Scale {
		case ScaleGroup, ScaleBatch, ScaleNone:
		default:
			return errorf("advantage scale %q is unknown; use one of %q", c.Scale, RewardScales)
		}
	case EstimatorDrGRPO, EstimatorRLOO, EstimatorHDPO:
	default:
		return errorf("advantage estimator %q is unknown; use one of %q", c.Estimator, Estimators)
	}
	if c.Eps < 0 || !finite(c.Eps) || c.EffEps < 0 || !finite(c.EffEps) {
		return errorf("advantage eps %g / eff eps %g must be finite and >= 0", c.Eps, c.EffEps)
	}
	return nil
}

// isValid reports whether reward j of a group counts: finite and not marked invalid.
func isValid(r []float64, valid []bool, j int) bool {
	return finite(r[j]) && (valid == nil || valid[j])
}

// meanSampleStd returns the mean, the sample standard deviation (Bessel-corrected:
// sqrt(sum (r - mean)^2 / (n-1))) and the count n of the valid rewards. With fewer than two values
// the std is 0.
func meanSampleStd(r []float64, valid []bool) (mean, std float64, n int) {
	for j := range r {
		if isValid(r, valid, j) {
			mean += r[j]
			n++
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	mean /= float64(n)
	if allEqual(r, valid) {
		// exact: all-equal rewards give advantage 0, not a rounding residue
		for j := range r {
			if isValid(r, valid, j) {
				return r[j], 0, n
			}
		}
	}
	if n < 2 {
		return mean, 0, n
	}
	var ss float64
	for j := range r {
		if isValid(r, valid, j) {
			d := r[j] - mean
			ss += d * d
		}
	}
	return mean, math.Sqrt(ss / float64(n-1)), n
}

// GroupAdvantages computes one advantage per reward, group by group.
//
//	grpo, scale group:  A_i = (r_i - mean_G r) / (std_G r + eps)
//	grpo, scale batch:  A_i = (r_i - mean_G r) / (std_B r + eps), std over every valid reward of the batch
//	grpo, scale none / dr_grpo:  A_i = r_i - mean_G r
//	rloo:               A_i = r_i - (sum_{j != i} r_j) / (n - 1) = n/(n-1) (r_i - mean_G r)
//
// std is Bessel-corrected. valid (nil, or shaped like groups) marks rewards that count; a reward that
// is invalid, NaN or infinite is excluded from the statistics, gets advantage 0, and is counted in
// Excluded. A group with fewer than two valid rewards gets all-zero advantages (no baseline exists).
// For hdpo use HDPOGroupAdvantages; here it computes the accuracy channel (grpo, scale group).
func GroupAdvantages(groups [][]float64, valid [][]bool, cfg AdvantageConfig) ([][]float64, AdvantageStats, error) {
	var st AdvantageStats
	if err := cfg.validate(); err != nil {
		return nil, st, err
	}
	if valid != nil && len(valid) != len(groups) {
		return nil, st, errorf("valid has %d groups but rewards have %d; pass nil or one mask per group", len(valid), len(groups))
	}
	scale := cfg.Scale
	switch cfg.Estimator {
	case EstimatorDrGRPO:
		scale = ScaleNone
	case EstimatorHDPO:
		scale = ScaleGroup
	}
	validOf := func(g int) []bool {
		if valid == nil {
			return nil
		}
		return valid[g]
	}
	var batchStd float64
	if scale == ScaleBatch {
		var all []float64
		for g, r := range groups {
			for j := range r {
				if isValid(r, validOf(g), j) {
					all = append(all, r[j])
				}
			}
		}
		_, batchStd, _ = meanSampleStd(all, nil)
	}
	out := make([][]float64, len(groups))
	for g, r := range groups {
		v := validOf(g)
		if v != nil && len(v) != len(r) {
			return nil, st, errorf("group %d: %d rewards but %d validity flags", g, len(r), len(v))
		}
		st.Groups++
		st.Samples += len(r)
		a := make([]float64, len(r))
		out[g] = a
		mean, std, n := meanSampleStd(r, v)
		st.Excluded += len(r) - n
		if n > 0 && std == 0 {
			st.ZeroStdGroups++
		}
		if n < 2 {
			continue
		}
		for j := range r {
			if !isValid(r, v, j) {
				continue
			}
			d := r[j] - mean
			switch {
			case cfg.Estimator == EstimatorRLOO:
				a[j] = d * float64(n) / float64(n-1)
			case scale == ScaleGroup:
				a[j] = d / (std + cfg.Eps)
			case scale == ScaleBatch:
				a[j] = d / (batchStd + cfg.Eps)
			default:
				a[j] = d
			}
		}
	}
	return out, st, nil
}

// HDPOGroupAdvantages computes HDPO's decoupled pair for one group (docs/algorithms.md, HDPO):
//
//	A_acc_i = (r_acc_i - mean_G r_acc) / (std_G r_acc + accEps)          over all G rollouts
//	A_eff_i = (r_eff_i - mean_Q r_eff) / (std_Q r_eff + effEps)   for i in Q, else 0
//
// where Q is the set of correct rollouts with a valid accuracy reward and a finite efficiency reward;
// if |Q| < 2 every A_eff is 0. Both stds are Bessel-corrected. qualifies[i] reports i in Q (|Q| >= 2);
// the efficiency loss is a token mean over exactly these samples.
func HDPOGroupAdvantages(acc, eff []float64, correct, valid []bool, accEps, effEps float64) (aAcc, aEff []float64, qualifies []bool, err error) {
	n := len(acc)
	if len(eff) != n || len(correct) != n || (valid != nil && len(valid) != n) {
		return nil, nil, nil, errorf("HDPO group: %d accuracy rewards, %d efficiency rewards, %d correctness flags, %d validity flags; all must match",
			n, len(eff), len(correct), len(valid))
	}
	cfg := AdvantageConfig{Estimator: EstimatorGRPO, Scale: ScaleGroup, Eps: accEps, EffEps: effEps}
	accAdv, _, err := GroupAdvantages([][]float64{acc}, maskOrNil(valid), cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	inQ := make([]bool, n)
	for i := range n {
		inQ[i] = correct[i] && isValid(acc, valid, i) && finite(eff[i])
	}
	mean, std, q := meanSampleStd(eff, inQ)
	aEff = make([]float64, n)
	qualifies = make([]bool, n)
	if q >= 2 {
		for i := range n {
			if inQ[i] {
				aEff[i] = (eff[i] - mean) / (std + effEps)
				qualifies[i] = true
			}
		}
	}
	return accAdv[0], aEff, qualifies, nil
}

func maskOrNil(v []bool) [][]bool {
	if v == nil {
		return nil
	}
	return [][]bool{v}
}

// allEqual reports whether every valid reward has the same value.
func allEqual(r []float64, valid []bool) bool {
	first, seen := 0.0, false
	for j := range r {
		if !isValid(r, valid, j) {
			continue
		}
		if seen && r[j] != first {
			return false
		}
		first, seen = r[j], true
	}
	return true
}
