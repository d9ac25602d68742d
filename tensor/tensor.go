package tensor

// Tensor is a dense, row-major float32 array with a shape.
// Data has exactly prod(Shape) elements; the last dimension is contiguous.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New returns a zero tensor of the given shape.
func New(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Param is a trainable parameter: its value and the gradient accumulated into it.
// Name is the stable checkpoint name (e.g. "blocks.0.attn.qkv.weight").
type Param struct {
	Name  string
	Value *Tensor
	Grad  *Tensor
}

// NewParam allocates a parameter and its zero gradient.
func NewParam(name string, shape ...int) *Param {
	return &Param{Name: name, Value: New(shape...), Grad: New(shape...)}
}
