package tensor

//go:noescape
func tanhArgPre8(t []float32, x []float32, n int)

//go:noescape
func tanhArgPost8(t []float32, n int)

//go:noescape
func geluGrad8(dx []float32, g []float32, x []float32, th []float32, n int)
