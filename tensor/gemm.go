package tensor

// gemm sets (add=false) or adds to (add=true) c[r,n] the product a[r,k] @ b[k,n] (leading dimensions
// lda, ldb, ldc) on the calling goroutine.
// With AVX2+FMA it runs register-blocked 4x16 / 1x16 micro-kernels (each output element is a fresh
// FMA chain over k in increasing order, then stored or added to c); columns past the last multiple of 16 use a
// scalar loop. The arithmetic for an element depends only on the shapes, never on the thread count.
func gemm(c, a, b []float32, r, k, n, lda, ldb, ldc int, add bool) {
	n16 := 0
	if haveFMA {
		n16 = n &^ 15
	}
	i := 0
	if n16 > 0 {
		for ; i+4 <= r; i += 4 {
			for j := 0; j < n16; j += 16 {
				gemm4x16(a[i*lda:], lda, b[j:], ldb, c[i*ldc+j:], ldc, k, add)
			}
		}
		for ; i < r; i++ {
			for j := 0; j < n16; j += 16 {
				gemm1x16(a[i*lda:], b[j:], ldb, c[i*ldc+j:], k, add)
			}
		}
	}
	if n16 == n {
		return
	}
	for i := 0; i < r; i++ {
		crow := c[i*ldc : i*ldc+n]
		for j := n16; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i*lda+p] * b[p*ldb+j]
			}
			if add {
				crow[j] += s
			} else {
				crow[j] = s
			}
		}
	}
}
