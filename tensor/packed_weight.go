package tensor

// PackedWeight is a Linear weight W [out, in] copied once into the layout the matrix kernel reads
// (16-column panels of W^T, zero-padded), for code that multiplies by the same weights many times
// (the KV-cache sampler, once per generated token). Products with it are bit-identical to
// MatMulTransB with W and to MatMul with W^T. It is a snapshot: rebuild it after W changes.
type PackedWeight struct {
	data    []float32 // [ceil(out/16), in, 16]
	in, out int
}

// PackWeight packs w [out, in]; w must hold out*in elements (a shorter slice is a programming error
// in the caller and panics, like MatMul's shape checks).
func PackWeight(w []float32, out, in int) *PackedWeight {
	if len(w) < out*in {
		panic("tensor.PackWeight: weight slice shorter than out*in (programming error in the caller)")
	}
	return packWeightInto(make([]float32, packedLen(out, in)), w, out, in)
}

// packedLen is the length of a packed [out, in] weight.
func packedLen(out, in int) int { return (out + gemmNR - 1) / gemmNR * gemmNR * in }

// PackedLen is the number of float32s PackWeightInto needs for an [out, in] weight.
func PackedLen(out, in int) int { return packedLen(out, in) }

// PackWeightInto is PackWeight into dst (at least PackedLen(out, in) elements, arbitrary contents),
// for callers that reuse the memory of the packed copies.
func PackWeightInto(dst, w []float32, out, in int) *PackedWeight {
	if len(w) < out*in || len(dst) < packedLen(out, in) {
		panic("tensor.PackWeightInto: weight or destination shorter than the shape (programming error in the caller)")
	}
	return packWeightInto(dst, w, out, in)
}

// packWeightInto is PackWeight into dst (packedLen(out, in) elements, e.g. scratch).
func packWeightInto(dst, w []float32, out, in int) *PackedWeight {
	pb := (out + gemmNR - 1) / gemmNR
	p := &PackedWeight{data: dst[:packedLen(out, in)], in: in, out: out}
	src := view{data: w, ld: in, trans: true} // B = W^T [in, out]
	parallelGrain(pb, 64, func(lo, hi int) {  // panels are disjoint
		for j := lo; j < hi; j++ {
			packB(p.data[j*gemmNR*in:(j+1)*gemmNR*in], src, j*gemmNR, min(gemmNR, out-j*gemmNR), 0, in)
		}
	})
	return p
}

// MatMulPacked sets dst[m, out] = x[m, in] @ W^T.
func MatMulPacked(dst, x []float32, w *PackedWeight, m int) {
	checkMatMul("MatMulPacked", dst, x, w.data, m*w.out, m*w.in, 0)
	gemmPar(dst, w.out, view{data: x, ld: w.in}, view{data: w.data, ld: w.in, packed: true}, m, w.in, w.out, false)
}
