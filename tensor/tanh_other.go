//go:build !amd64

package tensor

func tanhArgPre8(t []float32, x []float32, n int) {}

func tanhArgPost8(t []float32, n int) {}

func geluGrad8(dx []float32, g []float32, x []float32, th []float32, n int) {}
