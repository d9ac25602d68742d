package policy

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"

	"grit/tensor"
)

// safetensors layout (https://github.com/huggingface/safetensors):
//
//	[8 bytes: little-endian uint64 N][N bytes: JSON header][raw little-endian tensor data]
//
// The header maps each tensor name to {"dtype","shape","data_offsets":[begin,end]} with offsets
// relative to the start of the data section, plus an optional "__metadata__" string map.

const (
	safetensorsMetaKey   = "__metadata__"
	maxSafetensorsHeader = 100 << 20 // the reference implementation's limit
)

type safetensorsEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// WriteSafetensors writes float32 tensors (dtype "F32") and optional string metadata to path
// atomically. Tensors are stored in name order.
func WriteSafetensors(path string, tensors map[string]*tensor.Tensor, meta map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name, t := range tensors {
		if name == safetensorsMetaKey {
			return fmt.Errorf("write safetensors %s: %q is reserved and cannot name a tensor", path, name)
		}
		if t == nil {
			return fmt.Errorf("write safetensors %s: tensor %q is nil", path, name)
		}
		if n := shapeElems(t.Shape); n != len(t.Data) {
			return fmt.Errorf("write safetensors %s: tensor %q has shape %v (%d elements) but %d values", path, name, t.Shape, n, len(t.Data))
		}
		names = append(names, name)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(meta) > 0 {
		header[safetensorsMetaKey] = meta
	}
	var offset int64
	for _, name := range names {
		t := tensors[name]
		size := int64(len(t.Data)) * 4
		shape := append([]int{}, t.Shape...)
		header[name] = safetensorsEntry{DType: "F32", Shape: shape, DataOffsets: [2]int64{offset, offset + size}}
		offset += size
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write safetensors %s: %w", path, err)
	}
	for len(hdr)%8 != 0 { // the format pads the header with spaces to 8-byte alignment
		hdr = append(hdr, ' ')
	}
	return writeFileAtomic(path, func(f *os.File) error {
		w := bufio.NewWriterSize(f, 1<<20)
		var lenBuf [8]byte
		binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hdr)))
		w.Write(lenBuf[:])
		w.Write(hdr)
		buf := make([]byte, 0, 4096)
		for _, name := range names {
			for _, v := range tensors[name].Data {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) == cap(buf) {
					w.Write(buf)
					buf = buf[:0]
				}
			}
		}
		w.Write(buf)
		return w.Flush()
	})
}

// ReadSafetensors reads a whole safetensors file of F32, BF16 or F16 tensors into float32 (the
// half-precision formats widen exactly). It checks the header length, JSON, dtypes, shapes and data
// offsets against the file size, and reports the offending tensor by name; it never panics.
func ReadSafetensors(path string) (map[string]*tensor.Tensor, map[string]string, error) {
	f, err := OpenSafetensors(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	out := make(map[string]*tensor.Tensor, len(f.entries))
	for _, name := range f.Names() {
		t, err := f.Read(name)
		if err != nil {
			return nil, nil, err
		}
		out[name] = t
	}
	return out, f.Meta, nil
}

// SafetensorsFile is an open safetensors file whose header has been read and checked; Read loads
// one tensor at a time, so a loader can check names, shapes and dtypes before reading any data.
type SafetensorsFile struct {
	Path      string
	Meta      map[string]string // the header's __metadata__ (nil if absent)
	f         *os.File
	dataStart int64
	entries   map[string]safetensorsEntry
}

// safetensorsDTypeSize is the byte size of every dtype the format defines. Read converts the float
// ones listed in floatDTypes; the others can be listed and skipped, not read.
var safetensorsDTypeSize = map[string]int64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}

// FloatDTypes are the dtypes Read converts to float32.
var FloatDTypes = []string{"F32", "BF16", "F16"}

