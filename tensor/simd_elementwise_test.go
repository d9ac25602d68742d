package tensor

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/viterin/vek/vek32"
)

// simdPath is one elementwise-loop choice: the Go loops alone, or the AVX2 assembly with Go tails.
type simdPath struct {
	name string
	simd bool
}

// simdPaths are the choices this CPU can run: Go, and AVX2 where present.
func simdPaths(t testing.TB) []simdPath {
	if !haveFMA {
		if t != nil {
			t.Log("no AVX2 on this CPU: only the Go loops run")
		}
		return []simdPath{{"go", false}}
	}
	return []simdPath{{"go", false}, {"avx2", true}}
}

// withSIMD runs f with the assembly elementwise loops on or off.
func withSIMD(simd bool, f func()) {
	saved := simdElementwise
	simdElementwise = simd
	defer func() { simdElementwise = saved }()
	f()
}

// edgeFloats are values that stress rounding and special cases: signed zeros, the smallest and
// largest denormals, huge values, infinities and NaNs with different payloads and signs.
var edgeFloats = []float32{
	0, float32(math.Copysign(0, -1)), math.Float32frombits(1), math.Float32frombits(0x807fffff),
	math.Float32frombits(0x00400000), 1e-38, -1e-30, 1e-20, 1e20, -3e38, math.MaxFloat32,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.Float32frombits(0x7fc12345),
	math.Float32frombits(0xffc00001), math.Float32frombits(0x7f800001), 80, -80, 80.00001, -88.5, 1, -1,
}

// fillMixed fills d with values of scale around 10^(-6..2), one in five an edge value when edges is set.
func fillMixed(rng *rand.Rand, d []float32, edges bool) {
	for i := range d {
		if edges && rng.IntN(5) == 0 {
			d[i] = edgeFloats[rng.IntN(len(edgeFloats))]
			continue
		}
		d[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-6)))
	}
}

// adamwReference is the element update as AdamW.Step wrote it before the assembly loops, with float32
// conversions that round each product before its sum, so that a build with GOAMD64=v3 (where Go may
// fuse x*y+z) tests the same arithmetic; with the default GOAMD64=v1 it compiles to the old loop.
func adamwReference(w, g, md, vd []float32, b1, b2, bc1, bc2, lr, decay, eps float32) {
	for i := range w {
		gi := g[i]
		md[i] = float32(b1*md[i]) + float32((1-b1)*gi)
		vd[i] = float32(b2*vd[i]) + float32((1-b2)*gi*gi)
		mhat := md[i] / bc1
		vhat := vd[i] / bc2
		w[i] = float32(w[i]*decay) - lr*mhat/(float32(math.Sqrt(float64(vhat)))+eps)
	}
}

func sameBitsAs(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] of %d = %v (%#08x), want %v (%#08x)", what, i, len(want),
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

var adamwSettings = []struct {
	lr, b1, b2, eps, wd float32
	step                int
}{
	{1e-3, 0.9, 0.999, 1e-8, 0.01, 1},
	{3e-4, 0.9, 0.95, 1e-6, 0, 7},
	{0.1, 0.5, 0.9, 1e-3, 0.1, 1000},
	{1e-5, 0, 0, 0, 0, 1}, // eps 0: zero moments divide 0/0
	{2, 0.99, 0.9999, 1e-12, 0.5, 3},
}

// TestAdamWUpdateBitIdentical compares every loop choice with the reference loop on random moments,
// weights and gradients (with edge values) of many lengths, for several hyperparameter settings.
func TestAdamWUpdateBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	lengths := []int{127, 128, 1000, 4097, 65536 + 13}
	for n := 0; n <= 100; n++ {
		lengths = append(lengths, n)
	}
	for _, st := range adamwSettings {
		tt := float64(st.step)
		bc1 := float32(1 - math.Pow(float64(st.b1), tt))
		bc2 := float32(1 - math.Pow(float64(st.b2), tt))
		decay := 1 - st.lr*st.wd
		k := adamwCoef{b1: st.b1, c1: 1 - st.b1, b2: st.b2, c2: 1 - st.b2, bc1: bc1, bc2: bc2, lr: st.lr, decay: decay, eps: st.eps}
		for _, n := range lengths {
			for _, edges := range []bool{false, true} {
				w, g, md, vd := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				fillMixed(rng, w, edges)
				fillMixed(rng, g, edges)
				fillMixed(rng, md, edges)
				fillMixed(rng, vd, false)
				for i := range vd {
					vd[i] *= vd[i] // second moments are squares (edges in vd come from g below)
				}
				rw, rm, rv := append([]float32(nil), w...), append([]float32(nil), md...), append([]float32(nil), vd...)
				adamwReference(rw, g, rm, rv, st.b1, st.b2, bc1, bc2, st.lr, decay, st.eps)
				for _, p := range simdPaths(t) {
					pw, pm, pv := append([]float32(nil), w...), append([]float32(nil), md...), append([]float32(nil), vd...)
					withSIMD(p.simd, func() { adamwUpdate(pw, g, pm, pv, &k) })
					sameBitsAs(t, p.name+" w", pw, rw)
					sameBitsAs(t, p.name+" m", pm, rm)
					sameBitsAs(t, p.name+" v", pv, rv)
				}
			}
		}
	}
}

