package policy

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"grit/tensor"
)

func TestSaveLoadGivesIdenticalOutputs(t *testing.T) {
	for _, name := range []string{"tiny", "modern"} {
		t.Run(name, func(t *testing.T) {
			m := newTestModel(t, testConfigs()[name], 21)
			dir := filepath.Join(t.TempDir(), "ckpt")
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Config() != m.Config() || loaded.NumParams() != m.NumParams() {
				t.Fatalf("config or size changed: %+v vs %+v", loaded.Config(), m.Config())
			}
			prompts := [][]int{withBOS(m.tok.Encode("7*8=")), {charBOS}}
			opts := SampleOptions{MaxNewTokens: 16, Temperature: 1}
			g1, _ := m.Sample(prompts, []uint64{5, 6}, opts)
			g2, err := loaded.Sample(prompts, []uint64{5, 6}, opts)
			if err != nil {
				t.Fatal(err)
			}
			seqs := make([]Sequence, len(g1))
			for i := range g1 {
				if !slices.Equal(g1[i].Tokens, g2[i].Tokens) || !slices.Equal(g1[i].LogProbs, g2[i].LogProbs) {
					t.Fatalf("sample %d differs after reload", i)
				}
				seqs[i] = Sequence{Prompt: prompts[i], Completion: g1[i].Tokens}
			}
			l1, _ := m.LogProbs(seqs)
			l2, _ := loaded.LogProbs(seqs)
			for i := range l1 {
				if !slices.Equal(l1[i], l2[i]) {
					t.Fatalf("log-probs of sequence %d differ after reload", i)
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp") {
					t.Fatalf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

// The weights file follows the safetensors layout byte for byte: decode it here by hand.
func TestSafetensorsLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	a := &tensor.Tensor{Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, 0, 1e-8, -7}}
	b := &tensor.Tensor{Shape: []int{1}, Data: []float32{42}}
	if err := WriteSafetensors(path, map[string]*tensor.Tensor{"b": b, "a": a}, map[string]string{"step": "3"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatalf("header is not JSON: %v", err)
	}
	var ea struct {
		DType   string   `json:"dtype"`
		Shape   []int    `json:"shape"`
		Offsets [2]int64 `json:"data_offsets"`
	}
	json.Unmarshal(hdr["a"], &ea)
	if ea.DType != "F32" || !slices.Equal(ea.Shape, []int{2, 3}) || ea.Offsets != [2]int64{0, 24} {
		t.Fatalf("entry a = %+v", ea)
	}
	data := raw[8+n:]
	if len(data) != 28 {
		t.Fatalf("data section has %d bytes, want 28", len(data))
	}
	if got := math.Float32frombits(binary.LittleEndian.Uint32(data[8:])); got != 3.5 {
		t.Fatalf("a[2] stored as %v", got)
	}
	if got := math.Float32frombits(binary.LittleEndian.Uint32(data[24:])); got != 42 {
		t.Fatalf("b[0] stored as %v", got)
	}
	tensors, meta, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["step"] != "3" || !slices.Equal(tensors["a"].Data, a.Data) || !slices.Equal(tensors["b"].Shape, []int{1}) {
		t.Fatalf("round trip: meta %v, a %v", meta, tensors["a"])
	}
}

func TestMalformedCheckpointsGiveErrors(t *testing.T) {
	m := newTestModel(t, TinyConfig(), 1)
	good := t.TempDir()
	if err := m.Save(good); err != nil {
		t.Fatal(err)
	}
	weights, _ := os.ReadFile(filepath.Join(good, WeightsFile))
	hdrLen := binary.LittleEndian.Uint64(weights[:8])
	header := string(weights[8 : 8+hdrLen])
	withHeader := func(h string) []byte {
		for len(h)%8 != 0 {
			h += " "
		}
		out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(out, h...), weights[8+hdrLen:]...)
	}
	cases := []struct {
		name, file string
		content    []byte
		mentions   string
	}{
		{"empty", WeightsFile, nil, "too short"},
		{"truncated data", WeightsFile, weights[:len(weights)-100], "truncated"},
		{"header length too big", WeightsFile, append(binary.LittleEndian.AppendUint64(nil, 1<<40), weights[8:]...), "header length"},
		{"header not JSON", WeightsFile, withHeader("{not json"), "JSON"},
		{"wrong dtype", WeightsFile, withHeader(strings.Replace(header, `"F32"`, `"F16"`, 1)), "F16"},
		{"wrong shape", WeightsFile, withHeader(strings.Replace(header, `"shape":[64,128]`, `"shape":[128,64]`, 1)), "shape"},
		{"offsets out of range", WeightsFile, withHeader(strings.Replace(header, `"data_offsets":[0,`, `"data_offsets":[99999999,`, 1)), "offsets"},
		{"missing tensor", WeightsFile, withHeader(strings.Replace(header, `"lm_head.weight"`, `"lm_head.weight.renamed"`, 1)), "lm_head.weight"},
		{"bad config", ConfigFile, []byte(`{"vocab": 64, "d_model": 100, "n_heads": 3}`), "NHeads"},
		{"unknown config key", ConfigFile, []byte(`{"vocab": 64, "d_modle": 128}`), "d_modle"},
		{"bad tokenizer", TokenizerFile, []byte(`{"type": "bpe"}`), "bpe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{WeightsFile, ConfigFile, TokenizerFile} {
				data, _ := os.ReadFile(filepath.Join(good, f))
				if f == c.file {
					data = c.content
				}
				os.WriteFile(filepath.Join(dir, f), data, 0o644)
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), c.mentions) {
				t.Fatalf("error %q does not mention %q", err, c.mentions)
			}
		})
	}
	// A checkpoint of another shape fails naming a tensor.
	other := TinyConfig()
	other.MLPHidden = 256
	m2 := newTestModel(t, other, 1)
	dir := t.TempDir()
	m2.Save(dir)
	cfgJSON, _ := json.Marshal(TinyConfig())
	os.WriteFile(filepath.Join(dir, ConfigFile), cfgJSON, 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "mlp.fc.weight") {
		t.Fatalf("shape mismatch: got %v", err)
	}
}

// A NaN or an infinity in a saved weight is an error naming the tensor and the file.
func TestLoadRejectsNonFiniteWeights(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		m := newTestModel(t, testConfigs()["tiny"], 5)
		p := m.Params()[2]
		p.Value.Data[7] = bad
		dir := filepath.Join(t.TempDir(), "ckpt")
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), p.Name) || !strings.Contains(err.Error(), filepath.Join(dir, WeightsFile)) ||
			!strings.Contains(err.Error(), "element 7") {
			t.Fatalf("weight %v: want an error naming %q, element 7 and the file, got %v", bad, p.Name, err)
		}
	}
}
