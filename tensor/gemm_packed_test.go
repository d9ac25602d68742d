package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// Large enough products that gemmGrid cuts C into several row and column blocks.
func TestGemmMultiBlockAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{301, 70, 203}, {40, 300, 500}, {700, 33, 17}, {13, 129, 1000}} {
		m, k, n := s[0], s[1], s[2]
		if rg, cg := gemmGrid(m, k, n, (m+5)/6, (n+15)/16); rg*cg < 2 {
			t.Fatalf("%v: grid %dx%d does not exercise the blocked path", s, rg, cg)
		}
		a, bNK := randSlice(rng, m*k), randSlice(rng, n*k)
		got, want := make([]float32, m*n), make([]float32, m*n)
		MatMulTransB(got, a, bNK, m, k, n)
		gemmRef(blas.NoTrans, blas.Trans, a, bNK, m, k, n, k, m, n, want)
		assertClose(t, fmt.Sprintf("MatMulTransB %v", s), got, want, k)

		bMN := randSlice(rng, m*n)
		acc := randSlice(rng, k*n)
		want2 := append([]float32(nil), acc...)
		MatMulTransAAcc(acc, a, bMN, m, k, n)
		gemmRef(blas.Trans, blas.NoTrans, a, bMN, m, k, m, n, k, n, want2)
		assertClose(t, fmt.Sprintf("MatMulTransAAcc %v", s), acc, want2, m)
	}
}

// A row of a product must not depend on which other rows share the call (the sampler multiplies 64
// rows, training 2048, and both must agree), nor on the operand layout (MatMul with a transposed
// copy of the weight versus MatMulTransB): bit-identical, not just close.
func TestGemmRowIndependentOfBatchAndLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	m, k, n := 203, 300, 150                         // k spans two gemmKC slices
	a, w := randSlice(rng, m*k), randSlice(rng, n*k) // w [n, k]
	wT := make([]float32, k*n)
	transposeInto(wT, w, n, k)
	all := make([]float32, m*n)
	MatMulTransB(all, a, w, m, k, n)
	one, onePacked := make([]float32, n), make([]float32, n)
	pw := PackWeight(w, n, k)
	for i := 0; i < m; i += 17 {
		MatMul(one, a[i*k:(i+1)*k], wT, 1, k, n)
		MatMulPacked(onePacked, a[i*k:(i+1)*k], pw, 1)
		for j := range one {
			if one[j] != all[i*n+j] || onePacked[j] != all[i*n+j] {
				t.Fatalf("row %d col %d: alone %v (packed weight %v), in a %d-row batch %v", i, j, one[j], onePacked[j], m, all[i*n+j])
			}
		}
	}
	allPacked := make([]float32, m*n)
	MatMulPacked(allPacked, a, pw, m)
	for i := range all {
		if allPacked[i] != all[i] {
			t.Fatalf("element %d: MatMulPacked %v, MatMulTransB %v", i, allPacked[i], all[i])
		}
	}
}