// TestAdamWUpdateAssemblyRuns checks that the assembly loop covers whole vectors on their own (no Go
// tail), so the comparison above tests them and not only the tail.
func TestAdamWUpdateAssemblyRuns(t *testing.T) {
	if !haveFMA {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(2, 2))
	const n = 48
	b1, b2 := float32(0.9), float32(0.999)
	k := adamwCoef{b1: b1, c1: 1 - b1, b2: b2, c2: 1 - b2, bc1: 0.1, bc2: 0.001, lr: 0.01, decay: 0.999, eps: 1e-8}
	w, g := make([]float32, n), make([]float32, n)
	fillMixed(rng, w, true)
	fillMixed(rng, g, true)
	rw, rm, rv := append([]float32(nil), w...), make([]float32, n), make([]float32, n)
	adamwReference(rw, g, rm, rv, k.b1, k.b2, k.bc1, k.bc2, k.lr, k.decay, k.eps)
	pw, pm, pv := append([]float32(nil), w...), make([]float32, n), make([]float32, n)
	adamwUpdate8(pw, g, pm, pv, &k, n)
	sameBitsAs(t, "adamwUpdate8 w", pw, rw)
	sameBitsAs(t, "adamwUpdate8 m", pm, rm)
	sameBitsAs(t, "adamwUpdate8 v", pv, rv)
}

// TestAdamWStepSIMDMatchesGo runs AdamW.Step (the public API) for several steps with each loop choice
// on 1-D (no decay) and 2-D params of odd sizes and compares weights and moments bit for bit.
func TestAdamWStepSIMDMatchesGo(t *testing.T) {
	mk := func() []*Param {
		rng := rand.New(rand.NewPCG(8, 1))
		ps := []*Param{NewParam("emb", 37, 29), NewParam("bias", 101), NewParam("big", 3, 4099)}
		for _, p := range ps {
			fillMixed(rng, p.Value.Data, false)
		}
		return ps
	}
	run := func(simd bool) ([]*Param, *AdamW) {
		ps, opt := mk(), NewAdamW(0.9, 0.95, 1e-8, 0.1)
		rng := rand.New(rand.NewPCG(4, 4))
		withSIMD(simd, func() {
			for step := 0; step < 5; step++ {
				for _, p := range ps {
					fillMixed(rng, p.Grad.Data, step == 4) // edge values (NaN, Inf) in the last step's gradients
				}
				opt.Step(ps, 3e-3)
			}
		})
		return ps, opt
	}
	refP, refO := run(false)
	for _, p := range simdPaths(t)[1:] {
		ps, opt := run(p.simd)
		for i, q := range ps {
			sameBitsAs(t, p.name+" "+q.Name, q.Value.Data, refP[i].Value.Data)
		}
		ref := refO.State()
		for key, m := range opt.State() {
			sameBitsAs(t, p.name+" "+key, m.Data, ref[key].Data)
		}
	}
}

