package envs

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

// WordProblemsConfig sets the word-problem env's task distribution.
type WordProblemsConfig struct {
	StepsMin   int      // fewest arithmetic steps per problem (2)
	StepsMax   int      // most steps (3, at most 4)
	ValueMax   int      // the starting count and every amount added or removed lie in 1..ValueMax (20)
	Operations []string // step kinds to draw from: "+" (gets n), "-" (sells n), "*" (doubles, triples)
	Extractor  string   // answer extraction rule for the verifier ("auto": the last number)
}

// wordProblemMaxSteps bounds steps_max; with value_max >= wordProblemMinValue every draw succeeds
// eventually (a start of 5 survives four subtractions of 1).
const (
	wordProblemMaxSteps = 4
	wordProblemMinValue = wordProblemMaxSteps + 1
)

var (
	wordProblemNames = []string{"ann", "bob", "eva", "tom", "kim", "sam", "liz", "max"}
	wordProblemItems = []string{"pens", "cards", "eggs", "coins", "books", "shells", "stamps"}
	wordProblemVerbs = map[string][]string{"+": {"gets", "finds", "buys"}, "-": {"sells", "loses", "gives away"}}
)

// wordStep is one step of a problem: op is "+", "-" or "*", n its amount (2 or 3 for "*").
type wordStep struct {
	op string
	n  int64
}

// apply is the count after the step.
func (s wordStep) apply(x int64) int64 {
	switch s.op {
	case "+":
		return x + s.n
	case "-":
		return x - s.n
	default:
		return x * s.n
	}
}

// WordProblems is a generated env of templated word problems with 2-4 arithmetic steps applied
// in order to a starting count:
//
//	prompt:   "ann has 12 pens, gets 7, sells 5, doubles them. how many now?"
//	solution: "12+7=19,19-5=14,14*2=28"   answer: "28"
//
// The count stays >= 1 after every step (a subtraction removes at most count-1). The answer is
// computed exactly in integers; the solution writes one equation per step, so the usual answer
// extraction (the last number) grades it. Task.ID is the arithmetic alone ("12+7-5*2", applied
// left to right), so the held-out split is disjoint from training in the arithmetic, whatever the
// names and items. Meta carries steps and difficulty ("steps3").
type WordProblems struct {
	verifiedGenerator
	cfg WordProblemsConfig
}

func newWordProblems(p Params) (Env, error) {
	a := plugins.NewArgs(p)
	cfg := WordProblemsConfig{
		StepsMin:   a.Int("steps_min", 2),
		StepsMax:   a.Int("steps_max", 3),
		ValueMax:   a.Int("value_max", 20),
		Operations: a.Strings("operations", []string{"+", "-", "*"}),
		Extractor:  a.String("extractor", "auto"),
	}
	split := readSplitParams(a)
	if err := a.Done(); err != nil {
		return nil, err
	}
	return NewWordProblems(cfg, split.fraction, split.size, split.seed)
}

// NewWordProblems builds the env; heldOutFraction of the task space (by hash of Task.ID) is
// reserved for the heldOutSize evaluation tasks generated from heldOutSeed.
func NewWordProblems(cfg WordProblemsConfig, heldOutFraction float64, heldOutSize int, heldOutSeed uint64) (*WordProblems, error) {
	if cfg.StepsMin < 1 || cfg.StepsMax < cfg.StepsMin || cfg.StepsMax > wordProblemMaxSteps {
		return nil, fmt.Errorf("steps_min and steps_max must satisfy 1 <= steps_min <= steps_max <= %d, got %d and %d",
			wordProblemMaxSteps, cfg.StepsMin, cfg.StepsMax)
	}
	if cfg.ValueMax < wordProblemMinValue || cfg.ValueMax > 1000 {
		return nil, fmt.Errorf("value_max must be in [%d, 1000] (the start and the amounts are drawn from 1..value_max), got %d",
			wordProblemMinValue, cfg.ValueMax)
	}
	if len(cfg.Operations) == 0 {
		return nil, fmt.Errorf("operations is empty; use some of \"+\", \"-\", \"*\"")
	}
	for _, op := range cfg.Operations {
		if op != "+" && op != "-" && op != "*" {
			return nil, fmt.Errorf("operations: unknown operation %q; valid operations: + (gets n), - (sells n), * (doubles or triples)", op)
		}
	}
	verify, err := rewards.NewCorrectness("correct", cfg.Extractor)
	if err != nil {
		return nil, err
	}
	env := &WordProblems{cfg: cfg, verifiedGenerator: verifiedGenerator{verify: verify}}
	env.tasks = newGeneratedSource(env.generate, splitParams{fraction: heldOutFraction, size: heldOutSize, seed: heldOutSeed})
	return env, nil
}

