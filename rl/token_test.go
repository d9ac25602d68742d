package rl

import (
	"math"
	"testing"
)

// fd is the central finite difference of f at x in float64.
func fd(f func(float64) float64, x, h float64) float64 {
	return (f(x+h) - f(x-h)) / (2 * h)
}

// oneSided returns the left and right finite differences of f at x.
func oneSided(f func(float64) float64, x, h float64) (left, right float64) {
	return (f(x) - f(x-h)) / h, (f(x+h) - f(x)) / h
}

func TestClipTokenHandTable(t *testing.T) {
	ln := math.Log
	cases := []struct {
		name           string
		logp, old, adv float64
		epsL, epsH, c  float64
		wantL, wantD   float64
		wantState      ClipState
	}{
		{"on-policy A>0", 0, 0, 2, 0.2, 0.2, 0, -2, -2, Unclipped},
		{"inside A>0", ln(1.1), 0, 1, 0.2, 0.2, 0, -1.1, -1.1, Unclipped},
		{"above 1+eps A>0", ln(1.5), 0, 1, 0.2, 0.28, 0, -1.28, 0, ClippedHigh},
		{"below 1-eps A>0 not clipped", ln(0.5), 0, 1, 0.2, 0.2, 0, -0.5, -0.5, Unclipped},
		{"below 1-eps A<0", ln(0.5), 0, -1, 0.2, 0.2, 0, 0.8, 0, ClippedLow},
		{"above 1+eps A<0 not clipped", ln(2), 0, -1, 0.2, 0.2, 0, 2, 2, Unclipped},
		{"dual clip caps A<0", ln(4), 0, -1, 0.2, 0.2, 3, 3, 0, DualClipped},
		{"dual clip inactive below c", ln(2), 0, -1, 0.2, 0.2, 3, 2, 2, Unclipped},
		{"A=0", 1, 0, 0, 0.2, 0.2, 3, 0, 0, Unclipped},
	}
	for _, c := range cases {
		l, d, st := ClipToken(c.logp, c.old, c.adv, c.epsL, c.epsH, c.c)
		if !near(l, c.wantL, 1e-12) || !near(d, c.wantD, 1e-12) || st != c.wantState {
			t.Errorf("%s: got l=%g d=%g state %d, want l=%g d=%g state %d", c.name, l, d, st, c.wantL, c.wantD, c.wantState)
		}
	}
}

func TestClipTokenFiniteDifferences(t *testing.T) {
	for _, adv := range []float64{1.3, -0.7} {
		for _, dual := range []float64{0, 3} {
			f := func(x float64) float64 { l, _, _ := ClipToken(x, -1.2, adv, 0.2, 0.28, dual); return l }
			for _, rho := range []float64{0.3, 0.79, 0.81, 1, 1.2, 1.27, 1.29, 2, 2.9, 3.1, 5} {
				x := -1.2 + math.Log(rho)
				_, d, _ := ClipToken(x, -1.2, adv, 0.2, 0.28, dual)
				if want := fd(f, x, 1e-7); !near(d, want, 1e-6) {
					t.Errorf("A=%g c=%g rho=%g: dl=%g, finite difference %g", adv, dual, rho, d, want)
				}
			}
			// At each kink the gradient is a one-sided derivative: the one from inside the trust region.
			for _, rho := range []float64{0.8, 1.28, 3} {
				x := -1.2 + math.Log(rho)
				left, right := oneSided(f, x, 1e-7)
				_, dIn, _ := ClipToken(x-1e-6, -1.2, adv, 0.2, 0.28, dual)
				_, dOut, _ := ClipToken(x+1e-6, -1.2, adv, 0.2, 0.28, dual)
				if !near(dIn, left, 1e-5) || !near(dOut, right, 1e-5) {
					t.Errorf("A=%g c=%g kink rho=%g: gradients %g|%g, one-sided differences %g|%g", adv, dual, rho, dIn, dOut, left, right)
				}
				_, d, _ := ClipToken(x, -1.2, adv, 0.2, 0.28, dual)
				if !near(d, left, 1e-5) && !near(d, right, 1e-5) {
					t.Errorf("A=%g c=%g at kink rho=%g: gradient %g is neither one-sided derivative (%g, %g)", adv, dual, rho, d, left, right)
				}
			}
		}
	}
}

