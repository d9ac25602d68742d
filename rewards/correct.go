package rewards

import (
	"errors"

	"grit/plugins"
)

// Correctness is 1 when the answer extracted from the completion matches the reference answer
// (Equivalent, or exactly equal with the exact extractors) and 0 otherwise (including when the
// completion has no answer). A task without a reference answer is an error, not a 0.
type Correctness struct {
	Label   string    // component name ("correct")
	Extract Extractor // answer extraction rule (ExtractAnswer)
	Match   Match     // answer check (nil: MatchEquivalent); NewCorrectness picks it with the extractor
}

// Name is the component name.
func (c Correctness) Name() string { return c.Label }

// Grade is 1 or 0.
func (c Correctness) Grade(in Input) (float64, error) {
	if in.Answer == "" {
		return 0, errors.New("the task has no reference answer to compare with")
	}
	if c.Match == nil {
		if IsCorrect(in.Completion, in.Answer, c.Extract) {
			return 1, nil
		}
		return 0, nil
	}
	extract := c.Extract
	if extract == nil {
		extract = ExtractAnswer
	}
	if got, ok := extract(in.Completion); ok && c.Match(got, in.Answer) {
		return 1, nil
	}
	return 0, nil
}

// Correct makes Correctness a Judge: a value of 1 is a correct answer.
func (c Correctness) Correct(value float64) bool { return value == 1 }

// IsCorrect extracts the answer from completion with extract (ExtractAnswer when nil) and
// compares it with the reference. A reference written in GSM8K or \boxed form ("... #### 72")
// is reduced to its answer first.
func IsCorrect(completion, reference string, extract Extractor) bool {
	if extract == nil {
		extract = ExtractAnswer
	}
	got, ok := extract(completion)
	if !ok {
		return false
	}
	return Equivalent(got, ReferenceAnswer(reference))
}

// ReferenceAnswer reduces a dataset's answer field to the answer itself: the part after the
// last "####" (GSM8K) or inside the last \boxed{} (MATH solutions); otherwise the field as is.
func ReferenceAnswer(field string) string {
	if ans, ok := ExtractGSM8K(field); ok {
		return ans
	}
	if ans, ok := ExtractBoxed(field); ok {
		return ans
	}
	return field
}

func newCorrectness(p map[string]any) (Func, error) {
	a := plugins.NewArgs(p)
	name := a.String("name", "correct")
	extractName := a.String("extractor", "auto")
	if err := a.Done(); err != nil {
		return nil, err
	}
	c, err := NewCorrectness(name, extractName)
	if err != nil {
		return nil, err
	}
	return c, nil
}
