#include "textflag.h"

// func dotRows8(dst []float32, q []float32, k []float32, n int, hd int)
// dst[p] = q . k[p*hd : (p+1)*hd] for p < n; hd is a positive multiple of 8. Each dot product sums
// 8 lanes with FMA over the head in increasing order, then adds the lanes pairwise. Four keys run
// side by side (four independent chains, each computed exactly as a key on its own), then the rest
// one at a time.
TEXT ·dotRows8(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DX
	MOVQ q_base+24(FP), SI
	MOVQ k_base+48(FP), DI
	MOVQ n+72(FP), CX
	MOVQ hd+80(FP), R8
	LEAQ (R8*4), R11 // bytes per key

dotquad:
	CMPQ CX, $4
	JLT  dotone
	LEAQ (DI)(R11*1), R12
	LEAQ (DI)(R11*2), R13
	LEAQ (R12)(R11*2), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX

dotquadlane:
	VMOVUPS     (SI)(AX*4), Y4
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS (R12)(AX*4), Y4, Y1
	VFMADD231PS (R13)(AX*4), Y4, Y2
	VFMADD231PS (R10)(AX*4), Y4, Y3
	ADDQ        $8, AX
	CMPQ        AX, R8
	JNE         dotquadlane
	VEXTRACTF128 $1, Y0, X5
	VADDPS       X5, X0, X0
	VMOVHLPS     X0, X0, X5
	VADDPS       X5, X0, X0
	VMOVSHDUP    X0, X5
	VADDSS       X5, X0, X0
	VMOVSS       X0, 0(DX)
	VEXTRACTF128 $1, Y1, X5
	VADDPS       X5, X1, X1
	VMOVHLPS     X1, X1, X5
	VADDPS       X5, X1, X1
	VMOVSHDUP    X1, X5
	VADDSS       X5, X1, X1
	VMOVSS       X1, 4(DX)
	VEXTRACTF128 $1, Y2, X5
	VADDPS       X5, X2, X2
	VMOVHLPS     X2, X2, X5
	VADDPS       X5, X2, X2
	VMOVSHDUP    X2, X5
	VADDSS       X5, X2, X2
	VMOVSS       X2, 8(DX)
	VEXTRACTF128 $1, Y3, X5
	VADDPS       X5, X3, X3
	VMOVHLPS     X3, X3, X5
	VADDPS       X5, X3, X3
	VMOVSHDUP    X3, X5
	VADDSS       X5, X3, X3
	VMOVSS       X3, 12(DX)
	ADDQ $16, DX
	LEAQ (R10)(R11*1), DI
	SUBQ $4, CX
	JMP  dotquad

dotone:
	TESTQ CX, CX
	JE    dotdone

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

// func weightedRows64(dst []float32, w []float32, v []float32, n int, hd int)
// weightedRows32 for hd a positive multiple of 64, 64 columns (eight chains) at a time: the same
// chain per element, twice the independent chains in flight.
TEXT ·weightedRows64(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DX
	MOVQ w_base+24(FP), SI
	MOVQ v_base+48(FP), DI
	MOVQ n+72(FP), CX
	MOVQ hd+80(FP), R8
	SHLQ $2, R8
	XORQ R9, R9

w64chunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	LEAQ   (DI)(R9*1), R10
	XORQ   AX, AX
	TESTQ  CX, CX
	JE     w64store

w64row:
	VBROADCASTSS (SI)(AX*4), Y4
	VFMADD231PS  (R10), Y4, Y0
	VFMADD231PS  32(R10), Y4, Y1
	VFMADD231PS  64(R10), Y4, Y2
	VFMADD231PS  96(R10), Y4, Y3
	VFMADD231PS  128(R10), Y4, Y5
	VFMADD231PS  160(R10), Y4, Y6
	VFMADD231PS  192(R10), Y4, Y7
	VFMADD231PS  224(R10), Y4, Y8
	ADDQ         R8, R10
	INCQ         AX
	CMPQ         AX, CX
	JNE          w64row

w64store:
	VMOVUPS Y0, (DX)(R9*1)
	VMOVUPS Y1, 32(DX)(R9*1)
	VMOVUPS Y2, 64(DX)(R9*1)
	VMOVUPS Y3, 96(DX)(R9*1)
	VMOVUPS Y5, 128(DX)(R9*1)
	VMOVUPS Y6, 160(DX)(R9*1)
	VMOVUPS Y7, 192(DX)(R9*1)
	VMOVUPS Y8, 224(DX)(R9*1)
	ADDQ    $256, R9
	CMPQ    R9, R8
	JNE     w64chunk
	VZEROUPPER
	RET
