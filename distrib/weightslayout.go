package distrib

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"grit/tensor"
)

// A policy version's weights file without the disk: a safetensors file is
//
//	[8-byte little-endian header length n][n bytes: JSON header][tensor data]
//
// and the header (names, dtypes, shapes, offsets, metadata) does not depend on the values. When
// the file a policy's Save wrote is exactly its header followed by every parameter's values (as
// F32, or rounded to BF16 by toBF16) in the header's offset order, later versions of that policy
// are that header plus the parameters' new values: the learner encodes them from memory (no file,
// no fsync) and a worker decodes them into the policy it already holds. weightsLayout is that
// check's result; a family whose file is anything else (other names, transformed values) fails
// it, and its versions go through Save and LoadPolicy every time.

// weightsLayout is a checked weights file layout: header bytes, then tensors in offset order.
type weightsLayout struct {
	header  []byte   // the first 8+n bytes of the file
	names   []string // tensors in data order, each a parameter of the same name and shape
	elems   []int    // values per tensor
	bf16    bool     // every tensor is BF16 (else every one is F32)
	dataLen int64
}

type layoutEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// readLayout parses the header of a safetensors file read from r and checks that its tensors
// are params of the same name and shape, all F32 or all BF16, packed back to back.
func readLayout(r io.Reader, params []*tensor.Param) (*weightsLayout, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > 100<<20 {
		return nil, fmt.Errorf("header of %d bytes", n)
	}
	hdr := make([]byte, 8+n)
	copy(hdr, lenBuf[:])
	if _, err := io.ReadFull(r, hdr[8:]); err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr[8:], &raw); err != nil {
		return nil, err
	}
	byName := paramsByName(params)
	type item struct {
		name string
		e    layoutEntry
	}
	var items []item
	for name, msg := range raw {
		if name == "__metadata__" {
			continue
		}
		var e layoutEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, err
		}
		items = append(items, item{name, e})
	}
	if len(items) != len(params) || len(items) != len(byName) {
		return nil, fmt.Errorf("%d tensors for %d parameters", len(items), len(params))
	}
	sort.Slice(items, func(i, j int) bool { return items[i].e.DataOffsets[0] < items[j].e.DataOffsets[0] })
	l := &weightsLayout{header: hdr, bf16: len(items) > 0 && items[0].e.DType == "BF16"}
	width := int64(4)
	if l.bf16 {
		width = 2
	}
	for _, it := range items {
		p := byName[it.name]
		if p == nil || !slices.Equal(p.Value.Shape, it.e.Shape) || len(p.Value.Data) != elems(it.e.Shape) {
			return nil, fmt.Errorf("tensor %q is no parameter of that shape", it.name)
		}
		if want := map[bool]string{false: "F32", true: "BF16"}[l.bf16]; it.e.DType != want {
			return nil, fmt.Errorf("tensor %q is %s, the first one %s", it.name, it.e.DType, want)
		}
		size := int64(len(p.Value.Data)) * width
		if it.e.DataOffsets != [2]int64{l.dataLen, l.dataLen + size} {
			return nil, fmt.Errorf("tensor %q is not packed after the previous one", it.name)
		}
		l.names, l.elems = append(l.names, it.name), append(l.elems, len(p.Value.Data))
		l.dataLen += size
	}
	return l, nil
}

func paramsByName(params []*tensor.Param) map[string]*tensor.Param {
	m := make(map[string]*tensor.Param, len(params))
	for _, p := range params {
		m[p.Name] = p
	}
	return m
}

// size is the file's length in bytes.
func (l *weightsLayout) size() int64 { return int64(len(l.header)) + l.dataLen }

// values are the parameters' value slices in data order, or an error naming a parameter that is
// missing or changed size.
func (l *weightsLayout) values(params []*tensor.Param) ([][]float32, error) {
	byName := paramsByName(params)
	out := make([][]float32, len(l.names))
	for i, name := range l.names {
		p := byName[name]
		if p == nil || len(p.Value.Data) != l.elems[i] {
			return nil, fmt.Errorf("parameter %q is gone or changed size since the first policy version", name)
		}
		out[i] = p.Value.Data
	}
	return out, nil
}

// reader streams the weights file of the parameters' current values: the header, then every
// value as little-endian F32 bits or toBF16.
func (l *weightsLayout) reader(params []*tensor.Param) (io.Reader, error) {
	vals, err := l.values(params)
	if err != nil {
		return nil, err
	}
	return io.MultiReader(bytes.NewReader(l.header), &valuesReader{vals: vals, bf16: l.bf16}), nil
}

