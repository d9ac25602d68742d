package tensor

import "github.com/viterin/vek/vek32"

// Linear computes y = x W^T + b (PyTorch nn.Linear layout).
// x [..., in], w [out, in], b [out] or nil -> y [..., out].
// Backward: dx += dy W, dW += dy^T x, db += sum over rows of dy.
func (tp *Tape) Linear(x, w, b *Var) *Var {
	rows, in := lastDim(x.Value)
	if len(w.Value.Shape) != 2 || w.Value.Shape[1] != in {
		shapePanic("Linear", "weight "+shapeStr(w.Value)+" does not match input "+shapeStr(x.Value)+"; want [out, in]")
	}
	out := w.Value.Shape[0]
	if b != nil && len(b.Value.Data) != out {
		shapePanic("Linear", "bias "+shapeStr(b.Value)+" does not match weight "+shapeStr(w.Value))
	}
	shape := append(append([]int(nil), x.Value.Shape[:len(x.Value.Shape)-1]...), out)
	y := tp.alloc(false, shape...) // [..., out], overwritten by the product
	MatMulTransB(y.Data, x.Value.Data, w.Value.Data, rows, in, out)
	if b != nil {
		addBiasRows(y.Data, b.Value.Data, rows, out)
	}
	res := result(y, x, w, b)
	tp.record(res, func(g []float32) {
		if dx, overwrite := tp.gradOut(x); dx != nil {
			gemmPar(dx, in, view{data: g, ld: out}, view{data: w.Value.Data, ld: in}, rows, out, in, !overwrite) // dx (+)= dy W
		}
		if dw := tp.gradData(w); dw != nil {
			MatMulTransAAcc(dw, g, x.Value.Data, rows, out, in)
		}
		if db := tp.gradData(b); db != nil {
			sumRowsInto(db, g, rows, out)
		}
	})
	return res
}

// BatchedMatMul computes c[i] = a[i] @ b[i] for each batch index i.
// a [B, M, K], b [B, K, N] -> c [B, M, N].
func (tp *Tape) BatchedMatMul(a, b *Var) *Var {
	as, bs := a.Value.Shape, b.Value.Shape
	if len(as) != 3 || len(bs) != 3 || as[0] != bs[0] || as[2] != bs[1] {
		shapePanic("BatchedMatMul", "shapes "+shapeStr(a.Value)+" and "+shapeStr(b.Value)+" do not match; want [B,M,K] and [B,K,N]")
	}
	nb, m, k, n := as[0], as[1], as[2], bs[2]
	c := tp.alloc(false, nb, m, n) // [B, M, N], overwritten by the products
	Parallel(nb, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			matMulRows(c.Data[i*m*n:(i+1)*m*n], a.Value.Data[i*m*k:(i+1)*m*k], b.Value.Data[i*k*n:(i+1)*k*n], m, k, n)
		}
	})
	res := result(c, a, b)
	tp.record(res, func(g []float32) {
		da, db := tp.gradData(a), tp.gradData(b)
		Parallel(nb, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				gi := g[i*m*n : (i+1)*m*n]
				ai, bi := a.Value.Data[i*m*k:(i+1)*m*k], b.Value.Data[i*k*n:(i+1)*k*n]
				if da != nil { // da[i] += g[i] @ b[i]^T
					matMulTransBRowsAcc(da[i*m*k:(i+1)*m*k], gi, bi, m, n, k)
				}
				if db != nil { // db[i] += a[i]^T @ g[i]
					matMulTransARowsAcc(db[i*k*n:(i+1)*k*n], ai, gi, k, m, n)
				}
			}
		})
	})
	return res
}

// Add returns a + b (same shape), the residual connection.
func (tp *Tape) Add(a, b *Var) *Var {
	if len(a.Value.Data) != len(b.Value.Data) {
		shapePanic("Add", "shapes "+shapeStr(a.Value)+" and "+shapeStr(b.Value)+" differ")
	}
	y := tp.alloc(false, a.Value.Shape...)
	elementwise(len(y.Data), func(lo, hi int) { vek32.Add_Into(y.Data[lo:hi], a.Value.Data[lo:hi], b.Value.Data[lo:hi]) })
	res := result(y, a, b)
	tp.record(res, func(g []float32) {
		// On an arena tape a's first gradient is g itself (nothing reads res's gradient afterwards).
		if tp.arena != nil && a.needsGrad && a.Grad == nil {
			a.Grad = &Tensor{Shape: append([]int(nil), a.Value.Shape...), Data: g}
			res.Grad = nil // g now belongs to a: not recycled with res
		} else if da := tp.gradData(a); da != nil {
			elementwise(len(g), func(lo, hi int) { addInto(da[lo:hi], g[lo:hi]) })
		}
		if db, overwrite := tp.gradOut(b); db != nil {
			elementwise(len(g), func(lo, hi int) {
				if overwrite {
					copy(db[lo:hi], g[lo:hi])
				} else {
					addInto(db[lo:hi], g[lo:hi])
				}
			})
		}
	})
	return res
}

// Embedding gathers rows of table [V, D] -> [len(ids), D]. Ids outside [0, V) give a zero row and no
// gradient; callers check ids against the vocabulary first (policy rejects such sequences with an error).
func (tp *Tape) Embedding(table *Var, ids []int) *Var {
	if len(table.Value.Shape) != 2 {
		shapePanic("Embedding", "table "+shapeStr(table.Value)+" is not [V, D]")
	}
	nv, d := table.Value.Shape[0], table.Value.Shape[1]
	y := tp.alloc(false, len(ids), d) // [N, D]
	for i, id := range ids {
		if id >= 0 && id < nv {
			copy(y.Data[i*d:(i+1)*d], table.Value.Data[id*d:(id+1)*d])
		} else {
			clear(y.Data[i*d : (i+1)*d])
		}
	}
	res := result(y, table)
	tp.record(res, func(g []float32) {
		dt := tp.gradData(table)
		for i, id := range ids { // in order of i: deterministic accumulation for repeated ids
			if id >= 0 && id < nv {
				addInto(dt[id*d:(id+1)*d], g[i*d:(i+1)*d])
			}
		}
	})
	return res
}
