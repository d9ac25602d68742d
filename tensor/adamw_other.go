//go:build !amd64

package tensor

// Off amd64 simdElementwise is false and these are never called: adamwUpdateGo does all the work.

func adamwUpdate8(w, g, md, vd []float32, k *adamwCoef, n int) {}
