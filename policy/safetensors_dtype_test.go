package policy

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Every finite binary16 value widens to sign * 1.fraction * 2^(exp-15) (or fraction * 2^-24 when
// subnormal), computed here with math.Ldexp independently of the bit manipulation.
func TestHalfToFloat32AllValues(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		exp, frac := (h>>10)&0x1f, float64(h&0x3ff)
		var want float64
		switch {
		case exp == 0x1f:
			got := HalfToFloat32(uint16(h))
			if frac == 0 && !math.IsInf(float64(got), 0) || frac != 0 && !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: got %v, want inf/NaN", h, got)
			}
			continue
		case exp == 0:
			want = math.Ldexp(frac, -24)
		default:
			want = math.Ldexp(1+frac/1024, exp-15)
		}
		if h>>15 == 1 {
			want = -want
		}
		if got := HalfToFloat32(uint16(h)); float64(got) != want || math.Signbit(float64(got)) != (h>>15 == 1) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
	}
}

// A hand-written file with one BF16 and one F16 tensor reads back as the values their bits encode.
func TestReadSafetensorsHalfPrecision(t *testing.T) {
	header := map[string]any{
		"b": map[string]any{"dtype": "BF16", "shape": []int{2}, "data_offsets": []int{0, 4}},
		"h": map[string]any{"dtype": "F16", "shape": []int{3}, "data_offsets": []int{4, 10}},
		"i": map[string]any{"dtype": "I64", "shape": []int{1}, "data_offsets": []int{10, 18}},
	}
	hdr, _ := json.Marshal(header)
	data := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	data = append(data, hdr...)
	for _, v := range []uint16{0x3FC0, 0xC120, 0x3E00, 0xC000, 0x0001} { // bf16 1.5, -10; f16 1.5, -2, 2^-24
		data = binary.LittleEndian.AppendUint16(data, v)
	}
	data = binary.LittleEndian.AppendUint64(data, 7)
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := f.Read("b")
	if err != nil || b.Data[0] != 1.5 || b.Data[1] != -10 {
		t.Fatalf("BF16: %v %v", b, err)
	}
	h, err := f.Read("h")
	if err != nil || h.Data[0] != 1.5 || h.Data[1] != -2 || h.Data[2] != float32(math.Ldexp(1, -24)) {
		t.Fatalf("F16: %v %v", h, err)
	}
	if dt, shape, ok := f.Info("i"); !ok || dt != "I64" || len(shape) != 1 {
		t.Fatalf("Info(i) = %v %v %v", dt, shape, ok)
	}
	if _, err := f.Read("i"); err == nil {
		t.Fatal("an integer tensor must not read as float")
	}
}
