package policy

import (
	"errors"
	"fmt"
)

// Config describes a decoder-only transformer. Every field is serialised into config.json.
type Config struct {
	Vocab         int     `json:"vocab"`          // number of token ids the embedding and output layers cover
	DModel        int     `json:"d_model"`        // width of the residual stream
	NHeads        int     `json:"n_heads"`        // query heads per attention layer; DModel must divide by it
	NKVHeads      int     `json:"n_kv_heads"`     // key/value heads (grouped-query attention); 0 means NHeads
	NLayers       int     `json:"n_layers"`       // number of transformer blocks
	MLPHidden     int     `json:"mlp_hidden"`     // hidden width of each block's MLP (4*DModel in GPT-2)
	Context       int     `json:"context"`        // most tokens the model reads at once (positions 0..Context-1)
	Norm          string  `json:"norm"`           // "layernorm" (with bias) or "rmsnorm" (gain only)
	Activation    string  `json:"activation"`     // "gelu" (fc -> GELU -> proj) or "swiglu" (SiLU(gate)*up -> down)
	Positions     string  `json:"positions"`      // "learned" absolute embeddings or "rope" rotary embeddings
	RoPETheta     float64 `json:"rope_theta"`     // RoPE base frequency (10000 in most models); used when Positions is "rope"
	NormEps       float32 `json:"norm_eps"`       // epsilon inside LayerNorm / RMSNorm
	TieEmbeddings bool    `json:"tie_embeddings"` // reuse the token embedding as the output projection
}

// KVHeads is the number of key/value heads after applying the NKVHeads=0 default.
func (c Config) KVHeads() int {
	if c.NKVHeads == 0 {
		return c.NHeads
	}
	return c.NKVHeads
}

// HeadDim is the width of one attention head.
func (c Config) HeadDim() int { return c.DModel / c.NHeads }

// Validate reports the first field that makes the config unusable.
func (c Config) Validate() error {
	var errs []error
	positive := func(name string, v int) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("policy config: %s must be positive, got %d", name, v))
		}
	}
	positive("Vocab", c.Vocab)
	positive("DModel", c.DModel)
	positive("NHeads", c.NHeads)
	positive("NLayers", c.NLayers)
	positive("MLPHidden", c.MLPHidden)
	positive("Context", c.Context)
	if c.NHeads > 0 && c.DModel%c.NHeads != 0 {
		errs = append(errs, fmt.Errorf("policy config: DModel (%d) must be a multiple of NHeads (%d)", c.DModel, c.NHeads))
	}
	if c.NKVHeads < 0 {
		errs = append(errs, fmt.Errorf("policy config: NKVHeads must be >= 0 (0 means NHeads), got %d", c.NKVHeads))
	} else if c.NHeads > 0 && c.KVHeads() > 0 && c.NHeads%c.KVHeads() != 0 {
		errs = append(errs, fmt.Errorf("policy config: NHeads (%d) must be a multiple of NKVHeads (%d)", c.NHeads, c.KVHeads()))
	}
	if c.Norm != "layernorm" && c.Norm != "rmsnorm" {
		errs = append(errs, fmt.Errorf("policy config: Norm must be \"layernorm\" or \"rmsnorm\", got %q", c.Norm))
	}
	if c.Activation != "gelu" && c.Activation != "swiglu" {
		errs = append(errs, fmt.Errorf("policy config: Activation must be \"gelu\" or \"swiglu\", got %q", c.Activation))
	}
	switch c.Positions {
	case "learned":
	case "rope":
		if c.RoPETheta <= 0 {
			errs = append(errs, fmt.Errorf("policy config: RoPETheta must be positive with rope positions, got %g", c.RoPETheta))
		}
		if c.NHeads > 0 && c.HeadDim()%2 != 0 {
			errs = append(errs, fmt.Errorf("policy config: rope needs an even head dimension, DModel/NHeads = %d", c.HeadDim()))
		}
	default:
		errs = append(errs, fmt.Errorf("policy config: Positions must be \"learned\" or \"rope\", got %q", c.Positions))
	}
	if !(c.NormEps > 0) {
		errs = append(errs, fmt.Errorf("policy config: NormEps must be positive, got %g", c.NormEps))
	}
	return errors.Join(errs...)
}
