package tensor

import "golang.org/x/sys/cpu"

// haveFMA selects the AVX2+FMA micro-kernel in gemm_amd64.s.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func gemm6x16(a []float32, lda, astep int, b []float32, bstep int, c []float32, ldc, k int, add bool)
