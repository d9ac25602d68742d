#include "textflag.h"

// func dotRows8(dst []float32, q []float32, k []float32, n int, hd int)
// dst[p] = q . k[p*hd : (p+1)*hd] for p < n; hd is a positive multiple of 8. Each dot product sums
// 8 lanes with FMA over the head in increasing order, then adds the lanes pairwise.
TEXT ·dotRows8(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DX
	MOVQ q_base+24(FP), SI
	MOVQ k_base+48(FP), DI
	MOVQ n+72(FP), CX
	MOVQ hd+80(FP), R8
	TESTQ CX, CX
	JE   dotdone

dotrow:
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX

dotlane:
	VMOVUPS     (DI)(AX*4), Y1
	VFMADD231PS (SI)(AX*4), Y1, Y0
	ADDQ        $8, AX
	CMPQ        AX, R8
	JNE         dotlane
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	VMOVSS       X0, (DX)
	ADDQ         $4, DX
	LEAQ         (DI)(R8*4), DI
	DECQ         CX
	JNE          dotrow

dotdone:
	VZEROUPPER
	RET

// func weightedRows32(dst []float32, w []float32, v []float32, n int, hd int)
// dst[0:hd] = sum over p < n of w[p] * v[p*hd : (p+1)*hd], one FMA chain per element over p in
// increasing order, from zero; hd is a positive multiple of 32.
TEXT ·weightedRows32(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DX
	MOVQ w_base+24(FP), SI
	MOVQ v_base+48(FP), DI
	MOVQ n+72(FP), CX
	MOVQ hd+80(FP), R8
	SHLQ $2, R8
	XORQ R9, R9

wchunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	LEAQ   (DI)(R9*1), R10
	XORQ   AX, AX
	TESTQ  CX, CX
	JE     wstore

wrow:
	VBROADCASTSS (SI)(AX*4), Y4
	VFMADD231PS  (R10), Y4, Y0
	VFMADD231PS  32(R10), Y4, Y1
	VFMADD231PS  64(R10), Y4, Y2
	VFMADD231PS  96(R10), Y4, Y3
	ADDQ         R8, R10
	INCQ         AX
	CMPQ         AX, CX
	JNE          wrow

wstore:
	VMOVUPS Y0, (DX)(R9*1)
	VMOVUPS Y1, 32(DX)(R9*1)
	VMOVUPS Y2, 64(DX)(R9*1)
	VMOVUPS Y3, 96(DX)(R9*1)
	ADDQ    $128, R9
	CMPQ    R9, R8
	JNE     wchunk
	VZEROUPPER
	RET
