// Package tensor is grit's compact float32 tensor backend: matrix kernels, reverse-mode autodiff over
// a tape of fused ops with hand-written backward passes, and the optimiser (AdamW, gradient clipping,
// learning-rate schedules).
//
// Why our own: the Go options tried (gorgonia, GoMLX) were unavailable or slow and buggy; a transformer
// only needs a dozen ops, each small enough to write and gradient-check by hand (see DESIGN.md).
//
// Fused ops + tape: each Tape method (Linear, Embedding, LayerNorm, RMSNorm, GELU, SiLU, SwiGLU,
// CausalSelfAttention, Add, BatchedMatMul, LogSoftmaxGather, CrossEntropy) computes its forward at once
// and records one backward closure; Backward replays them in reverse, adding into input gradients. Param
// leaves accumulate straight into Param.Grad. Every backward is checked against central finite
// differences of an independent float64 reference (gradcheck_test.go).
//
// Kernels: MatMul, MatMulTransB and MatMulTransAAcc run AVX2+FMA register-blocked micro-kernels
// (gemm_amd64.s, 6x16 output tiles read through strides, gemm_packed.go) and fall back to a Go kernel elsewhere;
// gonum's blas32 is the trusted reference in tests. The kernels behind the ops (LayerNormRow,
// GELUInto, LogSumExp, Softmax, RoPE.Apply, ...) are exported so an inference path (a KV-cache sampler)
// computes exactly what training computes.
//
// Determinism rule: work is split with Parallel into a fixed partition that depends only on the
// problem size, never on GOMAXPROCS; each output element is written by one goroutine, and weight
// gradients are split over their output rows, so no partial sums are ever combined in a
// schedule-dependent order. Results are bit-identical for any number of cores.
//
// Weight layout: PyTorch nn.Linear, W is [out, in] and y = x W^T + b, so Hugging Face GPT-2 / Llama
// weights load without re-layout (GPT-2's Conv1D weights are the exception and must be transposed).
// RoPE uses the "rotate half" pairing of Hugging Face Llama checkpoints.
package tensor
