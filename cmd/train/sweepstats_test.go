package main

import (
	"math"
	"runtime"
	"testing"
)

// Reference values from printed t tables (two-sided 95%).
func TestTQuantile975(t *testing.T) {
	for _, c := range []struct {
		df   int
		want float64
	}{{1, 12.706}, {2, 4.303}, {4, 2.776}, {10, 2.228}, {30, 2.042}, {1000, 1.962}} {
		if got := tQuantile975(c.df); math.Abs(got-c.want) > 5e-4 {
			t.Errorf("t(0.975; df=%d) = %.4f, want %.3f", c.df, got, c.want)
		}
	}
}

// Hand-derived: values 1,2,3,4,5: mean 3, sample variance 10/4 = 2.5, half width 2.776*sqrt(2.5/5).
func TestSummarise(t *testing.T) {
	s := summarise([]float64{1, 2, 3, 4, 5})
	if s.N != 5 || s.Mean != 3 || math.Abs(*s.Std-math.Sqrt(2.5)) > 1e-12 {
		t.Fatalf("got n=%d mean=%v std=%v", s.N, s.Mean, *s.Std)
	}
	half := 2.7764451 * math.Sqrt(0.5)
	if math.Abs(*s.CILow-(3-half)) > 1e-6 || math.Abs(*s.CIHigh-(3+half)) > 1e-6 {
		t.Fatalf("CI [%v, %v], want 3 ± %v", *s.CILow, *s.CIHigh, half)
	}
	one := summarise([]float64{0.5})
	if one.Mean != 0.5 || one.Std != nil || one.CILow != nil {
		t.Fatalf("one value: %+v, want mean 0.5 and no std or interval", one)
	}
}

// The sweep's GOMAXPROCS: threads per run times jobs, never above the cores; 0 = all cores.
func TestSweepThreads(t *testing.T) {
	cores := runtime.NumCPU()
	for _, c := range []struct{ threads, jobs, want int }{
		{0, 3, cores}, {1, 1, 1}, {1, 2, min(2, cores)}, {cores, 2, cores},
	} {
		if got := sweepThreads(c.threads, c.jobs); got != c.want {
			t.Errorf("sweepThreads(%d, %d) = %d, want %d", c.threads, c.jobs, got, c.want)
		}
	}
}

// Hand-derived: A = 1,2,3 and B = 4,5,6 have variance 1 each, so se² = 1/3 + 1/3, t = -3/√(2/3)
// = -3.6742, df = (2/3)² / (2·(1/3)²/2) = 4. For 4 degrees of freedom the t CDF has the closed
// form F(t) = 1/2 + t·(6+t²) / (2·(4+t²)^(3/2)) = 1/2 + (t/(2√(4+t²)))·(1 + 2/(4+t²)), which
// gives p = 2·(1 - F(3.6742)) = 0.02131.
func TestWelchTestEqualVariances(t *testing.T) {
	r, ok := welchTest([]float64{1, 2, 3}, []float64{4, 5, 6})
	if !ok {
		t.Fatal("welchTest refused two samples of 3")
	}
	wantT := -3 / math.Sqrt(2.0/3)
	x := math.Abs(wantT)
	wantP := 2 * (1 - (0.5 + x/(2*math.Sqrt(4+x*x))*(1+2/(4+x*x))))
	if r.Diff != -3 || math.Abs(r.T-wantT) > 1e-12 || math.Abs(r.DF-4) > 1e-12 || math.Abs(r.P-wantP) > 1e-9 {
		t.Fatalf("got %+v, want diff -3, t %.6f, df 4, p %.6f", r, wantT, wantP)
	}
	if math.Abs(wantP-0.02131) > 5e-5 {
		t.Fatalf("closed-form p %.5f, expected about 0.02131 (between the t table's 0.02 and 0.05 points for t=3.67, df=4)", wantP)
	}
}

// Hand-derived with unequal variances: A = 1..5 (mean 3, s² 2.5), B = 2,4,..,10 (mean 6, s² 10):
// se² = 0.5 + 2 = 2.5, t = -3/√2.5 = -1.8974, df = 2.5² / (0.5²/4 + 2²/4) = 6.25/1.0625 = 5.8824.
// The p-value lies between the two-sided t-table values at df 5 and 6 for this t, 0.116 and
// 0.107, and is checked here by integrating the t density with Simpson's rule.
func TestWelchTestUnequalVariances(t *testing.T) {
	r, ok := welchTest([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10})
	if !ok {
		t.Fatal("welchTest refused")
	}
	if math.Abs(r.T+3/math.Sqrt(2.5)) > 1e-12 || math.Abs(r.DF-6.25/1.0625) > 1e-12 {
		t.Fatalf("t %.6f df %.6f, want -1.897367 and 5.882353", r.T, r.DF)
	}
	// p = 2·∫_{|t|}^{∞} f(x) dx with f the t density; the tail beyond 200 is below 1e-10.
	nu := r.DF
	c := math.Exp(lgamma((nu+1)/2)-lgamma(nu/2)) / math.Sqrt(nu*math.Pi)
	f := func(x float64) float64 { return c * math.Pow(1+x*x/nu, -(nu+1)/2) }
	lo, hi, n := math.Abs(r.T), 200.0, 200000
	h := (hi - lo) / float64(n)
	sum := f(lo) + f(hi)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(lo+float64(i)*h)
	}
	wantP := 2 * sum * h / 3
	if math.Abs(r.P-wantP) > 1e-6 || r.P < 0.107 || r.P > 0.116 {
		t.Fatalf("p %.6f, want %.6f (between 0.107 and 0.116)", r.P, wantP)
	}
}

func lgamma(x float64) float64 { v, _ := math.Lgamma(x); return v }

func TestWelchTestDegenerate(t *testing.T) {
	if _, ok := welchTest([]float64{1}, []float64{1, 2}); ok {
		t.Fatal("one value should be refused")
	}
	same, _ := welchTest([]float64{0.5, 0.5}, []float64{0.5, 0.5})
	if same.P != 1 || same.T != 0 {
		t.Fatalf("identical constant samples: %+v, want t 0, p 1", same)
	}
	apart, _ := welchTest([]float64{0.5, 0.5}, []float64{0.2, 0.2})
	if apart.P != 0 || !math.IsInf(apart.T, 1) {
		t.Fatalf("different constant samples: %+v, want t +Inf, p 0", apart)
	}
}
