//go:build !amd64

package tensor

// haveFMA is false off amd64: the portable Go kernels run (a variable so tests can compare paths).
var haveFMA = false

// haveAVX512 is false off amd64: no AVX-512 kernel exists there.
var haveAVX512 = false

func gemm6x16(a []float32, lda, astep int, b []float32, bstep int, c []float32, ldc, k int, add bool) {
	gemm6x16Go(a, lda, astep, b, bstep, c, ldc, k, add)
}

func gemmAVX512(panels int, a []float32, lda, astep int, b []float32, bstep, bpanel int, c []float32, ldc, k int, add bool) {
	panic("tensor: the AVX-512 kernel exists only on amd64 (haveAVX512 must stay false here)")
}
