package bpe

// candidate is a possible merge of the symbol at pos with the symbol after it.
type candidate struct {
	rank, id int32
	pos      int32
}

// less orders candidates by rank, then by position: the lowest-ranked pair merges first, the
// leftmost one among equal ranks.
func (a candidate) less(b candidate) bool {
	return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos)
}

// candidateHeap is a binary min-heap of candidates.
type candidateHeap []candidate

func (h *candidateHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *candidateHeap) pop() candidate {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].less(s[m]) {
			m = l
		}
		if r < len(s) && s[r].less(s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// merge applies the BPE merges to a word's symbols: repeatedly join the adjacent pair with the lowest
// merge rank (leftmost on ties) until no adjacent pair has a merge. Symbols live in a doubly linked
// list over the slice; a heap holds the candidate merges, and a candidate whose symbols changed since
// it was pushed is skipped when popped. Cost O(n log n) in the word's length n.
func (m *bpeModel) merge(syms []int32) []int {
	n := len(syms)
	if n == 0 {
		return nil
	}
	prev := make([]int32, n)
	next := make([]int32, n)
	alive := make([]bool, n)
	var h candidateHeap
	for i := range syms {
		prev[i], next[i], alive[i] = int32(i-1), int32(i+1), true
		if i+1 < n {
			if r, ok := m.merges[symbolPair{syms[i], syms[i+1]}]; ok {
				h.push(candidate{rank: r.rank, id: r.id, pos: int32(i)})
			}
		}
	}
	next[n-1] = -1
	for len(h) > 0 {
		c := h.pop()
		i := c.pos
		if !alive[i] || next[i] < 0 {
			continue
		}
		j := next[i]
		if r, ok := m.merges[symbolPair{syms[i], syms[j]}]; !ok || r.id != c.id {
			continue // stale: one of the two symbols was merged away since
		}
		syms[i] = c.id
		alive[j] = false
		next[i] = next[j]
		if next[j] >= 0 {
			prev[next[j]] = i
		}
		if p := prev[i]; p >= 0 {
			if r, ok := m.merges[symbolPair{syms[p], syms[i]}]; ok {
				h.push(candidate{rank: r.rank, id: r.id, pos: p})
			}
		}
		if k := next[i]; k >= 0 {
			if r, ok := m.merges[symbolPair{syms[i], syms[k]}]; ok {
				h.push(candidate{rank: r.rank, id: r.id, pos: i})
			}
		}
	}
	out := make([]int, 0, n)
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, int(syms[i]))
	}
	return out
}
