package distrib

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/policy"
)

// savedWeights saves pol with policy.Save (rewritten as bf16 when asked) and returns the weights
// file's path and bytes: what the learner sent before versions were encoded from memory.
func savedWeights(t *testing.T, pol policy.Policy, bf16 bool) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	if err := pol.Save(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, policy.WeightsFile)
	if bf16 {
		if err := rewriteBF16(path, pol.Params()); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, raw
}

// perturb changes every parameter value deterministically (a stand-in for an update).
func perturb(pol policy.Policy, k float32) {
	for i, p := range pol.Params() {
		for j := range p.Value.Data {
			p.Value.Data[j] += k * float32((i*7+j*13)%17-8) / 1024
		}
	}
}

// The weights file encoded from memory is byte for byte the file policy.Save (and the bf16
// rewrite) writes, after the parameters changed too, read in any piece sizes.
func TestWeightsFromMemoryEqualSavedFile(t *testing.T) {
	for _, bf16 := range []bool{false, true} {
		pol, err := policy.LoadPolicy("../configs/base/arithmetic")
		if err != nil {
			t.Fatal(err)
		}
		path, _ := savedWeights(t, pol, bf16)
		layout, err := layoutOfFile(path, pol.Params())
		if err != nil || layout == nil {
			t.Fatalf("bf16 %v: the base policy's weights file is not a plain layout: %v", bf16, err)
		}
		if layout.bf16 != bf16 {
			t.Fatalf("layout bf16 = %v, want %v", layout.bf16, bf16)
		}
		perturb(pol, 1)
		_, want := savedWeights(t, pol, bf16)
		for _, piece := range []int{1, 2, 3, 5, 4096, 1 << 20} {
			r, err := layout.reader(pol.Params())
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			buf := make([]byte, piece)
			for {
				n, err := r.Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("bf16 %v, reads of %d bytes: %d bytes encoded differ from the %d bytes Save wrote", bf16, piece, got.Len(), len(want))
			}
		}
		if int64(len(want)) != layout.size() {
			t.Fatalf("layout size %d, file %d bytes", layout.size(), len(want))
		}
	}
}

// decodeInto gives the parameters exactly the values LoadPolicy reads from the same file, refuses
// a file with another header, and writes nothing from a file holding a NaN.
func TestDecodeIntoMatchesLoadPolicy(t *testing.T) {
	for _, bf16 := range []bool{false, true} {
		learner, err := policy.LoadPolicy("../configs/base/arithmetic")
		if err != nil {
			t.Fatal(err)
		}
		worker, err := policy.LoadPolicy("../configs/base/arithmetic")
		if err != nil {
			t.Fatal(err)
		}
		path, _ := savedWeights(t, learner, bf16)
		layout, err := layoutOfFile(path, learner.Params())
		if err != nil || layout == nil {
			t.Fatal("no layout", err)
		}
		perturb(learner, 3)
		dir := t.TempDir()
		if err := learner.Save(dir); err != nil {
			t.Fatal(err)
		}
		if bf16 {
			if err := rewriteBF16(filepath.Join(dir, policy.WeightsFile), learner.Params()); err != nil {
				t.Fatal(err)
			}
		}
		file, _ := os.ReadFile(filepath.Join(dir, policy.WeightsFile))
		if err := layout.decodeInto(file, worker.Params()); err != nil {
			t.Fatal(err)
		}
		loaded, err := policy.LoadPolicy(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range worker.Params() {
			q := loaded.Params()[i]
			for j := range p.Value.Data {
				if math.Float32bits(p.Value.Data[j]) != math.Float32bits(q.Value.Data[j]) {
					t.Fatalf("bf16 %v: %s[%d] = %v in place, %v by LoadPolicy", bf16, p.Name, j, p.Value.Data[j], q.Value.Data[j])
				}
			}
		}
		if err := layout.decodeInto(file[:len(file)-4], worker.Params()); !errors.Is(err, errLayoutChanged) {
			t.Fatalf("a shorter file: %v, want errLayoutChanged", err)
		}
		// a NaN in the last tensor: an error naming it, and no parameter changed
		bad := bytes.Clone(file)
		for k := range 2 {
			bad[len(bad)-1-k] = 0xff
		}
		before := worker.Params()[0].Value.Data[0]
		err = layout.decodeInto(bad, worker.Params())
		last := layout.names[len(layout.names)-1]
		if err == nil || !strings.Contains(err.Error(), last) || !strings.Contains(err.Error(), "NaN") {
			t.Fatalf("a NaN in %s: %v", last, err)
		}
		if worker.Params()[0].Value.Data[0] != before {
			t.Fatal("a file with a NaN changed the parameters")
		}
	}
}

// A weights file that is not the parameters' plain layout (a tensor renamed, a value changed) has
// no layout: such a family's versions are saved and loaded in full.
func TestLayoutRefusesOtherFiles(t *testing.T) {
	pol, err := policy.LoadPolicy("../configs/base/arithmetic")
	if err != nil {
		t.Fatal(err)
	}
	path, raw := savedWeights(t, pol, false)
	first := pol.Params()[0].Name
	renamed := strings.Replace(string(raw), `"`+first+`"`, `"`+strings.Repeat("x", len(first))+`"`, 1)
	other := filepath.Join(t.TempDir(), "renamed.safetensors")
	if err := os.WriteFile(other, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := layoutOfFile(other, pol.Params()); l != nil || err != nil {
		t.Fatalf("renamed tensor: layout %v, %v; want none", l != nil, err)
	}
	changed := bytes.Clone(raw)
	changed[len(changed)-1] ^= 1
	if err := os.WriteFile(other, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := layoutOfFile(other, pol.Params()); l != nil || err != nil {
		t.Fatalf("a value that is not the parameter's: layout %v, %v; want none", l != nil, err)
	}
	if l, err := layoutOfFile(path, pol.Params()); l == nil || err != nil {
		t.Fatalf("the saved file itself: layout %v, %v", l != nil, err)
	}
}