// OpenSafetensors reads and checks path's header. Close the file when done.
func OpenSafetensors(path string) (*SafetensorsFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read safetensors: %w", err)
	}
	s, err := readSafetensorsHeader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func readSafetensorsHeader(f *os.File, path string) (*SafetensorsFile, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read safetensors: %w", err)
	}
	size := st.Size()
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("read safetensors %s: file has %d bytes, too short for the 8-byte header length", path, size)
	}
	hdrLen := binary.LittleEndian.Uint64(lenBuf[:])
	if hdrLen > maxSafetensorsHeader || int64(hdrLen) > size-8 {
		return nil, fmt.Errorf("read safetensors %s: header length %d does not fit the %d-byte file (truncated or not safetensors)", path, hdrLen, size)
	}
	hdr := make([]byte, hdrLen)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, fmt.Errorf("read safetensors %s: reading header: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("read safetensors %s: malformed JSON header: %w", path, err)
	}
	s := &SafetensorsFile{Path: path, f: f, dataStart: 8 + int64(hdrLen), entries: map[string]safetensorsEntry{}}
	dataLen := size - s.dataStart
	for name, msg := range raw {
		if name == safetensorsMetaKey {
			if err := json.Unmarshal(msg, &s.Meta); err != nil {
				return nil, fmt.Errorf("read safetensors %s: __metadata__ must map strings to strings: %w", path, err)
			}
			continue
		}
		var e safetensorsEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("read safetensors %s: tensor %q: malformed entry: %w", path, name, err)
		}
		elem, ok := safetensorsDTypeSize[e.DType]
		if !ok {
			return nil, fmt.Errorf("read safetensors %s: tensor %q has unknown dtype %q", path, name, e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && n > math.MaxInt32/int64(d)) {
				return nil, fmt.Errorf("read safetensors %s: tensor %q has invalid shape %v", path, name, e.Shape)
			}
			n *= int64(d)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > dataLen {
			return nil, fmt.Errorf("read safetensors %s: tensor %q has data offsets [%d, %d] outside the %d data bytes (truncated file?)", path, name, begin, end, dataLen)
		}
		if end-begin != n*elem {
			return nil, fmt.Errorf("read safetensors %s: tensor %q: dtype %s shape %v needs %d bytes but offsets span %d", path, name, e.DType, e.Shape, n*elem, end-begin)
		}
		s.entries[name] = e
	}
	return s, nil
}

// Close closes the file.
func (s *SafetensorsFile) Close() error { return s.f.Close() }

// Names lists the tensors, sorted.
func (s *SafetensorsFile) Names() []string {
	names := make([]string, 0, len(s.entries))
	for name := range s.entries {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Info returns a tensor's dtype and shape.
func (s *SafetensorsFile) Info(name string) (dtype string, shape []int, ok bool) {
	e, ok := s.entries[name]
	return e.DType, append([]int(nil), e.Shape...), ok
}

// Read loads one tensor as float32: F32 as is, BF16 and F16 widened exactly.
func (s *SafetensorsFile) Read(name string) (*tensor.Tensor, error) {
	e, ok := s.entries[name]
	if !ok {
		return nil, fmt.Errorf("read safetensors %s: no tensor %q", s.Path, name)
	}
	if !slices.Contains(FloatDTypes, e.DType) {
		return nil, fmt.Errorf("read safetensors %s: tensor %q has dtype %q; only %q are supported", s.Path, name, e.DType, FloatDTypes)
	}
	src := make([]byte, e.DataOffsets[1]-e.DataOffsets[0])
	if _, err := s.f.ReadAt(src, s.dataStart+e.DataOffsets[0]); err != nil {
		return nil, fmt.Errorf("read safetensors %s: tensor %q: %w", s.Path, name, err)
	}
	t := tensor.New(e.Shape...)
	switch e.DType {
	case "F32":
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case "BF16": // the top 16 bits of a float32
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
		}
	case "F16":
		for i := range t.Data {
			t.Data[i] = HalfToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	}
	return t, nil
}

// HalfToFloat32 widens an IEEE 754 binary16 value (1 sign, 5 exponent, 10 fraction bits) exactly.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal: rebias 15 -> 127
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// subnormal: frac * 2^-24
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}

func shapeElems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// CheckFinite reports the first tensor (in name order) holding a NaN or an infinity, naming the
// tensor, the element and the file (or folder) at path. Weights and optimizer moments must be
// finite: one non-finite value spreads to every output of the forward pass.
func CheckFinite(path string, tensors map[string]*tensor.Tensor) error {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for i, v := range tensors[name].Data {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%s: tensor %q holds %v at element %d of %d: the file is damaged or comes from a diverged run; use an earlier checkpoint",
					path, name, v, i, len(tensors[name].Data))
			}
		}
	}
	return nil
}
