#include "textflag.h"

// func gemm6x16(a []float32, lda int, astep int, b []float32, bstep int, c []float32, ldc int, k int, add bool)
// C[0:6, 0:16] (+)= A[0:6, 0:k] @ B[0:k, 0:16], strides in elements: A(r, p) = a[r*lda + p*astep]
// (row-major: lda = row length, astep = 1; transposed or packed: lda = 1), B(p, q) = b[p*bstep + q]
// with 16 contiguous columns. Each of the 12 accumulators starts from zero (or from C when add) and
// runs one FMA chain over k in increasing order, then is stored to C.
TEXT ·gemm6x16(SB), NOSPLIT, $0-113
	MOVQ    a_base+0(FP), SI
	MOVQ    lda+24(FP), R8
	SHLQ    $2, R8
	MOVQ    astep+32(FP), R9
	SHLQ    $2, R9
	MOVQ    b_base+40(FP), DI
	MOVQ    bstep+64(FP), R15
	SHLQ    $2, R15
	MOVQ    c_base+72(FP), DX
	MOVQ    ldc+96(FP), R10
	SHLQ    $2, R10
	MOVQ    k+104(FP), CX
	LEAQ    (SI)(R8*2), R13
	ADDQ    R8, R13
	LEAQ    (DX)(R10*2), R11
	LEAQ    (R11)(R10*2), R12
	MOVBQZX add+112(FP), BX
	TESTQ   BX, BX
	JE      zero6
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (DX)(R10*1), Y2
	VMOVUPS 32(DX)(R10*1), Y3
	VMOVUPS (R11), Y4
	VMOVUPS 32(R11), Y5
	VMOVUPS (R11)(R10*1), Y6
	VMOVUPS 32(R11)(R10*1), Y7
	VMOVUPS (R12), Y8
	VMOVUPS 32(R12), Y9
	VMOVUPS (R12)(R10*1), Y10
	VMOVUPS 32(R12)(R10*1), Y11
	JMP     start6

zero6:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

start6:
	TESTQ CX, CX
	JE    put6

loop6:
	VMOVUPS      (DI), Y12
	VMOVUPS      32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (SI)(R8*1), Y15
	VFMADD231PS  Y12, Y15, Y2
	VFMADD231PS  Y13, Y15, Y3
	VBROADCASTSS (SI)(R8*2), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (R13), Y15
	VFMADD231PS  Y12, Y15, Y6
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS (R13)(R8*1), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS (R13)(R8*2), Y15
	VFMADD231PS  Y12, Y15, Y10
	VFMADD231PS  Y13, Y15, Y11
	ADDQ         R9, SI
	ADDQ         R9, R13
	ADDQ         R15, DI
	DECQ         CX
	JNE          loop6

put6:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R10*1)
	VMOVUPS Y3, 32(DX)(R10*1)
	VMOVUPS Y4, (R11)
	VMOVUPS Y5, 32(R11)
	VMOVUPS Y6, (R11)(R10*1)
	VMOVUPS Y7, 32(R11)(R10*1)
	VMOVUPS Y8, (R12)
	VMOVUPS Y9, 32(R12)
	VMOVUPS Y10, (R12)(R10*1)
	VMOVUPS Y11, 32(R12)(R10*1)
	VZEROUPPER
	RET
