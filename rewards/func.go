package rewards

// funcOf adapts a plain function to Func.
type funcOf struct {
	name  string
	grade func(Input) (float64, error)
}

func (f funcOf) Name() string                    { return f.name }
func (f funcOf) Grade(in Input) (float64, error) { return f.grade(in) }

// FuncOf makes a Func called name from a plain grading function, the shortest way to write a
// reward plugin.
func FuncOf(name string, grade func(Input) (float64, error)) Func {
	return funcOf{name: name, grade: grade}
}