// The portable kernel (used without AVX2+FMA) computes the same tile as the assembly one, up to the
// rounding of unfused multiply-add.
func TestGemmGoKernelMatchesAssembly(t *testing.T) {
	if !haveFMA {
		t.Skip("no AVX2+FMA: the Go kernel is the only one")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{0, 1, 5, 64} {
		a, b := randSlice(rng, k*gemmMR), randSlice(rng, k*gemmNR)
		for _, add := range []bool{false, true} {
			c0 := randSlice(rng, 2*gemmMR*gemmNR) // ldc = 32: the kernel must leave the odd columns alone
			c1 := append([]float32(nil), c0...)
			gemm6x16(a, 1, gemmMR, b, gemmNR, c0, 2*gemmNR, k, add)
			gemm6x16Go(a, 1, gemmMR, b, gemmNR, c1, 2*gemmNR, k, add)
			assertClose(t, fmt.Sprintf("gemm6x16 k=%d add=%v", k, add), c0, c1, k)
			for r := 0; r < gemmMR; r++ {
				for q := gemmNR; q < 2*gemmNR; q++ {
					if c0[r*2*gemmNR+q] != c1[r*2*gemmNR+q] {
						t.Fatalf("k=%d: kernel wrote outside its tile at row %d col %d", k, r, q)
					}
				}
			}
		}
	}
}

// transposeInto sets dst[c,r] = src[r,c]^T, in cache-sized tiles.
func transposeInto(dst, src []float32, r, c int) {
	const tile = 32
	for i0 := 0; i0 < r; i0 += tile {
		i1 := min(i0+tile, r)
		for j0 := 0; j0 < c; j0 += tile {
			j1 := min(j0+tile, c)
			for i := i0; i < i1; i++ {
				row := src[i*c : i*c+c]
				for j := j0; j < j1; j++ {
					dst[j*r+i] = row[j]
				}
			}
		}
	}
}

// tanhArg's assembly steps must give bit-identical elements to its Go loops (the sampler and the
// trainer split the same activations at different offsets), including NaN and the clamp; and both
// must match math.Tanh. (vek's exp itself may differ by an ulp between its SIMD body
// and its scalar tail; that is outside tanhArg's own steps.)
func TestTanhArgSIMDMatchesGo(t *testing.T) {
	if !haveFMA {
		t.Skip("no AVX2: only the Go loops exist")
	}
	rng := rand.New(rand.NewPCG(15, 16))
	x := randSlice(rng, 64)
	for i := range x {
		x[i] *= 4
	}
	x[3], x[9], x[17] = 30, -30, float32(math.NaN())
	simd, scalar := make([]float32, len(x)), make([]float32, len(x))
	tanhArg(simd, x)
	haveFMA = false
	tanhArg(scalar, x)
	haveFMA = true
	for i := range x {
		if simd[i] != scalar[i] && !(math.IsNaN(float64(simd[i])) && math.IsNaN(float64(scalar[i]))) {
			t.Fatalf("x=%v: assembly %v, Go %v", x[i], simd[i], scalar[i])
		}
		if math.IsNaN(float64(x[i])) {
			continue // vek's exp does not keep NaN; gelu(NaN) = 0.5 NaN (1 + t) is NaN all the same
		}
		want := math.Tanh(0.7978845608028654 * (float64(x[i]) + 0.044715*math.Pow(float64(x[i]), 3)))
		if math.Abs(float64(simd[i])-want) > 1e-6 {
			t.Fatalf("x=%v: tanhArg %v, math.Tanh %v", x[i], simd[i], want)
		}
	}
}

// geluGrad's assembly body must match its Go loop bit for bit.
func TestGELUGradSIMDMatchesGo(t *testing.T) {
	if !haveFMA {
		t.Skip("no AVX2: only the Go loop exists")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	n := 77
	x, g, dx0 := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
	th := make([]float32, n)
	tanhArg(th, x)
	simd, scalar := append([]float32(nil), dx0...), append([]float32(nil), dx0...)
	geluGrad(simd, g, x, th)
	haveFMA = false
	geluGrad(scalar, g, x, th)
	haveFMA = true
	for i := range simd {
		if simd[i] != scalar[i] {
			t.Fatalf("element %d: assembly %v, Go %v", i, simd[i], scalar[i])
		}
	}
}

// MatMulTransAAcc (A read transposed, its row blocks copied into contiguous panels) gives the same
// bits as matMulAcc on an explicitly transposed copy of A: every element is the same FMA chain over
// the shared dimension whichever way A is read. The shapes cover partial row blocks, several gemmKC
// slices and grids of more than one block.
func TestTransposedAPanelsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	// k (A's leading dimension) = 256, 768 and 8200 take the copied path (stridedBadly), 77 and 17 not.
	for _, s := range [][3]int{{600, 256, 50}, {513, 768, 48}, {300, 77, 97}, {40, 8200, 20}, {9, 17, 33}} {
		m, k, n := s[0], s[1], s[2] // a [m, k], b [m, n], dst [k, n] += a^T b
		a, b, c := randSlice(rng, m*k), randSlice(rng, m*n), randSlice(rng, k*n)
		at := make([]float32, k*m)
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				at[j*m+i] = a[i*k+j]
			}
		}
		got, want := append([]float32(nil), c...), append([]float32(nil), c...)
		MatMulTransAAcc(got, a, b, m, k, n)
		matMulAcc(want, at, b, k, m, n)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%dx%dx%d element %d: transposed A %v, explicit transpose %v", m, k, n, i, got[i], want[i])
			}
		}
	}
}