func TestK3AndReinforceFiniteDifferences(t *testing.T) {
	for _, ref := range []float64{-3, -0.5, 0} {
		for _, x := range []float64{-4, -1, -0.5, -0.01} {
			k, d := K3Token(x, ref)
			f := func(x float64) float64 { k, _ := K3Token(x, ref); return k }
			if want := fd(f, x, 1e-6); !near(d, want, 1e-6) {
				t.Errorf("k3 ref=%g logp=%g: dk=%g, finite difference %g", ref, x, d, want)
			}
			if k < 0 {
				t.Errorf("k3 must be >= 0, got %g", k)
			}
		}
	}
	if k, d := K3Token(-2, -2); k != 0 || d != 0 {
		t.Errorf("k3 at logp = logp_ref: %g, %g, want 0, 0", k, d)
	}
	// hand value: logp_ref - logp = 1 gives e - 2 and 1 - e
	if k, d := K3Token(-2, -1); !near(k, math.E-2, 1e-15) || !near(d, 1-math.E, 1e-15) {
		t.Errorf("k3(1) = %g, %g", k, d)
	}
	f := func(x float64) float64 { l, _ := ReinforceToken(x, -0.6); return l }
	if _, d := ReinforceToken(-1.5, -0.6); !near(d, fd(f, -1.5, 1e-6), 1e-8) || d != 0.6 {
		t.Errorf("reinforce gradient %g, want 0.6", d)
	}
}

func TestNFTTokens(t *testing.T) {
	// hand values at R = 1: positive -log 1 = 0 with gradient -1; negative v = 1 so loss 0 and
	// gradient rhat/(1-rhat).
	if l, d := NFTPositiveToken(-2, -2); l != 0 || d != -1 {
		t.Errorf("positive at R=1: %g, %g", l, d)
	}
	if l, d := NFTNegativeToken(-2, -2, 0.25, 1e-3); l != 0 || !near(d, 1.0/3, 1e-15) {
		t.Errorf("negative at R=1: %g, %g, want 0, 1/3", l, d)
	}
	// R = 0.5, rhat 0.5: v = (1 - 0.25)/0.5 = 1.5, l = -log 1.5, d = 0.25/(0.5*1.5) = 1/3
	if l, d := NFTNegativeToken(math.Log(0.5), 0, 0.5, 1e-3); !near(l, -math.Log(1.5), 1e-15) || !near(d, 1.0/3, 1e-15) {
		t.Errorf("negative at R=0.5: %g, %g", l, d)
	}
	for _, x := range []float64{-3, -0.2, 0.4, 9.5} {
		f := func(x float64) float64 { l, _ := NFTPositiveToken(x, 0); return l }
		if _, d := NFTPositiveToken(x, 0); !near(d, fd(f, x, 1e-6), 1e-7) {
			t.Errorf("positive d at %g: %g vs %g", x, d, fd(f, x, 1e-6))
		}
	}
	if _, d := NFTPositiveToken(11, 0); d != 0 {
		t.Errorf("positive gradient above the ratio cap: %g, want 0", d)
	}
}

// TestNFTNegativeNearPole checks the negative loss near R = 1/rhat, where v = (1 - rhat R)/(1 - rhat)
// reaches 0, for clamp floors on both sides of v. Where v > eps the loss is -log v and the gradient is
// its derivative; where v < eps the value is constant and the gradient must be the kept one,
// -(dv/dlogp) / eps, with dv/dlogp itself taken by finite differences of v.
func TestNFTNegativeNearPole(t *testing.T) {
	v := func(x, rhat float64) float64 { return (1 - rhat*math.Exp(x)) / (1 - rhat) }
	for _, rhat := range []float64{0.02, 0.3, 0.9} {
		pole := math.Log(1 / rhat)
		for _, eps := range []float64{1e-6, 1e-3, 1} {
			for _, off := range []float64{-0.5, -1e-2, -1e-4, 1e-4, 1e-2} {
				x := pole + off
				l, d := NFTNegativeToken(x, 0, rhat, eps)
				vx := v(x, rhat)
				dv := fd(func(x float64) float64 { return v(x, rhat) }, x, 1e-9)
				if vx > eps {
					f := func(x float64) float64 { l, _ := NFTNegativeToken(x, 0, rhat, eps); return l }
					h := math.Min(1e-7, (vx-eps)/(10*math.Abs(dv)))
					if want := fd(f, x, h); !near(d, want, 1e-4) {
						t.Errorf("rhat %g eps %g offset %g (v=%g): d=%g, finite difference %g", rhat, eps, off, vx, d, want)
					}
					continue
				}
				if !near(l, -math.Log(eps), 1e-12) {
					t.Errorf("rhat %g eps %g offset %g: clamped loss %g, want -log eps %g", rhat, eps, off, l, -math.Log(eps))
				}
				if want := -dv / eps; !near(d, want, 1e-5) {
					t.Errorf("rhat %g eps %g offset %g: kept gradient %g, want -v'/eps = %g", rhat, eps, off, d, want)
				}
			}
		}
	}
}

func TestNFTPromptWeight(t *testing.T) {
	if w, _ := NFTPromptWeight(0.2, PromptWeightOneMinusR); !near(w, 0.8, 1e-15) {
		t.Errorf("1-r: %g", w)
	}
	if w, _ := NFTPromptWeight(0.2, "sqrt"); !near(w, 2, 1e-15) {
		t.Errorf("sqrt((1-0.2)/0.2) = 2, got %g", w)
	}
	if _, err := NFTPromptWeight(0.2, "cube"); err == nil {
		t.Error("unknown prompt weight: want an error")
	}
}
