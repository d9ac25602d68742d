// Package tensor is grit's compact float32 tensor backend: matrix kernels, reverse-mode autodiff over
// a tape of fused ops with hand-written backward passes, and the optimiser (AdamW, gradient clipping,
// learning-rate schedules).
//
// Why our own: the Go options tried were unavailable (gorgonia) or much slower (GoMLX); a transformer
// only needs a dozen ops, each small enough to write and gradient-check by hand (docs/design.md).
//
// Fused ops + tape: each Tape method (Linear, Embedding, LayerNorm, RMSNorm, GELU, SiLU, SwiGLU,
// CausalSelfAttention, Add, BatchedMatMul, LogSoftmaxGather, CrossEntropy) computes its forward at once
// and records one backward closure; Backward replays them in reverse, adding into input gradients. Param
// leaves accumulate straight into Param.Grad. Every backward is checked against central finite
// differences of an independent float64 reference (gradcheck_test.go).
//
// Memory: a tape made with NewTapeOn takes op outputs, saved statistics and gradients from an Arena
// (a bump allocator reset after each pass; ArenaPool keeps one per pass in flight), so a model that
// trains pass after pass reuses the same memory instead of allocating and zeroing ~100 MB per step.
// Ops skip zeroing buffers they overwrite (gradOut: an input's first gradient is written, not added),
// and a residual Add hands its output gradient on to its first input. arena_test.go checks that
// arena tapes, with recycled buffers poisoned by NaN, give the same bits as fresh tapes.
//
// Kernels: MatMul, MatMulTransB, MatMulTransAAcc and MatMulPacked run one AVX2+FMA 6x16 micro-kernel
// (gemm_amd64.s; blocking and packing in gemm_packed.go) that reads transposed operands in place, so
// no caller transposes a matrix; elsewhere a Go kernel with the same tiling runs. gonum's blas32 is
// the trusted reference in tests. Every element of a product is one FMA chain over the shared
// dimension in increasing order, whatever the row count, so a 64-row sampler product equals the same
// rows of a 2048-row training product bit for bit. The kernels behind the ops (LayerNormRow, GELUInto,
// LogSumExp, Softmax, RoPE.Apply, PackWeight/MatMulPacked, DotRows/WeightedRows, ...) are exported so
// an inference path (a KV-cache sampler) computes what training computes.
//
// Determinism rule: work is split with Parallel into a fixed partition that depends only on the
// problem size, never on GOMAXPROCS; each output element is written by one goroutine, weight
// gradients are split over their output rows, and the few chunked sums (norm parameter gradients)
// are combined in chunk order, so no partial sums are ever combined in a
// schedule-dependent order. Results are bit-identical for any number of cores.
//
// Weight layout: PyTorch nn.Linear, W is [out, in] and y = x W^T + b. RoPE pairs dimension i with
// i + headDim/2 ("rotate half"). These are the conventions of PyTorch-style checkpoints, but nothing
// in grit loads foreign weights yet: policy reads only checkpoints that grit wrote.
package tensor
