package distrib

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"

	"grit/policy"
)

// Weights on the wire as bfloat16 (workers.weights_dtype: bf16, asynchronous runs only): the
// policy file is rewritten with every tensor rounded to bf16, half the bytes to upload and
// download; policy.LoadPolicy widens bf16 back to float32 exactly, so a worker samples from the
// learner's weights rounded to bf16 (8 significant bits), not from the learner's weights.

// toBF16 rounds x to the nearest bfloat16, ties to even: the top 16 bits of
// bits(x) + 0x7fff + (bit 16 of bits(x)). NaN stays a (quiet) NaN.
func toBF16(x float32) uint16 {
	u := math.Float32bits(x)
	if x != x {
		return uint16(u>>16) | 0x40
	}
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}

// rewriteBF16 rewrites the float32 safetensors file path with every tensor as BF16 (metadata
// kept, tensors in name order).
func rewriteBF16(path string) error {
	tensors, meta, err := policy.ReadSafetensors(path)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	type entry struct {
		DType       string   `json:"dtype"`
		Shape       []int    `json:"shape"`
		DataOffsets [2]int64 `json:"data_offsets"`
	}
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var offset int64
	for _, name := range names {
		size := int64(len(tensors[name].Data)) * 2
		header[name] = entry{DType: "BF16", Shape: tensors[name].Shape, DataOffsets: [2]int64{offset, offset + size}}
		offset += size
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 4<<20)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hdr)))
	w.Write(lenBuf[:])
	w.Write(hdr)
	var b [2]byte
	for _, name := range names {
		for _, v := range tensors[name].Data {
			binary.LittleEndian.PutUint16(b[:], toBF16(v))
			w.Write(b[:])
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s as bf16: %w", path, err)
	}
	return f.Close()
}