// sigmoidReference is sigmoidInto exactly as it was written before the assembly loops.
func sigmoidReference(s, x []float32) {
	for i, v := range x {
		s[i] = -min(max(v, -80), 80)
	}
	vek32.Exp_Inplace(s)
	for i, e := range s {
		s[i] = 1 / (1 + e)
	}
}

// TestSigmoidBitIdentical compares sigmoidInto on each path with the reference on random inputs
// (with edge values: +-0, denormals, +-80 and beyond, infinities, NaNs with payloads) of many lengths.
func TestSigmoidBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	lengths := []int{127, 128, 1000, 4097, 65536 + 5}
	for n := 0; n <= 100; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, edges := range []bool{false, true} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * 30)
			}
			if edges {
				for i := range x {
					if rng.IntN(4) == 0 {
						x[i] = edgeFloats[rng.IntN(len(edgeFloats))]
					}
				}
			}
			want := make([]float32, n)
			sigmoidReference(want, x)
			for _, p := range simdPaths(t) {
				got := make([]float32, n)
				withSIMD(p.simd, func() { sigmoidInto(got, x) })
				sameBitsAs(t, p.name+" sigmoid", got, want)
			}
		}
	}
	if haveFMA { // the assembly alone over whole vectors, no Go tail
		x := append([]float32(nil), edgeFloats[:16]...)
		want, got := make([]float32, 16), make([]float32, 16)
		for i := range want {
			want[i] = -min(max(x[i], -80), 80)
		}
		sigmoidNegClamp8(got, x, 16)
		sameBitsAs(t, "sigmoidNegClamp8", got, want)
		for i := range want {
			got[i] = want[i]
			want[i] = 1 / (1 + want[i])
		}
		sigmoidRecip8(got, 16)
		sameBitsAs(t, "sigmoidRecip8", got, want)
	}
}

// TestSwiGLUSIMDMatchesGo runs SiLUInto and a SwiGLU forward and backward pass (the public API) with
// each loop choice and compares outputs and gradients bit for bit.
func TestSwiGLUSIMDMatchesGo(t *testing.T) {
	const rows, d = 7, 301
	run := func(simd bool) (silu, y, dgate, dup []float32) {
		rng := rand.New(rand.NewPCG(3, 5))
		gate, up := NewParam("gate", rows, d), NewParam("up", rows, d)
		fillMixed(rng, gate.Value.Data, false)
		for i := range gate.Value.Data {
			gate.Value.Data[i] *= 1e5 // most in [-20, 20], some clamped
		}
		fillMixed(rng, up.Value.Data, false)
		withSIMD(simd, func() {
			silu = make([]float32, rows*d)
			SiLUInto(silu, gate.Value.Data)
			tp := NewTape()
			out := tp.SwiGLU(tp.Param(gate), tp.Param(up))
			y = append([]float32(nil), out.Value.Data...)
			fillMixed(rng, tp.GradOf(out).Data, false)
			tp.Backward()
		})
		return silu, y, gate.Grad.Data, up.Grad.Data
	}
	s0, y0, dg0, du0 := run(false)
	for _, p := range simdPaths(t)[1:] {
		s, y, dg, du := run(p.simd)
		sameBitsAs(t, p.name+" SiLUInto", s, s0)
		sameBitsAs(t, p.name+" SwiGLU", y, y0)
		sameBitsAs(t, p.name+" dgate", dg, dg0)
		sameBitsAs(t, p.name+" dup", du, du0)
	}
}

// TestSimdForcedRejectsUnknownChoice checks that GRITDEV_SIMD accepts auto and go and names itself
// and the valid choices for anything else.
func TestSimdForcedRejectsUnknownChoice(t *testing.T) {
	for _, v := range []string{"", "auto", "go"} {
		t.Setenv("GRITDEV_SIMD", v)
		if got := simdForced(); got != v {
			t.Fatalf("GRITDEV_SIMD=%q read as %q", v, got)
		}
	}
	t.Setenv("GRITDEV_SIMD", "avx9")
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "GRITDEV_SIMD=avx9") || !strings.Contains(msg, "use auto or go") {
			t.Fatalf("panic %q does not name GRITDEV_SIMD=avx9 and the valid choices", msg)
		}
	}()
	simdForced()
	t.Fatal("GRITDEV_SIMD=avx9 was accepted")
}