// valuesReader encodes float32 slices one after another.
type valuesReader struct {
	vals    [][]float32
	bf16    bool
	i, j    int     // next value: vals[i][j]
	pending []byte  // encoded bytes of a value that did not fit the last Read
	spare   [4]byte // pending's storage
}

func (r *valuesReader) Read(p []byte) (int, error) {
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	for n < len(p) && r.i < len(r.vals) {
		xs := r.vals[r.i]
		if r.j == len(xs) {
			r.i, r.j = r.i+1, 0
			continue
		}
		if r.bf16 {
			if len(p)-n < 2 {
				binary.LittleEndian.PutUint16(r.spare[:], toBF16(xs[r.j]))
				r.pending = r.spare[:2]
			} else {
				k := min((len(p)-n)/2, len(xs)-r.j)
				for _, x := range xs[r.j : r.j+k] {
					binary.LittleEndian.PutUint16(p[n:], toBF16(x))
					n += 2
				}
				r.j += k
				continue
			}
		} else {
			if len(p)-n < 4 {
				binary.LittleEndian.PutUint32(r.spare[:], math.Float32bits(xs[r.j]))
				r.pending = r.spare[:4]
			} else {
				k := min((len(p)-n)/4, len(xs)-r.j)
				if nativeLittleEndian {
					n += copy(p[n:], f32Bytes(xs[r.j:r.j+k]))
				} else {
					for _, x := range xs[r.j : r.j+k] {
						binary.LittleEndian.PutUint32(p[n:], math.Float32bits(x))
						n += 4
					}
				}
				r.j += k
				continue
			}
		}
		r.j++
		c := copy(p[n:], r.pending)
		r.pending, n = r.pending[c:], n+c
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// matches reports whether file holds exactly the weights file of the parameters' values.
func (l *weightsLayout) matches(file io.Reader, params []*tensor.Param) (bool, error) {
	enc, err := l.reader(params)
	if err != nil {
		return false, err
	}
	a, b := bufio.NewReaderSize(file, 1<<20), bufio.NewReaderSize(enc, 1<<20)
	bufA, bufB := make([]byte, 1<<16), make([]byte, 1<<16)
	for {
		na, errA := io.ReadFull(a, bufA)
		nb, errB := io.ReadFull(b, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		endA := errors.Is(errA, io.EOF) || errors.Is(errA, io.ErrUnexpectedEOF)
		endB := errors.Is(errB, io.EOF) || errors.Is(errB, io.ErrUnexpectedEOF)
		if errA != nil && !endA {
			return false, errA
		}
		if endA || endB {
			return endA && endB, nil
		}
	}
}

// decodeInto writes the values of file (a weights file of this layout: the same header bytes)
// into the parameters. Nothing is written unless every value is finite, as policy.LoadPolicy
// refuses a file with a NaN or an infinity.
func (l *weightsLayout) decodeInto(file []byte, params []*tensor.Param) error {
	if int64(len(file)) != l.size() || !bytes.Equal(file[:len(l.header)], l.header) {
		return errLayoutChanged
	}
	vals, err := l.values(params)
	if err != nil {
		return err
	}
	data := file[len(l.header):]
	width := 4
	if l.bf16 {
		width = 2
	}
	for i := 0; i < len(data); i += width {
		var bits uint32
		if l.bf16 {
			bits = uint32(binary.LittleEndian.Uint16(data[i:])) << 16
		} else {
			bits = binary.LittleEndian.Uint32(data[i:])
		}
		if bits&0x7f800000 == 0x7f800000 {
			off, k := i/width, 0
			for off >= l.elems[k] {
				off -= l.elems[k]
				k++
			}
			return fmt.Errorf("tensor %q holds a NaN or an infinity at element %d: the learner's policy diverged", l.names[k], off)
		}
	}
	off := 0
	for _, xs := range vals {
		if !l.bf16 && nativeLittleEndian {
			off += copy(f32Bytes(xs), data[off:off+4*len(xs)])
			continue
		}
		for j := range xs {
			if l.bf16 {
				xs[j] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(data[off:])) << 16)
			} else {
				xs[j] = math.Float32frombits(binary.LittleEndian.Uint32(data[off:]))
			}
			off += width
		}
	}
	return nil
}

// errLayoutChanged: a weights file whose header differs from the layout's (load it in full).
var errLayoutChanged = errors.New("the weights file's header differs from the loaded version's")
