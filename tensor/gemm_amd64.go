package tensor

import (
	"os"

	"golang.org/x/sys/cpu"
)

//go:generate go run gen_gemm_avx512.go

// haveFMA selects the AVX2+FMA micro-kernel in gemm_amd64.s (and the AVX2 vector ops).
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// haveAVX512 selects the AVX-512 micro-kernels in gemm_avx512_amd64.s for matrix products. They give
// the same bits as the AVX2 one; GRITDEV_GEMM=avx2 forces the AVX2 kernel (to time or test it on an
// AVX-512 machine).
var haveAVX512 = haveFMA && cpu.X86.HasAVX512F && gemmForced() != "avx2"

// gemmForced reads GRITDEV_GEMM: empty or "auto" (the fastest kernel the CPU has) or "avx2".
func gemmForced() string {
	switch v := os.Getenv("GRITDEV_GEMM"); v {
	case "", "auto", "avx2":
		return v
	default:
		panic("tensor: GRITDEV_GEMM=" + v + " is not a kernel choice; use auto or avx2 (or unset it)")
	}
}

//go:noescape
func gemm6x16(a []float32, lda, astep int, b []float32, bstep int, c []float32, ldc, k int, add bool)

//go:noescape
func gemm8x16z(a []float32, lda, astep int, b []float32, bstep, bpanel int, c []float32, ldc, k int, add bool)

//go:noescape
func gemm8x32z(a []float32, lda, astep int, b []float32, bstep, bpanel int, c []float32, ldc, k int, add bool)

//go:noescape
func gemm8x48z(a []float32, lda, astep int, b []float32, bstep, bpanel int, c []float32, ldc, k int, add bool)

// gemmAVX512 runs the AVX-512 kernel for 8 rows by panels (1 to 3) 16-column panels of B.
func gemmAVX512(panels int, a []float32, lda, astep int, b []float32, bstep, bpanel int, c []float32, ldc, k int, add bool) {
	switch panels {
	case 1:
		gemm8x16z(a, lda, astep, b, bstep, bpanel, c, ldc, k, add)
	case 2:
		gemm8x32z(a, lda, astep, b, bstep, bpanel, c, ldc, k, add)
	default:
		gemm8x48z(a, lda, astep, b, bstep, bpanel, c, ldc, k, add)
	}
}
