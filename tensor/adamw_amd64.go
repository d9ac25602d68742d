package tensor

//go:noescape
func adamwUpdate8(w, g, md, vd []float32, k *adamwCoef, n int)
