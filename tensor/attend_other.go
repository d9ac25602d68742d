//go:build !amd64

package tensor

func dotRows8(dst []float32, q []float32, k []float32, n int, hd int) { dotRowsGo(dst, q, k, n, hd) }

func weightedRows32(dst []float32, w []float32, v []float32, n int, hd int) {
	weightedRowsGo(dst, w, v, n, hd)
}

func weightedRows64(dst []float32, w []float32, v []float32, n int, hd int) {
	weightedRowsGo(dst, w, v, n, hd)
}
