//go:build !amd64

package tensor

const haveFMA = false

func gemm4x16(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, k int, add bool) {
	panic("tensor: gemm4x16 needs amd64")
}

func gemm1x16(a []float32, b []float32, ldb int, c []float32, k int, add bool) {
	panic("tensor: gemm1x16 needs amd64")
}
