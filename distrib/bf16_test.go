package distrib

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"grit/policy"
)

// toBF16 rounds to nearest, ties to even (hand-derived bit patterns).
func TestToBF16(t *testing.T) {
	for _, c := range []struct {
		bits uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, // 1
		{0x3f808000, 0x3f80}, // 1 + 2^-8: a tie, 0x3f80 is even
		{0x3f818000, 0x3f82}, // 1 + 3*2^-8: a tie, 0x3f81 is odd: up
		{0x3f808001, 0x3f81}, // just above the tie: up
		{0x3f807fff, 0x3f80}, // just below: down
		{0xc0200000, 0xc020}, // -2.5 exactly
		{0x00000000, 0x0000},
	} {
		if got := toBF16(math.Float32frombits(c.bits)); got != c.want {
			t.Errorf("toBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.want)
		}
	}
	if nan := math.Float32frombits(uint32(toBF16(float32(math.NaN()))) << 16); nan == nan {
		t.Error("NaN did not stay NaN")
	}
}

// A policy file rewritten as bf16 is half the size and loads as the learner's weights rounded to
// bf16, tensor by tensor; taking the tensors from the params or from the file gives the same bytes.
func TestRewriteBF16LoadsRounded(t *testing.T) {
	cfg := tinyConfig(t)
	pol, err := policy.LoadPolicy(cfg.Init)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "v")
	if err := pol.Save(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, policy.WeightsFile)
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fromFile := filepath.Join(t.TempDir(), "w.safetensors")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fromFile, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := rewriteBF16(path, pol.Params()); err != nil {
		t.Fatal(err)
	}
	if err := rewriteBF16(fromFile, nil); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fromFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("bf16 file from the params differs from the one converted from the file")
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	n := policy.CountParams(pol)
	if 2*after.Size() > before.Size()+8192 { // 2 bytes a value instead of 4; the headers differ a little
		t.Errorf("file went from %d to %d bytes; want about half", before.Size(), after.Size())
	}
	got, err := policy.LoadPolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	rounded, changed := 0, 0
	gp := got.Params()
	for i, p := range pol.Params() {
		for j, x := range p.Value.Data {
			want := math.Float32frombits(uint32(toBF16(x)) << 16)
			if gp[i].Value.Data[j] != want {
				t.Fatalf("%s[%d] = %v, want %v (%v rounded to bf16)", p.Name, j, gp[i].Value.Data[j], want, x)
			}
			rounded++
			if want != x {
				changed++
			}
		}
	}
	if rounded != n || changed == 0 {
		t.Fatalf("%d of %d values compared, %d changed by rounding", rounded, n, changed)
	}
}
