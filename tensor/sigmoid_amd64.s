#include "textflag.h"

// Constants for the sigmoid loops: 80, the float32 sign bit, 1.
DATA sigC<>+0(SB)/4, $0x42a00000
DATA sigC<>+4(SB)/4, $0x80000000
DATA sigC<>+8(SB)/4, $0x3f800000
GLOBL sigC<>(SB), RODATA|NOPTR, $12

// func sigmoidNegClamp8(s, x []float32, n int)
// s[i] = -min(max(x[i], -80), 80) for i < n (n a multiple of 8), as the Go compiler lowers the loop in
// sigmoidInto on amd64, so NaNs come out with the same bits: max(x, c) = -min(-x, -c), and
// min(x, c) = MINSS(x, c) | MINSS(MINSS(x, c), x) (the OR makes min(-0, +0) = -0; for a NaN x it ORs
// c's bits into the NaN, which stays NaN). VMINPS returns its second source when either is NaN, as
// MINSS does. Negation flips the sign bit.
TEXT ·sigmoidNegClamp8(SB), NOSPLIT, $0-56
	MOVQ         s_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         n+48(FP), CX
	VBROADCASTSS sigC<>+0(SB), Y11 // 80
	VBROADCASTSS sigC<>+4(SB), Y12 // sign bit
	XORQ         AX, AX
	TESTQ        CX, CX
	JE           clampdone

clamploop:
	VMOVUPS (SI)(AX*4), Y0
	VXORPS  Y12, Y0, Y0 // -x
	VMINPS  Y11, Y0, Y1 // a = (-x < 80) ? -x : 80
	VMINPS  Y0, Y1, Y2  // b = (a < -x) ? a : -x
	VORPS   Y2, Y1, Y0  // min(-x, 80) = b | a
	VXORPS  Y12, Y0, Y0 // u = max(x, -80)
	VMINPS  Y11, Y0, Y1 // a = (u < 80) ? u : 80
	VMINPS  Y0, Y1, Y2  // b = (a < u) ? a : u
	VORPS   Y2, Y1, Y0  // min(u, 80) = b | a
	VXORPS  Y12, Y0, Y0 // -min(...)
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JNE     clamploop

clampdone:
	VZEROUPPER
	RET

// func sigmoidRecip8(s []float32, n int)
// s[i] = 1/(1+s[i]) for i < n (n a multiple of 8), correctly rounded add and divide as in Go.
TEXT ·sigmoidRecip8(SB), NOSPLIT, $0-32
	MOVQ         s_base+0(FP), DI
	MOVQ         n+24(FP), CX
	VBROADCASTSS sigC<>+8(SB), Y10 // 1
	XORQ         AX, AX
	TESTQ        CX, CX
	JE           recipdone

reciploop:
	VADDPS  (DI)(AX*4), Y10, Y0 // 1 + e
	VDIVPS  Y0, Y10, Y0         // 1 / (1+e)
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JNE     reciploop

recipdone:
	VZEROUPPER
	RET
