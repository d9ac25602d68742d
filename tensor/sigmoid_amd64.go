package tensor

//go:noescape
func sigmoidNegClamp8(s, x []float32, n int)

//go:noescape
func sigmoidRecip8(s []float32, n int)
