package distrib

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"

	"grit/policy"
	"grit/tensor"
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
// kept, tensors in name order). The file was just written from params: a tensor that a param of
// the same name and shape holds is taken from memory, any other is read from the file.
func rewriteBF16(path string, params []*tensor.Param) error {
	sf, err := policy.OpenSafetensors(path)
	if err != nil {
		return err
	}
	defer sf.Close()
	byName := map[string]*tensor.Param{}
	for _, p := range params {
		byName[p.Name] = p
	}
	names, meta := sf.Names(), sf.Meta
	tensors := make(map[string]*tensor.Tensor, len(names))
	for _, name := range names {
		_, shape, _ := sf.Info(name)
		if p := byName[name]; p != nil && fmt.Sprint(p.Value.Shape) == fmt.Sprint(shape) && len(p.Value.Data) == elems(shape) {
			tensors[name] = p.Value
			continue
		}
		t, err := sf.Read(name)
		if err != nil {
			return err
		}
		tensors[name] = t
	}
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
	// One buffer, filled by a goroutine per core over contiguous tensor ranges, one write.
	buf := make([]byte, 8+len(hdr)+int(offset))
	binary.LittleEndian.PutUint64(buf, uint64(len(hdr)))
	copy(buf[8:], hdr)
	data := buf[8+len(hdr):]
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			off := 0
			for _, name := range names {
				xs := tensors[name].Data
				lo, hi := len(xs)*k/workers, len(xs)*(k+1)/workers
				for i := lo; i < hi; i++ {
					binary.LittleEndian.PutUint16(data[off+2*i:], toBF16(xs[i]))
				}
				off += 2 * len(xs)
			}
		}(k)
	}
	wg.Wait()
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("writing %s as bf16: %w", path, err)
	}
	return nil
}

// elems is the number of values of a tensor of this shape.
func elems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
