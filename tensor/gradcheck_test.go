package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gradCase checks one op: its forward against a float64 reference and its backward against central
// finite differences of that reference, for the loss L = sum_o sum_j seed_oj * out_oj.
type gradCase struct {
	name   string
	inputs []*Tensor                        // differentiable inputs
	build  func(tp *Tape, in []*Var) []*Var // the fast op(s) under test
	ref    func(in [][]float64) [][]float64 // float64 reference forward, same outputs
}

func randTensor(rng *rand.Rand, scale float64, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data {
		t.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return t
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func runGradCase(t *testing.T, c gradCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
	tp := NewTape()
	params := make([]*Param, len(c.inputs))
	vars := make([]*Var, len(c.inputs))
	for i, in := range c.inputs {
		params[i] = &Param{Name: fmt.Sprint("in", i), Value: in, Grad: New(in.Shape...)}
		vars[i] = tp.Param(params[i])
	}
	outs := c.build(tp, vars)
	seeds := make([][]float64, len(outs))
	for o, out := range outs {
		g := tp.GradOf(out)
		seeds[o] = make([]float64, len(g.Data))
		for j := range g.Data {
			g.Data[j] = float32(rng.NormFloat64())
			seeds[o][j] = float64(g.Data[j])
		}
	}
	tp.Backward()

	x64 := make([][]float64, len(c.inputs))
	for i, in := range c.inputs {
		x64[i] = to64(in.Data)
	}
	want := c.ref(x64)
	for o, out := range outs {
		if len(want[o]) != len(out.Value.Data) {
			t.Fatalf("%s: output %d has %d values, reference %d", c.name, o, len(out.Value.Data), len(want[o]))
		}
		for j, w := range want[o] {
			if got := float64(out.Value.Data[j]); math.Abs(got-w) > 1e-4+1e-4*math.Abs(w) {
				t.Fatalf("%s: output %d[%d] = %v, reference %v", c.name, o, j, got, w)
			}
		}
	}
	loss := func() float64 {
		var s float64
		for o, y := range c.ref(x64) {
			for j, v := range y {
				s += seeds[o][j] * v
			}
		}
		return s
	}
	const h = 1e-6
	for i := range c.inputs {
		for j := range x64[i] {
			orig := x64[i][j]
			x64[i][j] = orig + h
			lp := loss()
			x64[i][j] = orig - h
			lm := loss()
			x64[i][j] = orig
			num := (lp - lm) / (2 * h)
			got := float64(params[i].Grad.Data[j])
			if math.Abs(got-num) > 1e-3+2e-3*math.Abs(num) {
				t.Fatalf("%s: d/d input%d[%d] = %v, finite difference %v", c.name, i, j, got, num)
			}
		}
	}
}

// --- float64 reference forwards, written independently of the fast kernels ---

func refLinear(x, w, b []float64, n, in, out int) []float64 {
	y := make([]float64, n*out)
	for r := 0; r < n; r++ {
		for o := 0; o < out; o++ {
			s := 0.0
			if b != nil {
				s = b[o]
			}
			for i := 0; i < in; i++ {
				s += x[r*in+i] * w[o*in+i]
			}
			y[r*out+o] = s
		}
	}
	return y
}

func refNorm(x, g, b []float64, rows, d int, eps float64, centre bool) []float64 {
	y := make([]float64, len(x))
	for r := 0; r < rows; r++ {
		row := x[r*d : (r+1)*d]
		mean := 0.0
		if centre {
			for _, v := range row {
				mean += v
			}
			mean /= float64(d)
		}
		ss := 0.0
		for _, v := range row {
			ss += (v - mean) * (v - mean)
		}
		rstd := 1 / math.Sqrt(ss/float64(d)+eps)
		for i, v := range row {
			y[r*d+i] = (v - mean) * rstd * g[i]
			if b != nil {
				y[r*d+i] += b[i]
			}
		}
	}
	return y
}

func refGELU(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
}

func refSiLU(x float64) float64 { return x / (1 + math.Exp(-x)) }

func refLogSoftmax(row []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(v - m)
	}
	out := make([]float64, len(row))
	for j, v := range row {
		out[j] = v - m - math.Log(s)
	}
	return out
}

// refRoPE rotates in float64 with rotate-half pairing, computing angles directly.
func refRoPE(vec []float64, pos int, theta float64) {
	d := len(vec)
	half := d / 2
	for i := 0; i < half; i++ {
		a := float64(pos) * math.Pow(theta, -2*float64(i)/float64(d))
		x1, x2 := vec[i], vec[i+half]
		vec[i] = x1*math.Cos(a) - x2*math.Sin(a)
		vec[i+half] = x2*math.Cos(a) + x1*math.Sin(a)
	}
}

func refAttention(qkv []float64, batch, seq, nh, nkv, hd int, theta float64) []float64 {
	width := (nh + 2*nkv) * hd
	out := make([]float64, batch*seq*nh*hd)
	head := func(b, t, col int, rot bool) []float64 {
		v := append([]float64(nil), qkv[(b*seq+t)*width+col:(b*seq+t)*width+col+hd]...)
		if rot && theta > 0 {
			refRoPE(v, t, theta)
		}
		return v
	}
	for b := 0; b < batch; b++ {
		for h := 0; h < nh; h++ {
			g := h / (nh / nkv)
			for i := 0; i < seq; i++ {
				q := head(b, i, h*hd, true)
				scores := make([]float64, i+1)
				for j := 0; j <= i; j++ {
					k := head(b, j, (nh+g)*hd, true)
					for d := 0; d < hd; d++ {
						scores[j] += q[d] * k[d]
					}
					scores[j] /= math.Sqrt(float64(hd))
				}
				lp := refLogSoftmax(scores)
				for j := 0; j <= i; j++ {
					v := head(b, j, (nh+nkv+g)*hd, false)
					for d := 0; d < hd; d++ {
						out[(b*seq+i)*nh*hd+h*hd+d] += math.Exp(lp[j]) * v[d]
					}
				}
			}
		}
	}
	return out
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var cases []gradCase
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 2}, {7, 4, 9}, {9, 17, 33}} { // n, in, out
		n, in, out := s[0], s[1], s[2]
		cases = append(cases, gradCase{
			name:   fmt.Sprintf("Linear %dx%d->%d", n, in, out),
			inputs: []*Tensor{randTensor(rng, 1, n, in), randTensor(rng, 1, out, in), randTensor(rng, 1, out)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.Linear(v[0], v[1], v[2])} },
			ref:    func(x [][]float64) [][]float64 { return [][]float64{refLinear(x[0], x[1], x[2], n, in, out)} },
		}, gradCase{
			name:   fmt.Sprintf("Linear no bias %dx%d->%d", n, in, out),
			inputs: []*Tensor{randTensor(rng, 1, n, in), randTensor(rng, 1, out, in)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.Linear(v[0], v[1], nil)} },
			ref:    func(x [][]float64) [][]float64 { return [][]float64{refLinear(x[0], x[1], nil, n, in, out)} },
		})
	}
	for _, s := range [][4]int{{1, 1, 1, 1}, {2, 3, 4, 5}} { // B, M, K, N
		nb, m, k, n := s[0], s[1], s[2], s[3]
		cases = append(cases, gradCase{
			name:   fmt.Sprintf("BatchedMatMul %v", s),
			inputs: []*Tensor{randTensor(rng, 1, nb, m, k), randTensor(rng, 1, nb, k, n)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.BatchedMatMul(v[0], v[1])} },
			ref: func(x [][]float64) [][]float64 {
				y := make([]float64, nb*m*n)
				for b := 0; b < nb; b++ {
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							for p := 0; p < k; p++ {
								y[(b*m+i)*n+j] += x[0][(b*m+i)*k+p] * x[1][(b*k+p)*n+j]
							}
						}
					}
				}
				return [][]float64{y}
			},
		})
	}
	ids := []int{2, 0, 2, 4, 1}
	cases = append(cases, gradCase{
		name:   "Embedding with repeated ids",
		inputs: []*Tensor{randTensor(rng, 1, 5, 3)},
		build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.Embedding(v[0], ids)} },
		ref: func(x [][]float64) [][]float64 {
			var y []float64
			for _, id := range ids {
				y = append(y, x[0][id*3:(id+1)*3]...)
			}
			return [][]float64{y}
		},
	}, gradCase{
		name:   "Add",
		inputs: []*Tensor{randTensor(rng, 1, 3, 4), randTensor(rng, 1, 3, 4)},
		build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.Add(v[0], v[1])} },
		ref: func(x [][]float64) [][]float64 {
			y := make([]float64, len(x[0]))
			for i := range y {
				y[i] = x[0][i] + x[1][i]
			}
			return [][]float64{y}
		},
	})
	for _, s := range [][2]int{{1, 1}, {1, 6}, {4, 7}, {70, 3}} { // rows, d (70: two row chunks in backward)
		rows, d := s[0], s[1]
		cases = append(cases, gradCase{
			name:   fmt.Sprintf("LayerNorm %dx%d", rows, d),
			inputs: []*Tensor{randTensor(rng, 2, rows, d), randTensor(rng, 1, d), randTensor(rng, 1, d)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.LayerNorm(v[0], v[1], v[2], 1e-5)} },
			ref: func(x [][]float64) [][]float64 {
				return [][]float64{refNorm(x[0], x[1], x[2], rows, d, 1e-5, true)}
			},
		}, gradCase{
			name:   fmt.Sprintf("RMSNorm %dx%d", rows, d),
			inputs: []*Tensor{randTensor(rng, 2, rows, d), randTensor(rng, 1, d)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.RMSNorm(v[0], v[1], 1e-5)} },
			ref: func(x [][]float64) [][]float64 {
				return [][]float64{refNorm(x[0], x[1], nil, rows, d, 1e-5, false)}
			},
		})
	}
	elementwiseRef := func(f func(float64) float64) func(x [][]float64) [][]float64 {
		return func(x [][]float64) [][]float64 {
			y := make([]float64, len(x[0]))
			for i, v := range x[0] {
				y[i] = f(v)
			}
			return [][]float64{y}
		}
	}
	cases = append(cases, gradCase{
		name:   "GELU",
		inputs: []*Tensor{randTensor(rng, 2, 3, 7)},
		build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.GELU(v[0])} },
		ref:    elementwiseRef(refGELU),
	}, gradCase{
		name:   "SiLU",
		inputs: []*Tensor{randTensor(rng, 2, 3, 7)},
		build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.SiLU(v[0])} },
		ref:    elementwiseRef(refSiLU),
	}, gradCase{
		name:   "SwiGLU",
		inputs: []*Tensor{randTensor(rng, 2, 3, 5), randTensor(rng, 1, 3, 5)},
		build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.SwiGLU(v[0], v[1])} },
		ref: func(x [][]float64) [][]float64 {
			y := make([]float64, len(x[0]))
			for i := range y {
				y[i] = refSiLU(x[0][i]) * x[1][i]
			}
			return [][]float64{y}
		},
	})
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 2}, {9, 17, 33}} { // rows, in, out
		n, in, out := s[0], s[1], s[2]
		cases = append(cases, gradCase{
			name:   fmt.Sprintf("AddLinear %dx%d->%d", n, in, out),
			inputs: []*Tensor{randTensor(rng, 1, n, out), randTensor(rng, 1, n, in), randTensor(rng, 1, out, in), randTensor(rng, 1, out)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.AddLinear(v[0], v[1], v[2], v[3])} },
			ref: func(x [][]float64) [][]float64 {
				y := refLinear(x[1], x[2], x[3], n, in, out)
				for i := range y {
					y[i] += x[0][i]
				}
				return [][]float64{y}
			},
		}, gradCase{
			name:   fmt.Sprintf("AddSwiGLULinear %dx%d->%d", n, in, out),
			inputs: []*Tensor{randTensor(rng, 1, n, out), randTensor(rng, 2, n, in), randTensor(rng, 1, n, in), randTensor(rng, 1, out, in), randTensor(rng, 1, out)},
			build:  func(tp *Tape, v []*Var) []*Var { return []*Var{tp.AddSwiGLULinear(v[0], v[1], v[2], v[3], v[4])} },
			ref: func(x [][]float64) [][]float64 {
				s := make([]float64, n*in)
				for i := range s {
					s[i] = refSiLU(x[1][i]) * x[2][i]
				}
				y := refLinear(s, x[3], x[4], n, in, out)
				for i := range y {
					y[i] += x[0][i]
				}
				return [][]float64{y}
			},
		})
	}
	type attnCase struct {
		batch, seq, nh, nkv, hd int
		theta                   float64 // 0 = no RoPE
	}
	for _, a := range []attnCase{
		{1, 1, 1, 1, 2, 0}, {2, 3, 2, 2, 4, 0}, {1, 5, 4, 2, 4, 10000}, {2, 4, 4, 1, 6, 100}, {1, 1, 2, 1, 4, 10000},
		{1, 20, 2, 1, 16, 10000}, // head size and length that use the 16-wide micro-kernels
		{1, 20, 2, 1, 16, 0},     // the same without RoPE: heads read and gradients written in place
	} {
		width := (a.nh + 2*a.nkv) * a.hd
		var rope *RoPE
		if a.theta > 0 {
			rope = NewRoPE(a.hd, 3, a.theta) // shorter than seq: positions past the table are computed on the fly
		}
		cases = append(cases, gradCase{
			name:   fmt.Sprintf("CausalSelfAttention %+v", a),
			inputs: []*Tensor{randTensor(rng, 1, a.batch*a.seq, width)},
			build: func(tp *Tape, v []*Var) []*Var {
				return []*Var{tp.CausalSelfAttention(v[0], a.batch, a.seq, a.nh, a.nkv, a.hd, rope)}
			},
			ref: func(x [][]float64) [][]float64 {
				return [][]float64{refAttention(x[0], a.batch, a.seq, a.nh, a.nkv, a.hd, a.theta)}
			},
		})
	}
	for _, s := range [][2]int{{1, 1}, {1, 5}, {4, 6}} {
		n, v := s[0], s[1]
		targets := make([]int, n)
		for i := range targets {
			targets[i] = (i * 5) % v
		}
		if n > 2 {
			targets[1] = -1 // ignored row
		}
		cases = append(cases, gradCase{
			name:   fmt.Sprintf("LogSoftmaxGather %dx%d", n, v),
			inputs: []*Tensor{randTensor(rng, 2, n, v)},
			build: func(tp *Tape, in []*Var) []*Var {
				lp, ent := tp.LogSoftmaxGather(in[0], targets)
				return []*Var{lp, ent}
			},
			ref: func(x [][]float64) [][]float64 {
				lp, ent := make([]float64, n), make([]float64, n)
				for i, tg := range targets {
					if tg < 0 {
						continue
					}
					row := refLogSoftmax(x[0][i*v : (i+1)*v])
					lp[i] = row[tg]
					for _, l := range row {
						ent[i] -= math.Exp(l) * l
					}
				}
				return [][]float64{lp, ent}
			},
		}, gradCase{
			name:   fmt.Sprintf("CrossEntropy %dx%d", n, v),
			inputs: []*Tensor{randTensor(rng, 2, n, v)},
			build:  func(tp *Tape, in []*Var) []*Var { return []*Var{tp.CrossEntropy(in[0], targets)} },
			ref: func(x [][]float64) [][]float64 {
				s, c := 0.0, 0
				for i, tg := range targets {
					if tg >= 0 {
						s -= refLogSoftmax(x[0][i*v : (i+1)*v])[tg]
						c++
					}
				}
				return [][]float64{{s / float64(c)}}
			},
		})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runGradCase(t, c) })
	}
}
