package tensor

import "github.com/viterin/vek/vek32"

// addInto sets dst += src elementwise.
func addInto(dst, src []float32) {
	if len(src) == 0 {
		return
	}
	vek32.Add_Inplace(dst[:len(src)], src)
}

// addBiasRows adds bias [d] to every row of y [rows, d].
func addBiasRows(y, bias []float32, rows, d int) {
	for r := 0; r < rows; r++ {
		vek32.Add_Inplace(y[r*d:(r+1)*d], bias)
	}
}

// sumRowsInto adds the column sums of g [rows, d] into dst [d], rows in increasing order. The columns
// are cut into fixed chunks (of at least 192, a function of d only) summed in parallel; each element's
// chain over the rows is the same whatever the chunking.
func sumRowsInto(dst, g []float32, rows, d int) {
	parallelGrain(d, 192, func(lo, hi int) {
		for r := 0; r < rows; r++ {
			vek32.Add_Inplace(dst[lo:hi], g[r*d+lo:r*d+hi])
		}
	})
}
