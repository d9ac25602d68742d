package rewards

// funcOf adapts a plain function to Func.
type funcOf struct {
	name  string
	score func(Input) (float64, error)
}

func (f funcOf) Name() string                    { return f.name }
func (f funcOf) Score(in Input) (float64, error) { return f.score(in) }

// FuncOf makes a Func called name from a plain scoring function, the shortest way to write a
// reward plugin.
func FuncOf(name string, score func(Input) (float64, error)) Func {
	return funcOf{name: name, score: score}
}
