package tensor

import "golang.org/x/sys/cpu"

// haveFMA selects the AVX2+FMA micro-kernels in gemm_amd64.s.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func gemm4x16(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, k int, add bool)

//go:noescape
func gemm1x16(a []float32, b []float32, ldb int, c []float32, k int, add bool)
