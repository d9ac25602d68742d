#include "textflag.h"

// func gemm4x16(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, k int, add bool)
// C[0:4, 0:16] (+)= A[0:4, 0:k] @ B[0:k, 0:16]; leading dimensions in elements.
// Accumulates in registers from zero over k in increasing order (FMA), then adds to C (add) or
// overwrites it.
TEXT ·gemm4x16(SB), NOSPLIT, $0-105
	MOVQ a_base+0(FP), SI
	MOVQ lda+24(FP), R8
	SHLQ $2, R8
	MOVQ b_base+32(FP), DI
	MOVQ ldb+56(FP), R9
	SHLQ $2, R9
	MOVQ c_base+64(FP), DX
	MOVQ ldc+88(FP), R10
	SHLQ $2, R10
	MOVQ k+96(FP), CX
	MOVQ SI, R11
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX
	TESTQ CX, CX
	JE   store4

loop4:
	VMOVUPS      (DI), Y8
	VMOVUPS      32(DI), Y9
	VBROADCASTSS (R11)(AX*4), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (R12)(AX*4), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (R13)(AX*4), Y12
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VBROADCASTSS (R14)(AX*4), Y13
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         R9, DI
	INCQ         AX
	CMPQ         AX, CX
	JNE          loop4

store4:
	MOVBQZX add+104(FP), BX
	TESTQ   BX, BX
	JNE     add4
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R10, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R10, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R10, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

add4:
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS  32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	ADDQ    R10, DX
	VADDPS  (DX), Y2, Y2
	VMOVUPS Y2, (DX)
	VADDPS  32(DX), Y3, Y3
	VMOVUPS Y3, 32(DX)
	ADDQ    R10, DX
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ    R10, DX
	VADDPS  (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS  32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func gemm1x16(a []float32, b []float32, ldb int, c []float32, k int, add bool)
// C[0, 0:16] (+)= A[0, 0:k] @ B[0:k, 0:16], in the same order as gemm4x16.
TEXT ·gemm1x16(SB), NOSPLIT, $0-89
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DI
	MOVQ ldb+48(FP), R9
	SHLQ $2, R9
	MOVQ c_base+56(FP), DX
	MOVQ k+80(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ AX, AX
	TESTQ CX, CX
	JE   store1

loop1:
	VMOVUPS      (DI), Y8
	VMOVUPS      32(DI), Y9
	VBROADCASTSS (SI)(AX*4), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	ADDQ         R9, DI
	INCQ         AX
	CMPQ         AX, CX
	JNE          loop1

store1:
	MOVBQZX add+88(FP), BX
	TESTQ   BX, BX
	JNE     add1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET

add1:
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS  32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET
