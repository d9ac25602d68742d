package tensor

// Blocked matrix multiply: C[m,n] (+)= A[m,k] B[k,n] where A and B are views that may be transposed
// in place, so no caller transposes a matrix first. C is cut into tiles of mr rows by nr columns
// (6x16 for the AVX2 kernel, 8x48 for the AVX-512 one, see gemmTile), each computed by micro-kernel
// calls that read A and B through strides; a transposed B and the edge tiles are first copied into
// contiguous zero-padded panels (A as k groups of mr, B as 16-column panels of k rows). Every element
// of C is one FMA chain over k in increasing order, starting from 0 (or from C's value when
// accumulating), whatever the kernel, the tile's position, the partition or the thread count, so the
// same product gives bit-identical elements in training (2048 rows) and sampling (64 rows), with
// either kernel.

const (
	gemmMR = 6  // AVX2 (and portable) micro-kernel rows
	gemmNR = 16 // B panel width: the AVX2 kernel's columns, one AVX-512 vector

	gemmMRZ      = 8            // AVX-512 micro-kernel rows
	gemmPanelsZ  = 3            // AVX-512 micro-kernel columns, in 16-column panels
	gemmTileSize = gemmMRZ * 48 // the largest tile, for edge copies
)

// gemmTile is the tile of the kernel in use: rows, columns.
func gemmTile() (mr, nr int) {
	if haveAVX512 {
		return gemmMRZ, gemmPanelsZ * gemmNR
	}
	return gemmMR, gemmNR
}

// view is a read-only matrix operand: element (i, j) is data[i*ld+j], or data[j*ld+i] when trans.
// A packed view (B operands only) holds 16-column panels of k rows each, zero-padded: element
// (p, j) is data[(j/16)*16*ld + p*16 + j%16] with ld = k.
type view struct {
	data   []float32
	ld     int
	trans  bool
	packed bool
}

// gemmPar computes C (+)= A B with C [m, n] (leading dimension ldc) in parallel over a fixed 2-D grid
// of tile blocks that depends only on m, k, n (and the kernel's tile).
func gemmPar(c []float32, ldc int, a, b view, m, k, n int, add bool) {
	mr, nr := gemmTile()
	rb, pb := (m+mr-1)/mr, (n+nr-1)/nr
	rg, cg := gemmGrid(m, k, n, rb, pb)
	if b.trans && rg > 1 && k > 0 {
		// Every row group would pack the same panels: pack B once, in parallel over panels.
		np := (n + gemmNR - 1) / gemmNR
		bp := getScratch(np * gemmNR * k) // [np, k, 16]
		parallelGrain(np, 1, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				packB(bp[j*gemmNR*k:(j+1)*gemmNR*k], b, j*gemmNR, min(gemmNR, n-j*gemmNR), 0, k)
			}
		})
		defer putScratch(bp)
		b = view{data: bp, ld: k, packed: true}
	}
	parallelGrain(rg*cg, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			g, h := t/cg, t%cg
			i0, i1 := g*rb/rg*mr, min((g+1)*rb/rg*mr, m)
			j0, j1 := h*pb/cg*nr, min((h+1)*pb/cg*nr, n)
			gemmBlock(c, ldc, a, b, i0, i1, j0, j1, k, add)
		}
	})
}

// gemmGrid picks rg row groups x cg column groups (powers of two, at most 16 blocks, about 256k
// flops each at least) minimising the traffic rg*n + cg*m: every block reads its own rows of A and
// its own columns of B (and packs them when transposed).
func gemmGrid(m, k, n, rb, pb int) (rg, cg int) {
	blocks := 1
	for work := 2 * m * k * n; blocks < maxChunks && work >= blocks*2<<18; blocks *= 2 {
	}
	for ; blocks > 1; blocks /= 2 {
		best := -1
		for r := 1; r <= blocks; r *= 2 {
			c := blocks / r
			if r > rb || c > pb {
				continue
			}
			if cost := r*n + c*m; best < 0 || cost < best {
				best, rg, cg = cost, r, c
			}
		}
		if best >= 0 {
			return rg, cg
		}
	}
	return 1, 1
}

// gemmKC is the slice of the shared dimension packed at a time: a 16-column B panel of gemmKC rows
// (16 KiB) stays in L1 while the kernel runs down the rows. Each C element keeps one chain over k:
// later slices continue from the value the earlier ones stored.
const gemmKC = 256

// gemmBlock computes rows [i0,i1) x columns [j0,j1) of C on the calling goroutine, one slice of k
// at a time. The kernel reads full row blocks of A and 16-column panels of a row-major B in place
// (strided); a transposed B is packed tile by tile (kept in L1 while the kernel runs down the rows),
// and edge blocks are packed zero-padded.
func gemmBlock(c []float32, ldc int, a, b view, i0, i1, j0, j1, k int, add bool) {
	if i0 >= i1 || j0 >= j1 {
		return
	}
	if k == 0 {
		if !add {
			for i := i0; i < i1; i++ {
				clear(c[i*ldc+j0 : i*ldc+j1])
			}
		}
		return
	}
	mr, nr := gemmTile()
	kc := min(k, gemmKC)
	var ap, bp []float32
	if (i1-i0)%mr != 0 {
		ap = getScratch(mr * kc) // [kc, mr]: the last, partial row block
	}
	if !b.packed && (b.trans || (j1-j0)%gemmNR != 0) {
		bp = getScratch(nr * kc) // [nr/16, kc, 16]
	}
	lastRows := i0 + (i1-i0)/mr*mr // rows from here on form the partial block
	var at []float32
	if a.trans && lastRows > i0 && stridedBadly(a.ld) {
		at = getScratch((lastRows - i0) * kc) // full row blocks of a transposed A, each [kc, mr]
	}
	var tile [gemmTileSize]float32
	for p0 := 0; p0 < k; p0 += gemmKC {
		kl := min(gemmKC, k-p0)
		load := add || p0 > 0 // continue the chain from what C holds
		if lastRows < i1 {
			packA(ap, a, lastRows, i1-lastRows, mr, p0, kl)
		}
		if at != nil {
			packATrans(at, a, i0, lastRows, mr, p0, kl)
		}
		for j := j0; j < j1; j += nr {
			cols := min(nr, j1-j)
			panels := (cols + gemmNR - 1) / gemmNR
			width := panels * gemmNR
			var bs []float32
			var bstep, bpanel int
			switch {
			case b.packed:
				bs, bstep, bpanel = b.data[(j/gemmNR)*gemmNR*b.ld+p0*gemmNR:], gemmNR, gemmNR*b.ld
			case b.trans || cols%gemmNR != 0:
				for q := 0; q < panels; q++ {
					packB(bp[q*gemmNR*kl:(q+1)*gemmNR*kl], b, j+q*gemmNR, min(gemmNR, cols-q*gemmNR), p0, kl)
				}
				bs, bstep, bpanel = bp, gemmNR, gemmNR*kl
			default:
				bs, bstep, bpanel = b.data[p0*b.ld+j:], b.ld, gemmNR
			}
			for r0 := i0; r0 < i1; r0 += mr {
				rows := min(mr, i1-r0)
				as, lda, astep := ap, 1, mr
				switch {
				case rows == mr && at != nil:
					as = at[(r0-i0)*kl:]
				case rows == mr:
					as, lda, astep = a.block(r0, p0)
				}
				if rows == mr && cols == width {
					gemmKernel(panels, as, lda, astep, bs, bstep, bpanel, c[r0*ldc+j:], ldc, kl, load)
					continue
				}
				// Edge tile: run the full tile on a copy, then store its valid part.
				t := tile[:mr*width]
				if load {
					clear(t)
					for r := 0; r < rows; r++ {
						copy(t[r*width:r*width+cols], c[(r0+r)*ldc+j:(r0+r)*ldc+j+cols])
					}
				}
				gemmKernel(panels, as, lda, astep, bs, bstep, bpanel, t, width, kl, load)
				for r := 0; r < rows; r++ {
					copy(c[(r0+r)*ldc+j:(r0+r)*ldc+j+cols], t[r*width:r*width+cols])
				}
			}
		}
	}
	putScratch(ap)
	putScratch(bp)
	putScratch(at)
}

// block returns the kernel's view of the rows of A from row r0, column p0 on: the data from that
// element and the strides between rows and between columns.
func (a view) block(r0, p0 int) (data []float32, lda, astep int) {
	if a.trans {
		return a.data[p0*a.ld+r0:], 1, a.ld
	}
	return a.data[r0*a.ld+p0:], a.ld, 1
}

// gemmKernel runs the micro-kernel of gemmTile on one tile of panels 16-column panels of B (the next
// panel bpanel elements on): AVX-512 (8 rows, 1-3 panels), else AVX2+FMA or Go (6 rows, 1 panel).
func gemmKernel(panels int, a []float32, lda, astep int, b []float32, bstep, bpanel int, c []float32, ldc, k int, add bool) {
	switch {
	case haveAVX512:
		gemmAVX512(panels, a, lda, astep, b, bstep, bpanel, c, ldc, k, add)
	case haveFMA:
		gemm6x16(a, lda, astep, b, bstep, c, ldc, k, add)
	default:
		gemm6x16Go(a, lda, astep, b, bstep, c, ldc, k, add)
	}
}

// packA writes rows [i0, i0+rows) (rows < mr: the partial last block) x columns [p0, p0+k) of A into
// dst as k groups of mr, zero-padded.
func packA(dst []float32, a view, i0, rows, mr, p0, k int) {
	dst = dst[:k*mr]
	if a.trans { // row i of A is column i of data: each group is up to mr consecutive elements
		for p := 0; p < k; p++ {
			d := dst[p*mr : (p+1)*mr]
			copy(d, a.data[(p0+p)*a.ld+i0:(p0+p)*a.ld+i0+rows])
			clear(d[rows:])
		}
		return
	}
	clear(dst)
	for r := 0; r < rows; r++ {
		for p, v := range a.data[(i0+r)*a.ld+p0 : (i0+r)*a.ld+p0+k] {
			dst[p*mr+r] = v
		}
	}
}

// stridedBadly reports whether reading a transposed A in place, one group of rows per k step ld
// elements apart, is slow enough to pay for copying it: a stride that is a multiple of 1 KiB maps
// every step's cache line to one of a few L1 sets, and a stride of 32 KiB or more touches a new page
// every step. (Measured at SmolLM2's shapes: ld 1536 and 49152 gain 18-28% from the copy, ld 576
// loses 6%.)
func stridedBadly(ld int) bool { return ld%256 == 0 || ld >= 8192 }

// packATrans copies the full row blocks [i0, i1) ((i1-i0) a multiple of mr) x columns [p0, p0+k) of a
// transposed A into dst, block after block, each as k groups of mr: the kernel then reads A
// contiguously instead of one cache line per k step, ld elements apart. The values are the same, so
// the products are unchanged.
func packATrans(dst []float32, a view, i0, i1, mr, p0, k int) {
	blocks := (i1 - i0) / mr
	for p := 0; p < k; p++ {
		src := a.data[(p0+p)*a.ld+i0 : (p0+p)*a.ld+i1]
		if mr == gemmMRZ { // element moves instead of a memmove call per group
			for blk := 0; blk < blocks; blk++ {
				d, s := dst[(blk*k+p)*mr:][:gemmMRZ], src[blk*mr:][:gemmMRZ]
				d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
			}
			continue
		}
		for blk := 0; blk < blocks; blk++ {
			copy(dst[(blk*k+p)*mr:(blk*k+p+1)*mr], src[blk*mr:(blk+1)*mr])
		}
	}
}

// packB writes rows [p0, p0+k) x columns [j0, j0+cols) (cols <= 16) of B into dst as k rows of 16,
// zero-padded.
func packB(dst []float32, b view, j0, cols, p0, k int) {
	dst = dst[:k*gemmNR]
	if !b.trans {
		for p := 0; p < k; p++ {
			d := dst[p*gemmNR : (p+1)*gemmNR]
			copy(d, b.data[(p0+p)*b.ld+j0:(p0+p)*b.ld+j0+cols])
			clear(d[cols:])
		}
		return
	}
	if cols < gemmNR {
		clear(dst)
	}
	for q := 0; q < cols; q++ { // column j0+q of B is row j0+q of data
		for p, v := range b.data[(j0+q)*b.ld+p0 : (j0+q)*b.ld+p0+k] {
			dst[p*gemmNR+q] = v
		}
	}
}

// gemm6x16Go is the portable micro-kernel: the same tile, strides, start value and summation order
// as gemm6x16, without fused multiply-add.
func gemm6x16Go(a []float32, lda, astep int, b []float32, bstep int, c []float32, ldc, k int, add bool) {
	var acc [gemmMR * gemmNR]float32
	if add {
		for r := 0; r < gemmMR; r++ {
			copy(acc[r*gemmNR:(r+1)*gemmNR], c[r*ldc:r*ldc+gemmNR])
		}
	}
	for p := 0; p < k; p++ {
		bp := b[p*bstep : p*bstep+gemmNR]
		for r := 0; r < gemmMR; r++ {
			av := a[r*lda+p*astep]
			row := acc[r*gemmNR : (r+1)*gemmNR]
			for q, bv := range bp {
				row[q] += av * bv
			}
		}
	}
	for r := 0; r < gemmMR; r++ {
		copy(c[r*ldc:r*ldc+gemmNR], acc[r*gemmNR:(r+1)*gemmNR])
	}
}
