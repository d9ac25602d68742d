package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func gemmRef(tA, tB blas.Transpose, a, b []float32, ar, ac, br, bc, m, n int, c []float32) {
	blas32.Gemm(tA, tB, 1,
		blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: a},
		blas32.General{Rows: br, Cols: bc, Stride: bc, Data: b},
		1, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

func assertClose(t *testing.T, what string, got, want []float32, k int) {
	t.Helper()
	tol := 1e-5 * float64(k+1)
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: element %d = %v, gonum blas32 gives %v", what, i, got[i], want[i])
		}
	}
}

func TestMatMulKernelsAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := []int{1, 3, 17, 33, 65}
	for _, m := range sizes {
		for _, k := range sizes {
			for _, n := range sizes {
				name := fmt.Sprintf("%dx%dx%d", m, k, n)
				a, bKN, bNK := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, n*k)
				got, want := make([]float32, m*n), make([]float32, m*n)
				MatMul(got, a, bKN, m, k, n)
				gemmRef(blas.NoTrans, blas.NoTrans, a, bKN, m, k, k, n, m, n, want)
				assertClose(t, "MatMul "+name, got, want, k)

				clear(want)
				MatMulTransB(got, a, bNK, m, k, n)
				gemmRef(blas.NoTrans, blas.Trans, a, bNK, m, k, n, k, m, n, want)
				assertClose(t, "MatMulTransB "+name, got, want, k)

				acc0 := randSlice(rng, m*n)
				want1 := append([]float32(nil), acc0...)
				matMulAcc(acc0, a, bKN, m, k, n)
				gemmRef(blas.NoTrans, blas.NoTrans, a, bKN, m, k, k, n, m, n, want1)
				assertClose(t, "matMulAcc "+name, acc0, want1, k)

				// dst[k,n] += a[m,k]^T b[m,n], starting from a non-zero dst.
				bMN := randSlice(rng, m*n)
				acc := randSlice(rng, k*n)
				want2 := append([]float32(nil), acc...)
				MatMulTransAAcc(acc, a, bMN, m, k, n)
				gemmRef(blas.Trans, blas.NoTrans, a, bMN, m, k, m, n, k, n, want2)
				assertClose(t, "MatMulTransAAcc "+name, acc, want2, m)
			}
		}
	}
}

func TestMatMulTransAAccLongSharedDimension(t *testing.T) {
	// m spans several of the kernel's 256-row blocks.
	rng := rand.New(rand.NewPCG(5, 6))
	m, k, n := 600, 9, 40
	a, b := randSlice(rng, m*k), randSlice(rng, m*n)
	got, want := make([]float32, k*n), make([]float32, k*n)
	MatMulTransAAcc(got, a, b, m, k, n)
	gemmRef(blas.Trans, blas.NoTrans, a, b, m, k, m, n, k, n, want)
	assertClose(t, "MatMulTransAAcc 600x9x40", got, want, m)
}

func TestParallelCoversRangeOnce(t *testing.T) {
	for _, n := range []int{0, 1, 5, 16, 17, 1000} {
		seen := make([]int32, n)
		Parallel(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("Parallel(%d): index %d visited %d times", n, i, c)
			}
		}
	}
}
