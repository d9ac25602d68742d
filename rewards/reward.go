package rewards

// Component is one named reward value. A component that could not be computed has OK false
// and Err saying why; it is never silently 0.
type Component struct {
	Name  string
	Value float64
	OK    bool
	Err   string
}

// Result is the outcome of grading one completion.
type Result struct {
	Components []Component
	Correct    bool // the verifier's verdict on the answer
}

// Input is what a reward function sees.
type Input struct {
	Prompt     string
	Completion string
	Answer     string            // reference answer
	Meta       map[string]string // task metadata (difficulty, data_source, ...)
}

// Func is a reward function: Grade computes its value for one completion. An error marks the
// component failed.
type Func interface {
	Name() string
	Grade(in Input) (float64, error)
}
