package tensor

// Temporary stubs: every exported name of the tensor API with its final signature, so dependent
// packages compile while the implementations land. Each stub is removed as it is implemented.

const notYet = "tensor: not implemented yet"

// MatMul sets dst[m,n] = a[m,k] @ b[k,n] (row-major).
func MatMul(dst, a, b []float32, m, k, n int) { panic(notYet) }

// MatMulTransB sets dst[m,n] = a[m,k] @ b[n,k]^T (row-major).
func MatMulTransB(dst, a, b []float32, m, k, n int) { panic(notYet) }

// MatMulTransAAcc adds a[m,k]^T @ b[m,n] into dst[k,n].
func MatMulTransAAcc(dst, a, b []float32, m, k, n int) { panic(notYet) }

// Parallel runs fn over a fixed partition of [0,n).
func Parallel(n int, fn func(lo, hi int)) { panic(notYet) }

// Var is a value on the tape, with its gradient once needed.
type Var struct {
	Value *Tensor
	Grad  *Tensor
	param *Param
}

// Tape records fused ops for reverse-mode differentiation.
type Tape struct {
	backs []func()
}

func NewTape() *Tape                                             { panic(notYet) }
func (tp *Tape) Param(p *Param) *Var                             { panic(notYet) }
func (tp *Tape) Constant(t *Tensor) *Var                         { panic(notYet) }
func (tp *Tape) GradOf(v *Var) *Tensor                           { panic(notYet) }
func (tp *Tape) Backward()                                       { panic(notYet) }
func (tp *Tape) Linear(x, w, b *Var) *Var                        { panic(notYet) }
func (tp *Tape) BatchedMatMul(a, b *Var) *Var                    { panic(notYet) }
func (tp *Tape) Embedding(table *Var, ids []int) *Var            { panic(notYet) }
func (tp *Tape) Add(a, b *Var) *Var                              { panic(notYet) }
func (tp *Tape) LayerNorm(x, gamma, beta *Var, eps float32) *Var { panic(notYet) }
func (tp *Tape) RMSNorm(x, gamma *Var, eps float32) *Var         { panic(notYet) }
func (tp *Tape) GELU(x *Var) *Var                                { panic(notYet) }
func (tp *Tape) SiLU(x *Var) *Var                                { panic(notYet) }
func (tp *Tape) SwiGLU(gate, up *Var) *Var                       { panic(notYet) }

// RoPE holds rotary position embedding tables.
type RoPE struct {
	headDim  int
	cos, sin []float32
}

func NewRoPE(headDim, maxPos int, theta float64) *RoPE { panic(notYet) }
func (r *RoPE) Apply(vec []float32, pos int)           { panic(notYet) }
func (tp *Tape) CausalSelfAttention(qkv *Var, batch, seq, nHeads, nKVHeads, headDim int, rope *RoPE) *Var {
	panic(notYet)
}
func (tp *Tape) LogSoftmaxGather(logits *Var, targets []int) (logp, entropy *Var) { panic(notYet) }
func (tp *Tape) CrossEntropy(logits *Var, targets []int) *Var                     { panic(notYet) }

// AdamW is Adam with decoupled weight decay.
type AdamW struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Steps                              int
	m, v                               map[string]*Tensor
}

func NewAdamW(beta1, beta2, eps, weightDecay float32) *AdamW            { panic(notYet) }
func (o *AdamW) Step(params []*Param, lr float32)                       { panic(notYet) }
func (o *AdamW) State() map[string]*Tensor                              { panic(notYet) }
func (o *AdamW) LoadState(st map[string]*Tensor, params []*Param) error { panic(notYet) }
func ZeroGrads(params []*Param)                                         { panic(notYet) }
func ClipGradNorm(params []*Param, maxNorm float64) float64             { panic(notYet) }
func GradsFinite(params []*Param) bool                                  { panic(notYet) }

// Schedule is a learning-rate schedule.
type Schedule struct {
	Kind          string
	Base, Min     float32
	Warmup, Total int
}

func (s Schedule) LR(step int) float32 { panic(notYet) }
func (s Schedule) Validate() error     { panic(notYet) }
