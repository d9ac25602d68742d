package policy

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
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

// ReadSafetensors reads an F32 safetensors file. It checks the header length, JSON, dtypes, shapes and
// data offsets against the file size, and reports the offending tensor by name; it never panics.
func ReadSafetensors(path string) (map[string]*tensor.Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors: %w", err)
	}
	size := st.Size()
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return nil, nil, fmt.Errorf("read safetensors %s: file has %d bytes, too short for the 8-byte header length", path, size)
	}
	hdrLen := binary.LittleEndian.Uint64(lenBuf[:])
	if hdrLen > maxSafetensorsHeader || int64(hdrLen) > size-8 {
		return nil, nil, fmt.Errorf("read safetensors %s: header length %d does not fit the %d-byte file (truncated or not safetensors)", path, hdrLen, size)
	}
	hdr := make([]byte, hdrLen)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, nil, fmt.Errorf("read safetensors %s: reading header: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, nil, fmt.Errorf("read safetensors %s: malformed JSON header: %w", path, err)
	}
	dataLen := size - 8 - int64(hdrLen)
	var meta map[string]string
	entries := map[string]safetensorsEntry{}
	for name, msg := range raw {
		if name == safetensorsMetaKey {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, fmt.Errorf("read safetensors %s: __metadata__ must map strings to strings: %w", path, err)
			}
			continue
		}
		var e safetensorsEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("read safetensors %s: tensor %q: malformed entry: %w", path, name, err)
		}
		if e.DType != "F32" {
			return nil, nil, fmt.Errorf("read safetensors %s: tensor %q has dtype %q; only F32 is supported", path, name, e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && n > math.MaxInt32/int64(d)) {
				return nil, nil, fmt.Errorf("read safetensors %s: tensor %q has invalid shape %v", path, name, e.Shape)
			}
			n *= int64(d)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > dataLen {
			return nil, nil, fmt.Errorf("read safetensors %s: tensor %q has data offsets [%d, %d] outside the %d data bytes (truncated file?)", path, name, begin, end, dataLen)
		}
		if end-begin != n*4 {
			return nil, nil, fmt.Errorf("read safetensors %s: tensor %q: shape %v needs %d bytes but offsets span %d", path, name, e.Shape, n*4, end-begin)
		}
		entries[name] = e
	}
	data := make([]byte, dataLen)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, fmt.Errorf("read safetensors %s: reading data: %w", path, err)
	}
	out := make(map[string]*tensor.Tensor, len(entries))
	for name, e := range entries {
		t := tensor.New(e.Shape...)
		src := data[e.DataOffsets[0]:e.DataOffsets[1]]
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
		out[name] = t
	}
	return out, meta, nil
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
