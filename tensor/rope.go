package tensor

import "math"

// RoPE is rotary position embedding (Su et al. 2021) in the "rotate half" layout used by GPT-NeoX and
// Hugging Face Llama checkpoints: component i pairs with component i + headDim/2, and position p
// rotates the pair by angle p * theta^(-2i/headDim):
//
//	x'[i]      = x[i] cos - x[i+h] sin
//	x'[i+h]    = x[i+h] cos + x[i] sin,   h = headDim/2.
//
// cos/sin are computed in float64 and stored as float32 for positions below maxPos; later positions
// are computed the same way on the fly, so any position works. With an odd headDim the last component
// is left unrotated.
type RoPE struct {
	headDim, maxPos int
	theta           float64
	invFreq         []float64 // [headDim/2] frequencies from NewRoPEFreqs; nil means theta^(-2i/headDim)
	cos, sin        []float32 // [maxPos, headDim/2]
}

// NewRoPE precomputes the rotation tables for positions [0, maxPos).
func NewRoPE(headDim, maxPos int, theta float64) *RoPE {
	headDim, maxPos = max(headDim, 0), max(maxPos, 0)
	half := headDim / 2
	r := &RoPE{headDim: headDim, maxPos: maxPos, theta: theta,
		cos: make([]float32, maxPos*half), sin: make([]float32, maxPos*half)}
	for p := 0; p < maxPos; p++ {
		r.angles(r.cos[p*half:(p+1)*half], r.sin[p*half:(p+1)*half], p)
	}
	return r
}

// NewRoPEFreqs is NewRoPE with explicit inverse frequencies (one per rotated pair, headDim =
// 2*len(invFreq)): pair i at position p rotates by p*invFreq[i]. Frequency-scaled RoPE variants
// (Llama 3's) compute their frequencies and build the tables with it.
func NewRoPEFreqs(invFreq []float64, maxPos int) *RoPE {
	maxPos = max(maxPos, 0)
	half := len(invFreq)
	r := &RoPE{headDim: 2 * half, maxPos: maxPos, invFreq: append([]float64(nil), invFreq...),
		cos: make([]float32, maxPos*half), sin: make([]float32, maxPos*half)}
	for p := 0; p < maxPos; p++ {
		r.angles(r.cos[p*half:(p+1)*half], r.sin[p*half:(p+1)*half], p)
	}
	return r
}

// HeadDim is the head size the tables were built for.
func (r *RoPE) HeadDim() int { return r.headDim }

func (r *RoPE) angles(cos, sin []float32, pos int) {
	for i := range cos {
		var freq float64
		if r.invFreq != nil {
			freq = r.invFreq[i]
		} else {
			freq = math.Pow(r.theta, -2*float64(i)/float64(r.headDim))
		}
		s, c := math.Sincos(float64(pos) * freq)
		cos[i], sin[i] = float32(c), float32(s)
	}
}

func (r *RoPE) table(pos int, cosBuf, sinBuf []float32) ([]float32, []float32) {
	half := r.headDim / 2
	if pos >= 0 && pos < r.maxPos {
		return r.cos[pos*half : (pos+1)*half], r.sin[pos*half : (pos+1)*half]
	}
	r.angles(cosBuf[:half], sinBuf[:half], pos)
	return cosBuf[:half], sinBuf[:half]
}

// Apply rotates the first headDim components of vec in place for position pos. The training op
// (CausalSelfAttention) calls exactly this, so a KV-cache sampler that uses it matches training.
func (r *RoPE) Apply(vec []float32, pos int) { r.rotate(vec, pos, 1) }

// unapply applies the inverse (transposed) rotation: the backward pass of Apply.
func (r *RoPE) unapply(vec []float32, pos int) { r.rotate(vec, pos, -1) }

func (r *RoPE) rotate(vec []float32, pos int, sign float32) {
	half := r.headDim / 2
	if len(vec) < 2*half {
		return
	}
	var cb, sb [64]float32
	cosBuf, sinBuf := cb[:], sb[:]
	if half > len(cb) {
		cosBuf, sinBuf = make([]float32, half), make([]float32, half)
	}
	cos, sin := r.table(pos, cosBuf, sinBuf)
	for i := 0; i < half; i++ {
		x1, x2 := vec[i], vec[i+half]
		s := sign * sin[i]
		vec[i] = x1*cos[i] - x2*s
		vec[i+half] = x2*cos[i] + x1*s
	}
}
