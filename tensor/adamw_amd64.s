#include "textflag.h"

// func adamwUpdate8(w, g, md, vd []float32, k *adamwCoef, n int)
// The AdamW element update of adamwUpdateGo for i < n (n a multiple of 8), 8 lanes (AVX2), with the
// same float32 operations in the same order (separate multiplies and adds, no fused multiply-add;
// VDIVPS and VSQRTPS are correctly rounded like DIVSS and SQRTSS), so each element is bit-identical
// whichever path computes it. Each operation also takes its operands in the order the Go compiler
// gives the scalar one (the first source is the one written first in the comments), so that when both
// operands are NaN the result carries the same NaN (x86 returns the first source's).
TEXT ·adamwUpdate8(SB), NOSPLIT, $0-112
	MOVQ         w_base+0(FP), DI
	MOVQ         g_base+24(FP), SI
	MOVQ         md_base+48(FP), R8
	MOVQ         vd_base+72(FP), R9
	MOVQ         k+96(FP), DX
	MOVQ         n+104(FP), CX
	VBROADCASTSS 0(DX), Y5   // b1
	VBROADCASTSS 4(DX), Y6   // 1-b1
	VBROADCASTSS 8(DX), Y7   // b2
	VBROADCASTSS 12(DX), Y8  // 1-b2
	VBROADCASTSS 16(DX), Y9  // bc1
	VBROADCASTSS 20(DX), Y10 // bc2
	VBROADCASTSS 24(DX), Y11 // lr
	VBROADCASTSS 28(DX), Y12 // decay
	VBROADCASTSS 32(DX), Y13 // eps
	XORQ         AX, AX
	TESTQ        CX, CX
	JE           a8done

a8loop:
	VMOVUPS (SI)(AX*4), Y0 // g
	VMOVUPS (R8)(AX*4), Y1 // m
	VMULPS  Y5, Y1, Y1   // m*b1
	VMULPS  Y0, Y6, Y2   // (1-b1)*g
	VADDPS  Y1, Y2, Y1   // m = (1-b1)*g + m*b1
	VMOVUPS Y1, (R8)(AX*4)
	VMOVUPS (R9)(AX*4), Y3 // v
	VMULPS  Y7, Y3, Y3   // v*b2
	VMULPS  Y0, Y8, Y4   // (1-b2)*g
	VMULPS  Y0, Y4, Y4   // *g
	VADDPS  Y3, Y4, Y3   // v = ((1-b2)*g)*g + v*b2
	VMOVUPS Y3, (R9)(AX*4)
	VDIVPS  Y9, Y1, Y1   // mhat = m/bc1
	VDIVPS  Y10, Y3, Y3  // vhat = v/bc2
	VSQRTPS Y3, Y3         // sqrt(vhat)
	VADDPS  Y13, Y3, Y3  // sqrt(vhat) + eps
	VMULPS  Y11, Y1, Y1  // mhat*lr
	VDIVPS  Y3, Y1, Y1   // (mhat*lr) / (sqrt(vhat)+eps)
	VMOVUPS (DI)(AX*4), Y2 // w
	VMULPS  Y12, Y2, Y2  // w*decay
	VSUBPS  Y1, Y2, Y2   // w*decay - ...
	VMOVUPS Y2, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JNE     a8loop

a8done:
	VZEROUPPER
	RET

