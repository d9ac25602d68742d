package rewards_test

import (
	"fmt"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

// This file is a whole reward plugin, the one README.md ("Writing a reward plugin") shows: a
// Func, a factory that checks its params (plugins.Args), and rewards.Register in init. In your own package the
// init runs when cmd/train imports it for its side effects.

func init() {
	rewards.Register("ends_with_answer", newEndsWithAnswer)
}

// endsWithAnswer is 1 when the completion ends with the reference answer, else 0.
type endsWithAnswer struct{}

// newEndsWithAnswer builds the reward from its config params (it takes none).
func newEndsWithAnswer(params map[string]any) (rewards.Func, error) {
	a := plugins.NewArgs(params)
	if err := a.Done(); err != nil { // rejects unknown keys, naming the valid ones
		return nil, err
	}
	return endsWithAnswer{}, nil
}

func (endsWithAnswer) Name() string { return "ends_with_answer" } // the component's name

func (endsWithAnswer) Grade(in rewards.Input) (float64, error) {
	if strings.HasSuffix(strings.TrimSpace(in.Completion), in.Answer) {
		return 1, nil
	}
	return 0, nil // return an error instead when the reward cannot judge
}

// Correct makes it a verdict (rewards.Judge): it sets Result.Correct.
func (endsWithAnswer) Correct(v float64) bool { return v == 1 }

// ExampleRegister registers a reward (init above), builds it by name as a config's
// reward_weights does, and grades two completions.
func ExampleRegister() {
	f, err := rewards.New("ends_with_answer", nil)
	if err != nil {
		panic(err)
	}
	for _, completion := range []string{"12+34 is 46", "I think 45"} {
		res := rewards.GradeAll([]rewards.Func{f}, rewards.Input{Prompt: "12+34=", Completion: completion, Answer: "46"})
		c, _ := rewards.Lookup(res, "ends_with_answer")
		fmt.Printf("%q: %s = %v, correct %v\n", completion, c.Name, c.Value, res.Correct)
	}
	_, err = rewards.New("ends_with_answer", map[string]any{"budget": 3})
	fmt.Println("unknown param rejected:", err != nil)
	// Output:
	// "12+34 is 46": ends_with_answer = 1, correct true
	// "I think 45": ends_with_answer = 0, correct false
	// unknown param rejected: true
}
