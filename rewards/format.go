package rewards

import (
	"regexp"

	"grit/plugins"
)

// thinkAnswerPattern is the whole completion as <think>...</think> <answer>...</answer>.
var (
	thinkAnswerPattern = regexp.MustCompile(`(?s)^\s*<think>.*?</think>\s*<answer>.*?</answer>\s*$`)
	answerOnlyPattern  = regexp.MustCompile(`(?s)^\s*<answer>.*?</answer>\s*$`)
)

// Format is 1 when the completion is exactly a reasoning block and an answer block,
// "<think>...</think> <answer>...</answer>" (only the answer block when Think is false), and 0
// otherwise.
type Format struct {
	Label string // component name ("format")
	Think bool   // require the <think> block
}

// Name is the component name.
func (f Format) Name() string { return f.Label }

// Grade is 1 or 0.
func (f Format) Grade(in Input) (float64, error) {
	pattern := answerOnlyPattern
	if f.Think {
		pattern = thinkAnswerPattern
	}
	if pattern.MatchString(in.Completion) {
		return 1, nil
	}
	return 0, nil
}

func newFormat(p map[string]any) (Func, error) {
	a := plugins.NewArgs(p)
	f := Format{Label: a.String("name", "format"), Think: a.Bool("think", true)}
	return f, a.Done()
}
