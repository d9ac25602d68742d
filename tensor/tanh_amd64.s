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

// Constants for geluGrad8: 0.5, 3*0.044715, 1, sqrt(2/pi).
DATA geluGC<>+0(SB)/4, $0x3f000000
DATA geluGC<>+4(SB)/4, $0x3e095d4f
DATA geluGC<>+8(SB)/4, $0x3f800000
DATA geluGC<>+12(SB)/4, $0x3f4c422a
GLOBL geluGC<>(SB), RODATA|NOPTR, $16

// func geluGrad8(dx []float32, g []float32, x []float32, th []float32, n int)
// dx[i] += g[i] * (0.5*(1+t) + 0.5*x*(1-t*t)*c*(1+3a*x*x)) for i < n (n a multiple of 8), t = th[i],
// with the same float32 operations in the same order as the Go loop in Tape.GELU's backward.
TEXT ·geluGrad8(SB), NOSPLIT, $0-104
	MOVQ         dx_base+0(FP), DI
	MOVQ         g_base+24(FP), SI
	MOVQ         x_base+48(FP), R8
	MOVQ         th_base+72(FP), R9
	MOVQ         n+96(FP), CX
	VBROADCASTSS geluGC<>+0(SB), Y10
	VBROADCASTSS geluGC<>+4(SB), Y11
	VBROADCASTSS geluGC<>+8(SB), Y12
	VBROADCASTSS geluGC<>+12(SB), Y13
	XORQ         AX, AX
	TESTQ        CX, CX
	JE           gdone

gloop:
	VMOVUPS (R9)(AX*4), Y0 // t
	VMOVUPS (R8)(AX*4), Y1 // x
	VADDPS  Y0, Y12, Y2    // 1 + t
	VMULPS  Y2, Y10, Y2    // 0.5 (1+t)
	VMULPS  Y0, Y0, Y3     // t*t
	VSUBPS  Y3, Y12, Y3    // 1 - t*t
	VMULPS  Y1, Y10, Y4    // 0.5 x
	VMULPS  Y3, Y4, Y4     // * (1-t*t)
	VMULPS  Y13, Y4, Y4    // * c
	VMULPS  Y1, Y11, Y5    // 3a x
	VMULPS  Y1, Y5, Y5     // * x
	VADDPS  Y5, Y12, Y5    // 1 + ...
	VMULPS  Y5, Y4, Y4     // * (1 + 3a x^2)
	VADDPS  Y4, Y2, Y2     // d
	VMULPS  (SI)(AX*4), Y2, Y2
	VADDPS  (DI)(AX*4), Y2, Y2
	VMOVUPS Y2, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JNE     gloop

gdone:
	VZEROUPPER
	RET
