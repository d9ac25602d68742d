package tensor

//go:noescape
func dotRows8(dst []float32, q []float32, k []float32, n int, hd int)

//go:noescape
func weightedRows32(dst []float32, w []float32, v []float32, n int, hd int)

//go:noescape
func weightedRows64(dst []float32, w []float32, v []float32, n int, hd int)
