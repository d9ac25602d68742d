package envs

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wordProblemPrompt parses a prompt back into its start and steps, independently of the
// generator: "ann has 12 pens, gets 7, sells 5, doubles them. how many now?".
var (
	wordStartRe = regexp.MustCompile(`^[a-z]+ has (\d+) [a-z]+$`)
	wordStepRe  = regexp.MustCompile(`^(gets|finds|buys|sells|loses|gives away) (\d+)$|^(doubles|triples) them$`)
)

// solveWordProblem evaluates the prompt as a reader would; it returns the answer, the number of
// steps and whether every intermediate count stayed >= 1.
func solveWordProblem(t *testing.T, prompt string) (answer int64, steps int, positive bool) {
	t.Helper()
	body, ok := strings.CutSuffix(prompt, ". how many now?")
	if !ok {
		t.Fatalf("prompt %q does not end with the question", prompt)
	}
	parts := strings.Split(body, ", ")
	m := wordStartRe.FindStringSubmatch(parts[0])
	if m == nil {
		t.Fatalf("prompt %q: cannot read the start from %q", prompt, parts[0])
	}
	x, _ := strconv.ParseInt(m[1], 10, 64)
	positive = x >= 1
	for _, p := range parts[1:] {
		m := wordStepRe.FindStringSubmatch(p)
		if m == nil {
			t.Fatalf("prompt %q: cannot read step %q", prompt, p)
		}
		n, _ := strconv.ParseInt(m[2], 10, 64)
		switch m[1] + m[3] {
		case "gets", "finds", "buys":
			x += n
		case "sells", "loses", "gives away":
			x -= n
		case "doubles":
			x *= 2
		case "triples":
			x *= 3
		}
		positive = positive && x >= 1
	}
	return x, len(parts) - 1, positive
}

func TestWordProblemsGeneratorAndVerifier(t *testing.T) {
	env := mustEnv(t, "wordproblems", nil)
	if env.MaxTurns() != 1 || env.Name() != "wordproblems" {
		t.Fatalf("MaxTurns %d name %q", env.MaxTurns(), env.Name())
	}
	tasks := env.Tasks().Train(500, rand.New(rand.NewPCG(3, 4)))
	bySteps := map[string]int{}
	longest := 0
	for _, task := range tasks {
		want, steps, positive := solveWordProblem(t, task.Prompt)
		if strconv.FormatInt(want, 10) != task.Answer || !positive {
			t.Fatalf("%q: answer %q, solved independently %d (counts stay >= 1: %v)", task.Prompt, task.Answer, want, positive)
		}
		if steps < 2 || steps > 3 || task.Meta["steps"] != strconv.Itoa(steps) || task.Meta["difficulty"] != "steps"+strconv.Itoa(steps) {
			t.Fatalf("%q: %d steps, meta %v", task.Prompt, steps, task.Meta)
		}
		bySteps[task.Meta["steps"]]++
		// the solution is one equation per step, each one true, ending with the answer
		eqs := strings.Split(task.Solution, ",")
		if len(eqs) != steps || !strings.HasSuffix(task.Solution, "="+task.Answer) {
			t.Fatalf("%q: solution %q", task.Prompt, task.Solution)
		}
		for _, eq := range eqs {
			lhs, rhs, _ := strings.Cut(eq, "=")
			expr, err := ParseExpr(lhs)
			if err != nil {
				t.Fatalf("solution %q: %v", task.Solution, err)
			}
			v, _ := expr.Eval()
			if v.RatString() != rhs {
				t.Fatalf("solution %q: %s is %s", task.Solution, lhs, v.RatString())
			}
		}
		longest = max(longest, len(task.Prompt)+len(task.Solution))

		if r := play(t, env, task, task.Solution); !r.Done || !r.Reward.Correct || r.Reward.Components[0].Value != 1 {
			t.Fatalf("the solution %q of %q scored %+v", task.Solution, task.Prompt, r.Reward)
		}
		if r := play(t, env, task, task.Answer); !r.Reward.Correct {
			t.Fatalf("the bare answer %q of %q scored %+v", task.Answer, task.Prompt, r.Reward)
		}
		wrong := task.Solution + "1" // the last number gains a digit
		if r := play(t, env, task, wrong); r.Reward.Correct || r.Reward.Components[0].Value != 0 {
			t.Fatalf("wrong completion %q of %q scored %+v", wrong, task.Prompt, r.Reward)
		}
	}
	if bySteps["2"] < 150 || bySteps["3"] < 150 {
		t.Errorf("steps drawn %v of 500, want both 2 and 3 often", bySteps)
	}
	// configs/sft-wordproblems.yaml uses context 128: prompt + solution + BOS + EOS must fit. The
	// worst case for the defaults is 77 + 27 characters ("... gives away 20" three times; the
	// solution "20+20=40,40*3=120,120*3=360").
	if longest+2 > 128 || longest > 104 {
		t.Errorf("longest prompt+solution is %d characters; the worst case is 104 and it must fit a context of 128 with BOS and EOS", longest)
	}
}

func TestWordProblemsConfig(t *testing.T) {
	env := mustEnv(t, "wordproblems", Params{"steps_min": 4, "steps_max": 4, "operations": []any{"-"}, "value_max": 5,
		"held_out_fraction": 0})
	for _, task := range env.Tasks().Train(100, rand.New(rand.NewPCG(1, 1))) {
		// only "-" with value_max 5 and four steps: 5-1-1-1-1 is the one problem that works
		if task.ID != "5-1-1-1-1" || task.Answer != "1" {
			t.Fatalf("task %+v, want 5-1-1-1-1 = 1", task)
		}
	}
	mul := mustEnv(t, "wordproblems", Params{"operations": []any{"*"}, "steps_min": 2, "steps_max": 2,
		"held_out_fraction": 0})
	for _, task := range mul.Tasks().Train(50, rand.New(rand.NewPCG(1, 1))) {
		if strings.ContainsAny(task.ID, "+-") || !strings.Contains(task.Prompt, "them") {
			t.Fatalf("operations [*] gave %+v", task)
		}
	}
}

func TestWordProblemsParamErrors(t *testing.T) {
	cases := []struct {
		p    Params
		want []string
	}{
		{Params{"steps": 2}, []string{`"steps"`, "steps_min"}},
		{Params{"steps_min": 0}, []string{"steps_min", "1 <="}},
		{Params{"steps_min": 3, "steps_max": 2}, []string{"steps_min", "steps_max", "got 3 and 2"}},
		{Params{"steps_max": 5}, []string{"steps_max", "<= 4"}},
		{Params{"value_max": 3}, []string{"value_max", "[5, 1000]"}},
		{Params{"operations": []any{"/"}}, []string{`"/"`, "valid operations"}},
		{Params{"operations": []any{}}, []string{"operations is empty"}},
		{Params{"extractor": "x"}, []string{"extractor"}},
		{Params{"held_out_fraction": 0.9}, []string{"held_out_fraction"}},
	}
	for _, c := range cases {
		_, err := New("wordproblems", c.p)
		if err == nil {
			t.Errorf("params %v: expected an error", c.p)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("params %v: error %q should mention %q", c.p, err, w)
			}
		}
	}
}
