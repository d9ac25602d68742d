package tensor

// Single-query attention kernels for a KV-cache sampler: one query row against n cached rows.

// DotRows sets dst[p] = q · k[p*hd:(p+1)*hd] for p < n (attention scores of one query head against
// n cached keys). q has hd elements, k at least n*hd, dst at least n.
func DotRows(dst, q, k []float32, n, hd int) {
	if n <= 0 {
		return
	}
	_, _, _ = dst[n-1], q[hd-1], k[n*hd-1] // bounds, before the assembly reads them
	if haveFMA && hd%8 == 0 {
		dotRows8(dst, q, k, n, hd)
		return
	}
	dotRowsGo(dst, q, k, n, hd)
}

// WeightedRows sets dst[0:hd] = Σ_{p<n} w[p] v[p*hd:(p+1)*hd] (the attention-weighted sum of n cached
// values), each element one chain over p in increasing order.
func WeightedRows(dst, w, v []float32, n, hd int) {
	if n <= 0 {
		clear(dst[:hd])
		return
	}
	_, _, _ = dst[hd-1], w[n-1], v[n*hd-1]
	if haveFMA && hd%64 == 0 {
		weightedRows64(dst, w, v, n, hd)
		return
	}
	if haveFMA && hd%32 == 0 {
		weightedRows32(dst, w, v, n, hd)
		return
	}
	weightedRowsGo(dst, w, v, n, hd)
}

func dotRowsGo(dst, q, k []float32, n, hd int) {
	for p := 0; p < n; p++ {
		var s float32
		for i, x := range k[p*hd : (p+1)*hd] {
			s += q[i] * x
		}
		dst[p] = s
	}
}

func weightedRowsGo(dst, w, v []float32, n, hd int) {
	d := dst[:hd]
	clear(d)
	for p := 0; p < n; p++ {
		wp := w[p]
		for i, x := range v[p*hd : (p+1)*hd] {
			d[i] += wp * x
		}
	}
}
