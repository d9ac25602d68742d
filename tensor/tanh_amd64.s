#include "textflag.h"

// Constants for tanhArgPre8: sqrt(2/pi), 0.044715, 20, -20 as float32 bit patterns.
DATA tanhC<>+0(SB)/4, $0x3f4c422a
DATA tanhC<>+4(SB)/4, $0x3d372713
DATA tanhC<>+8(SB)/4, $0x41a00000
DATA tanhC<>+12(SB)/4, $0xc1a00000
DATA tanhC<>+16(SB)/4, $0x3f800000
DATA tanhC<>+20(SB)/4, $0x40000000
GLOBL tanhC<>(SB), RODATA|NOPTR, $24

// func tanhArgPre8(t []float32, x []float32, n int)
// t[i] = 2 * clamp(c * (x + a*x*x*x), -20, 20) for i < n (n a multiple of 8), with the same
// operations in the same order as the Go loop in tanhArg (no fused multiply-add), so each element
// is bit-identical whichever path computes it. NaN passes through the clamp.
TEXT ·tanhArgPre8(SB), NOSPLIT, $0-56
	MOVQ         t_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         n+48(FP), CX
	VBROADCASTSS tanhC<>+0(SB), Y10
	VBROADCASTSS tanhC<>+4(SB), Y11
	VBROADCASTSS tanhC<>+8(SB), Y12
	VBROADCASTSS tanhC<>+12(SB), Y13
	XORQ         AX, AX
	TESTQ        CX, CX
	JE           predone

preloop:
	VMOVUPS (SI)(AX*4), Y0
	VMULPS  Y0, Y11, Y1 // a*x
	VMULPS  Y0, Y1, Y1  // *x
	VMULPS  Y0, Y1, Y1  // *x
	VADDPS  Y1, Y0, Y1  // x + a x^3
	VMULPS  Y1, Y10, Y1 // c * (...)
	VMINPS  Y1, Y12, Y1 // (20 < u) ? 20 : u
	VMAXPS  Y1, Y13, Y1 // (-20 > u) ? -20 : u
	VADDPS  Y1, Y1, Y1  // 2u
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JNE     preloop

predone:
	VZEROUPPER
	RET

// func tanhArgPost8(t []float32, n int)
// t[i] = 1 - 2/(t[i]+1) for i < n (n a multiple of 8), exact division as in the Go loop.
TEXT ·tanhArgPost8(SB), NOSPLIT, $0-32
	MOVQ         t_base+0(FP), DI
	MOVQ         n+24(FP), CX
	VBROADCASTSS tanhC<>+16(SB), Y10
	VBROADCASTSS tanhC<>+20(SB), Y11
	XORQ         AX, AX
	TESTQ        CX, CX
	JE           postdone

postloop:
	VMOVUPS (DI)(AX*4), Y0
	VADDPS  Y10, Y0, Y0 // e + 1
	VDIVPS  Y0, Y11, Y0 // 2 / (e+1)
	VSUBPS  Y0, Y10, Y0 // 1 - ...
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JNE     postloop

postdone:
	VZEROUPPER
	RET
