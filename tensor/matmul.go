package tensor

import "github.com/viterin/vek/vek32"

// Matrix kernels. All matrices are dense row-major float32 slices. The SIMD inner loops are
// github.com/viterin/vek (pure Go + AVX2 assembly). Each output row is computed by one goroutine in a
// fixed order of the shared dimension, so results do not depend on GOMAXPROCS.

// MatMul sets dst[m,n] = a[m,k] @ b[k,n].
func MatMul(dst, a, b []float32, m, k, n int) {
	checkMatMul("MatMul", dst, a, b, m*n, m*k, k*n)
	parallelRows(m, func(lo, hi int) {
		matMulRows(dst[lo*n:hi*n], a[lo*k:hi*k], b, hi-lo, k, n)
	})
}

// matMulAcc adds a[m,k] @ b[k,n] into dst[m,n] (parallel over rows of dst).
func matMulAcc(dst, a, b []float32, m, k, n int) {
	if !haveFMA {
		tmp := getScratch(m * n)
		MatMul(tmp, a, b, m, k, n)
		addInto(dst[:m*n], tmp)
		putScratch(tmp)
		return
	}
	parallelRows(m, func(lo, hi int) {
		gemm(dst[lo*n:hi*n], a[lo*k:hi*k], b, hi-lo, k, n, k, n, n, true)
	})
}

// MatMulTransB sets dst[m,n] = a[m,k] @ b[n,k]^T (b holds n rows of length k, like a Linear weight).
func MatMulTransB(dst, a, b []float32, m, k, n int) {
	checkMatMul("MatMulTransB", dst, a, b, m*n, m*k, n*k)
	bt := getScratch(k * n) // [k, n]
	transposeInto(bt, b, n, k)
	MatMul(dst, a, bt, m, k, n)
	putScratch(bt)
}

// MatMulTransAAcc adds a[m,k]^T @ b[m,n] into dst[k,n] (weight gradients: dW += dY^T X).
// Work is split over output rows of dst; each row sums over m in fixed blocks of increasing index,
// so the result does not depend on how many goroutines run.
func MatMulTransAAcc(dst, a, b []float32, m, k, n int) {
	checkMatMul("MatMulTransAAcc", dst, a, b, k*n, m*k, m*n)
	const mBlock = 256 // rows of a and b per pass, so the blocks stay in cache
	parallelRows(k, func(lo, hi int) {
		rows := hi - lo
		at := getScratch(rows * mBlock) // [rows, bs]: a[mb:me, lo:hi]^T
		var tmp []float32
		if !haveFMA {
			tmp = getScratch(n)
		}
		for mb := 0; mb < m; mb += mBlock {
			me := min(mb+mBlock, m)
			bs := me - mb
			for i := mb; i < me; i++ {
				for p, v := range a[i*k+lo : i*k+hi] {
					at[p*bs+i-mb] = v
				}
			}
			if haveFMA {
				gemm(dst[lo*n:hi*n], at, b[mb*n:me*n], rows, bs, n, bs, n, n, true)
				continue
			}
			for p := 0; p < rows; p++ {
				vek32.MatMul_Into(tmp, at[p*bs:(p+1)*bs], b[mb*n:me*n], bs)
				vek32.Add_Inplace(dst[(lo+p)*n:(lo+p+1)*n], tmp)
			}
		}
		putScratch(at)
		putScratch(tmp)
	})
}

// parallelRows splits [0,m) rows into fixed chunks whose boundaries are multiples of 4 (the micro-kernel
// height), so every row is computed by the same kernel path whatever GOMAXPROCS is.
func parallelRows(m int, fn func(lo, hi int)) {
	parallelGrain((m+3)/4, 1, func(lo, hi int) { fn(lo*4, min(hi*4, m)) })
}

// matMulRows sets dst[r,n] = a[r,k] @ b[k,n] on the calling goroutine, with the FMA micro-kernels
// when the CPU has them. Otherwise vek's MatMul_Into does it; it runs
// blocks of fewer than 4 rows inline, so it is called on 3-row groups; its kernel computes each row
// independently (an axpy over the rows of b), so grouping does not change the result.
func matMulRows(dst, a, b []float32, r, k, n int) {
	if haveFMA {
		gemm(dst, a, b, r, k, n, k, n, n, false)
		return
	}
	if k == 0 {
		clear(dst[:r*n])
		return
	}
	for i := 0; i < r; i += 3 {
		j := min(i+3, r)
		vek32.MatMul_Into(dst[i*n:j*n], a[i*k:j*k], b[:k*n], k)
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

func checkMatMul(op string, dst, a, b []float32, nd, na, nb int) {
	if len(dst) < nd || len(a) < na || len(b) < nb {
		panic("tensor." + op + ": slice shorter than its m/k/n shape (programming error in the caller)")
	}
}
