//go:build !amd64

package tensor

// Off amd64 simdElementwise is false and these are never called: the Go loops do all the work.

func sigmoidNegClamp8(s, x []float32, n int) {}

func sigmoidRecip8(s []float32, n int) {}
