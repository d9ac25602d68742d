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
