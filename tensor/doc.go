// Package tensor is grit's compact float32 tensor backend: matrix kernels, reverse-mode autodiff over
// a tape of fused ops with hand-written backward passes, and optimisers.
package tensor
