package main

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// metricStats summarises one metric over a variant's seeds.
//
//	mean = Σx/n,  std = sqrt(Σ(x-mean)²/(n-1))  (sample standard deviation),
//	95% CI of the mean = mean ± t(0.975; n-1) · std/√n  (Student's t, n-1 degrees of freedom).
//
// Std and the interval need n >= 2; with one value they are nil (null in sweep.json).
type metricStats struct {
	N      int       `json:"n"`
	Values []float64 `json:"values"`
	Mean   float64   `json:"mean"`
	Std    *float64  `json:"std"`
	CILow  *float64  `json:"ci95_low"`
	CIHigh *float64  `json:"ci95_high"`
}

func summarise(values []float64) metricStats {
	s := metricStats{N: len(values), Values: values}
	if len(values) == 0 {
		s.Mean = math.NaN()
		return s
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	s.Mean = sum / float64(len(values))
	if len(values) < 2 {
		return s
	}
	var ss float64
	for _, v := range values {
		ss += (v - s.Mean) * (v - s.Mean)
	}
	std := math.Sqrt(ss / float64(len(values)-1))
	half := tQuantile975(len(values)-1) * std / math.Sqrt(float64(len(values)))
	lo, hi := s.Mean-half, s.Mean+half
	s.Std, s.CILow, s.CIHigh = &std, &lo, &hi
	return s
}

// tQuantile975 is the 0.975 quantile of Student's t distribution with df degrees of freedom: the
// factor of a two-sided 95% interval (12.706 for df=1, 2.776 for df=4, tending to 1.960).
func tQuantile975(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// welchResult is Welch's unequal-variance t-test of mean(A) - mean(B).
type welchResult struct {
	Diff float64 `json:"diff"` // mean(A) - mean(B)
	T    float64 `json:"t"`
	DF   float64 `json:"df"`
	P    float64 `json:"p"` // two-sided
}

// welchTest compares the means of two samples without assuming equal variances:
//
//	se² = sA²/nA + sB²/nB,  t = (mean(A) - mean(B)) / se,
//	df = se⁴ / ((sA²/nA)²/(nA-1) + (sB²/nB)²/(nB-1))  (Welch-Satterthwaite),
//	p = 2·(1 - F_t(|t|; df))  (two-sided, F_t the Student's t CDF).
//
// Both samples need n >= 2 (ok is false otherwise). When both have zero variance the means are
// either equal (t 0, p 1) or differ without noise (t ±Inf, p 0); df is then nA+nB-2.
func welchTest(a, b []float64) (welchResult, bool) {
	if len(a) < 2 || len(b) < 2 {
		return welchResult{}, false
	}
	sa, sb := summarise(a), summarise(b)
	va, vb := *sa.Std**sa.Std/float64(sa.N), *sb.Std**sb.Std/float64(sb.N)
	r := welchResult{Diff: sa.Mean - sb.Mean}
	se2 := va + vb
	if se2 == 0 {
		r.DF = float64(sa.N + sb.N - 2)
		if r.Diff == 0 {
			r.P = 1
		} else {
			r.T = math.Copysign(math.Inf(1), r.Diff)
		}
		return r, true
	}
	r.T = r.Diff / math.Sqrt(se2)
	r.DF = se2 * se2 / (va*va/float64(sa.N-1) + vb*vb/float64(sb.N-1))
	r.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: r.DF}.Survival(math.Abs(r.T))
	return r, true
}
