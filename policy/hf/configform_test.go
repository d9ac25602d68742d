package hf

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"grit/policy"
)

func TestFamiliesRegistered(t *testing.T) {
	for _, mt := range []string{"llama", "qwen2", "qwen3", "gpt2"} {
		if !slices.Contains(policy.ModelTypes(), mt) {
			t.Errorf("model type %q is not registered (have %q)", mt, policy.ModelTypes())
		}
	}
}

// The transformers v4 spelling of the Llama 3 fixture's config (rope_theta + rope_scaling with "type",
// torch_dtype) loads into the same model as its v5 spelling (rope_parameters, dtype).
func TestConfigV4AndV5FormsAgree(t *testing.T) {
	v5, err := Load(filepath.Join("testdata", "llama3-scaled-sharded"))
	if err != nil {
		t.Fatal(err)
	}
	dir := copyFixture(t, "llama3-scaled-sharded")
	editJSON(t, dir, policy.ConfigFile, func(m map[string]any) {
		rp := m["rope_parameters"].(map[string]any)
		delete(m, "rope_parameters")
		m["rope_theta"] = rp["rope_theta"]
		delete(rp, "rope_theta")
		rp["type"] = rp["rope_type"]
		delete(rp, "rope_type")
		m["rope_scaling"] = rp
		m["torch_dtype"] = m["dtype"]
		delete(m, "dtype")
	})
	v4, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v4.Config(), v5.Config()) {
		t.Fatalf("v4 form %+v\nv5 form %+v", v4.Config(), v5.Config())
	}
	if v4.Config().RoPEScaling == nil || v4.Config().RoPETheta != 500000 {
		t.Fatalf("scaling not read: %+v", v4.Config())
	}
	cfg, _ := json.Marshal(v4.HFConfig())
	if !json.Valid(cfg) || v4.HFConfig()["torch_dtype"] != "float32" {
		t.Fatalf("saved v4 config: %s", cfg)
	}
}
