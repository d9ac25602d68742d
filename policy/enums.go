package policy

import "fmt"

// Norm is the normalisation layer of every block and of the final layer.
type Norm string

// Activation is the MLP of every block.
type Activation string

// Positions is how the model knows where a token is.
type Positions string

const (
	LayerNorm Norm = "layernorm" // (x - mean) / sqrt(var + eps) * g + b
	RMSNorm   Norm = "rmsnorm"   // x / sqrt(mean(x^2) + eps) * g

	GELU   Activation = "gelu"   // proj(GELU(fc(x)))
	SwiGLU Activation = "swiglu" // down(SiLU(gate(x)) * up(x))

	LearnedPositions Positions = "learned" // absolute position embeddings added to the token embeddings
	RoPEPositions    Positions = "rope"    // rotary embeddings applied to queries and keys
)

// Norms, Activations and PositionKinds list the accepted spellings, for error messages and configs.
var (
	Norms         = []Norm{LayerNorm, RMSNorm}
	Activations   = []Activation{GELU, SwiGLU}
	PositionKinds = []Positions{LearnedPositions, RoPEPositions}
)

func oneOf[T ~string](field string, v T, valid []T) error {
	for _, ok := range valid {
		if v == ok {
			return nil
		}
	}
	return fmt.Errorf("policy config: %s must be one of %q, got %q", field, valid, v)
}
