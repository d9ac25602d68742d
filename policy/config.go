package policy

import (
	"errors"
	"fmt"
)

// Config describes a decoder-only transformer. Every field is serialised into config.json; the
// fields with a mapstructure tag are also the `model.*` keys of a training config (a fresh model's
// architecture), so the architecture is described in this one place.
type Config struct {
	ModelType     string     `json:"model_type,omitempty"`                         // "grit" (GritModelType); written by Save, selects the model family on load
	Vocab         int        `json:"vocab"`                                        // number of token ids the embedding and output layers cover
	DModel        int        `json:"d_model" mapstructure:"d_model"`               // width of the residual stream
	NHeads        int        `json:"n_heads" mapstructure:"n_heads"`               // query heads per attention layer; DModel must divide by it
	NKVHeads      int        `json:"n_kv_heads" mapstructure:"n_kv_heads"`         // key/value heads (grouped-query attention); 0 means NHeads
	NLayers       int        `json:"n_layers" mapstructure:"n_layers"`             // number of transformer blocks
	MLPHidden     int        `json:"mlp_hidden" mapstructure:"mlp_hidden"`         // hidden width of each block's MLP (4*DModel in GPT-2)
	Context       int        `json:"context" mapstructure:"context"`               // most tokens the model reads at once (positions 0..Context-1)
	Norm          Norm       `json:"norm" mapstructure:"norm"`                     // LayerNorm (with bias) or RMSNorm (gain only)
	Activation    Activation `json:"activation" mapstructure:"activation"`         // GELU (fc -> GELU -> proj) or SwiGLU (SiLU(gate)*up -> down)
	Positions     Positions  `json:"positions" mapstructure:"positions"`           // learned absolute embeddings or RoPE rotary embeddings
	RoPETheta     float64    `json:"rope_theta" mapstructure:"rope_theta"`         // RoPE base frequency (10000 in most models); used when Positions is "rope"
	NormEps       float32    `json:"norm_eps" mapstructure:"norm_eps"`             // epsilon inside LayerNorm / RMSNorm
	TieEmbeddings bool       `json:"tie_embeddings" mapstructure:"tie_embeddings"` // reuse the token embedding as the output projection
	Bias          bool       `json:"bias" mapstructure:"bias"`                     // biases on every linear layer (GPT-2); false for Llama-style blocks

	// Switches for imported architectures (Hugging Face families); the zero values are grit's own
	// model, and they are omitted from config.json when zero so older checkpoints read unchanged.
	QKVBias       bool         `json:"qkv_bias,omitempty"`     // biases on the query/key/value projection even without Bias (Qwen2)
	QKNorm        bool         `json:"qk_norm,omitempty"`      // per-head RMSNorm of queries and keys before RoPE, gains [HeadDim] (Qwen3)
	HeadDimension int          `json:"head_dim,omitempty"`     // width of one attention head; 0 means DModel/NHeads
	RoPEScaling   *RoPEScaling `json:"rope_scaling,omitempty"` // frequency scaling of RoPE; nil means none
}

// KVHeads is the number of key/value heads after applying the NKVHeads=0 default.
func (c Config) KVHeads() int {
	if c.NKVHeads == 0 {
		return c.NHeads
	}
	return c.NKVHeads
}

// HeadDim is the width of one attention head: HeadDimension when set, else DModel/NHeads.
func (c Config) HeadDim() int {
	if c.HeadDimension > 0 {
		return c.HeadDimension
	}
	return c.DModel / c.NHeads
}

// HasQKVBias reports whether the query/key/value projection has a bias.
func (c Config) HasQKVBias() bool { return c.Bias || c.QKVBias }

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
	if c.HeadDimension < 0 {
		errs = append(errs, fmt.Errorf("policy config: HeadDimension must be >= 0 (0 means DModel/NHeads), got %d", c.HeadDimension))
	}
	if c.NHeads > 0 && c.HeadDimension == 0 && c.DModel%c.NHeads != 0 {
		errs = append(errs, fmt.Errorf("policy config: DModel (%d) must be a multiple of NHeads (%d)", c.DModel, c.NHeads))
	}
	if c.NKVHeads < 0 {
		errs = append(errs, fmt.Errorf("policy config: NKVHeads must be >= 0 (0 means NHeads), got %d", c.NKVHeads))
	} else if c.NHeads > 0 && c.KVHeads() > 0 && c.NHeads%c.KVHeads() != 0 {
		errs = append(errs, fmt.Errorf("policy config: NHeads (%d) must be a multiple of NKVHeads (%d)", c.NHeads, c.KVHeads()))
	}
	if err := oneOf("Norm", c.Norm, Norms); err != nil {
		errs = append(errs, err)
	}
	if err := oneOf("Activation", c.Activation, Activations); err != nil {
		errs = append(errs, err)
	}
	switch c.Positions {
	case LearnedPositions:
	case RoPEPositions:
		if c.RoPETheta <= 0 {
			errs = append(errs, fmt.Errorf("policy config: RoPETheta must be positive with rope positions, got %g", c.RoPETheta))
		}
		if c.NHeads > 0 && c.HeadDim()%2 != 0 {
			errs = append(errs, fmt.Errorf("policy config: rope needs an even head dimension, got %d", c.HeadDim()))
		}
		if c.RoPEScaling != nil {
			if err := c.RoPEScaling.Validate(); err != nil {
				errs = append(errs, err)
			}
		}
	default:
		errs = append(errs, oneOf("Positions", c.Positions, PositionKinds))
	}
	if c.RoPEScaling != nil && c.Positions != RoPEPositions {
		errs = append(errs, fmt.Errorf("policy config: RoPEScaling is set but Positions is %q, not rope", c.Positions))
	}
	if !(c.NormEps > 0) {
		errs = append(errs, fmt.Errorf("policy config: NormEps must be positive, got %g", c.NormEps))
	}
	return errors.Join(errs...)
}
