package tensor

// Matrix kernels. All matrices are dense row-major float32 slices. They run the packed 6x16
// micro-kernel of gemm_packed.go (AVX2+FMA assembly, or portable Go elsewhere); transposed operands
// are read in place while packing. Each output element is one FMA chain over the shared dimension in
// increasing order, so results do not depend on GOMAXPROCS or on how many rows share the call.

// MatMul sets dst[m,n] = a[m,k] @ b[k,n].
func MatMul(dst, a, b []float32, m, k, n int) {
	checkMatMul("MatMul", dst, a, b, m*n, m*k, k*n)
	gemmPar(dst, n, view{data: a, ld: k}, view{data: b, ld: n}, m, k, n, false)
}

// matMulAcc adds a[m,k] @ b[k,n] into dst[m,n].
func matMulAcc(dst, a, b []float32, m, k, n int) {
	gemmPar(dst, n, view{data: a, ld: k}, view{data: b, ld: n}, m, k, n, true)
}

// MatMulTransB sets dst[m,n] = a[m,k] @ b[n,k]^T (b holds n rows of length k, like a Linear weight).
func MatMulTransB(dst, a, b []float32, m, k, n int) {
	checkMatMul("MatMulTransB", dst, a, b, m*n, m*k, n*k)
	gemmPar(dst, n, view{data: a, ld: k}, view{data: b, ld: k, trans: true}, m, k, n, false)
}

// MatMulTransAAcc adds a[m,k]^T @ b[m,n] into dst[k,n] (weight gradients: dW += dY^T X).
// Each element of dst receives one chain over m in increasing order, added once.
func MatMulTransAAcc(dst, a, b []float32, m, k, n int) {
	checkMatMul("MatMulTransAAcc", dst, a, b, k*n, m*k, m*n)
	gemmPar(dst, n, view{data: a, ld: k, trans: true}, view{data: b, ld: n}, k, m, n, true)
}

// matMulRows sets dst[r,n] = a[r,k] @ b[k,n] on the calling goroutine.
func matMulRows(dst, a, b []float32, r, k, n int) {
	gemmBlock(dst, n, view{data: a, ld: k}, view{data: b, ld: n}, 0, r, 0, n, k, false)
}

// matMulTransBRows sets dst[r,n] = a[r,k] @ b[n,k]^T on the calling goroutine.
func matMulTransBRows(dst, a, b []float32, r, k, n int) {
	gemmBlock(dst, n, view{data: a, ld: k}, view{data: b, ld: k, trans: true}, 0, r, 0, n, k, false)
}

// matMulTransARowsAcc adds a[k,r]^T @ b[k,n] into dst[r,n] on the calling goroutine.
func matMulTransARowsAcc(dst, a, b []float32, r, k, n int) {
	gemmBlock(dst, n, view{data: a, ld: r, trans: true}, view{data: b, ld: n}, 0, r, 0, n, k, true)
}

// matMulTransBRowsAcc adds a[r,k] @ b[n,k]^T into dst[r,n] on the calling goroutine.
func matMulTransBRowsAcc(dst, a, b []float32, r, k, n int) {
	gemmBlock(dst, n, view{data: a, ld: k}, view{data: b, ld: k, trans: true}, 0, r, 0, n, k, true)
}

func checkMatMul(op string, dst, a, b []float32, nd, na, nb int) {
	if len(dst) < nd || len(a) < na || len(b) < nb {
		panic("tensor." + op + ": slice shorter than its m/k/n shape (programming error in the caller)")
	}
}