// generate draws one problem: a start in 1..ValueMax and steps whose running count stays >= 1.
// A subtraction drawn when the count is 1 redraws the whole problem. The redraws are bounded;
// the last resort, start value_max and every step the first operation with amount 1 (2 for
// "*"), keeps the count >= 1 because value_max >= 5 > steps.
func (e *WordProblems) generate(rng *rand.Rand) Task {
	steps := e.cfg.StepsMin + rng.IntN(e.cfg.StepsMax-e.cfg.StepsMin+1)
	vmax := int64(e.cfg.ValueMax)
	for range 1000 {
		start := 1 + rng.Int64N(vmax)
		cur, seq, ok := start, make([]wordStep, 0, steps), true
		for range steps {
			s := wordStep{op: e.cfg.Operations[rng.IntN(len(e.cfg.Operations))]}
			switch s.op {
			case "+":
				s.n = 1 + rng.Int64N(vmax)
			case "-":
				if cur < 2 {
					ok = false
				} else {
					s.n = 1 + rng.Int64N(min(vmax, cur-1))
				}
			default:
				s.n = 2 + rng.Int64N(2)
			}
			if !ok {
				break
			}
			cur = s.apply(cur)
			seq = append(seq, s)
		}
		if ok {
			return e.task(rng, start, seq)
		}
	}
	seq := make([]wordStep, steps)
	for i := range seq {
		seq[i] = wordStep{op: e.cfg.Operations[0], n: 1}
		if seq[i].op == "*" {
			seq[i].n = 2
		}
	}
	return e.task(rng, vmax, seq)
}

// task writes the problem with a random name, item and phrasing; the arithmetic fixes the ID,
// answer and solution.
func (e *WordProblems) task(rng *rand.Rand, start int64, seq []wordStep) Task {
	name := wordProblemNames[rng.IntN(len(wordProblemNames))]
	item := wordProblemItems[rng.IntN(len(wordProblemItems))]
	var prompt, id strings.Builder
	fmt.Fprintf(&prompt, "%s has %d %s", name, start, item)
	id.WriteString(strconv.FormatInt(start, 10))
	cur := start
	var eqs []string
	for _, s := range seq {
		switch s.op {
		case "*":
			fmt.Fprintf(&prompt, ", %s them", map[int64]string{2: "doubles", 3: "triples"}[s.n])
		default:
			verbs := wordProblemVerbs[s.op]
			fmt.Fprintf(&prompt, ", %s %d", verbs[rng.IntN(len(verbs))], s.n)
		}
		next := s.apply(cur)
		eqs = append(eqs, fmt.Sprintf("%d%s%d=%d", cur, s.op, s.n, next))
		fmt.Fprintf(&id, "%s%d", s.op, s.n)
		cur = next
	}
	prompt.WriteString(". how many now?")
	answer := strconv.FormatInt(cur, 10)
	steps := strconv.Itoa(len(seq))
	return Task{
		ID:       id.String(),
		Prompt:   prompt.String(),
		Answer:   answer,
		Solution: strings.Join(eqs, ","),
		Meta:     map[string]string{"steps": steps, "difficulty": "steps" + steps},
	}
}

// Name is "wordproblems".
func (e *WordProblems) Name() string { return "wordproblems" }
