package tensor

import "os"

// simdElementwise selects the assembly loops of the AdamW update (adamw_amd64.s) and of the sigmoid
// (sigmoid_amd64.s) where the CPU has AVX2. They compute the same float32 operations in the same
// order as the Go loops they replace, so the bits do not depend on the choice. GRITDEV_SIMD=go forces
// the Go loops (to time or test them); tests flip the variable directly.
var simdElementwise = haveFMA && simdForced() != "go"

// simdForced reads GRITDEV_SIMD: empty or "auto" (the assembly loops where the CPU has AVX2) or "go".
// (A 16-lane AVX-512 AdamW loop was measured 5-7% slower per CPU second than the AVX2 one: the update
// is bound by its divisions and by memory traffic, not by the vector width.)
func simdForced() string {
	switch v := os.Getenv("GRITDEV_SIMD"); v {
	case "", "auto", "go":
		return v
	default:
		panic("tensor: GRITDEV_SIMD=" + v + " is not an elementwise-loop choice; use auto or go (or unset it)")
	}
}
