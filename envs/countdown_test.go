package envs

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseExpr(t *testing.T) {
	cases := []struct {
		in      string
		value   string // RatString of the value, "" for a parse error
		printed string
	}{
		{"3*5+7", "22", "3*5+7"},
		{"3 * (5 + 7)", "36", "3*(5+7)"},
		{"8-3-1", "4", "8-3-1"},
		{"8-(3-1)", "6", "8-(3-1)"},
		{"8/4/2", "1", "8/4/2"},
		{"8/(4/2)", "4", "8/(4/2)"},
		{"1/3+1/6", "1/2", "1/3+1/6"},
		{"((2))", "2", "2"},
		{"6×7÷2", "21", "6*7/2"},
		{"-3+5", "", ""},
		{"3+", "", ""},
		{"(3+5", "", ""},
		{"3+5)", "", ""},
		{"3 5", "", ""},
		{"", "", ""},
		{"2^3", "", ""},
		{"3.5+1", "", ""},
		{"abs(3)", "", ""},
		{strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200), "", ""},
		{"1234567890123456789+1", "", ""},
	}
	for _, c := range cases {
		e, err := ParseExpr(c.in)
		if c.value == "" {
			if err == nil {
				t.Errorf("ParseExpr(%q) should fail, got %v", c.in, e)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", c.in, err)
			continue
		}
		v, err := e.Eval()
		if err != nil || v.RatString() != c.value || e.String() != c.printed {
			t.Errorf("ParseExpr(%q) = %s = %v (%v), want %s = %s", c.in, e, v, err, c.printed, c.value)
		}
	}
}

func TestCheckCountdown(t *testing.T) {
	numbers, target := []int64{3, 5, 7}, int64(22)
	cases := []struct {
		completion string
		want       CountdownVerdict
		reason     string
	}{
		{"3*5+7", CountdownSolved, ""},
		{"7+5*3", CountdownSolved, ""},
		{"(5*3)+7 = 22", CountdownSolved, ""},
		{"<think>try</think><answer>3*5+7</answer>", CountdownSolved, ""},
		{`\boxed{7+3*5}`, CountdownSolved, ""},
		{"3*5+7+0", CountdownWellFormed, "exactly once"},
		{"3*5", CountdownWellFormed, "exactly once"},
		{"3*5+7*1", CountdownWellFormed, "exactly once"},
		{"5*5+7", CountdownWellFormed, "exactly once"},
		{"3+5+7", CountdownWellFormed, "evaluates to 15"},
		{"7/(5-5)+3", CountdownWellFormed, "division by zero"},
		{"", CountdownNoAnswer, "no expression"},
		{"I don't know", CountdownNoAnswer, "not an expression"},
		{"3*5+", CountdownNoAnswer, "not an expression"},
	}
	for _, c := range cases {
		got, reason := CheckCountdown(c.completion, numbers, target)
		if got != c.want || !strings.Contains(reason, c.reason) {
			t.Errorf("CheckCountdown(%q) = %v %q, want %v containing %q", c.completion, got, reason, c.want, c.reason)
		}
	}
	// rational intermediate values are exact: 6/(1-3/4) = 24
	if got, reason := CheckCountdown("6/(1-3/4)", []int64{6, 1, 3, 4}, 24); got != CountdownSolved {
		t.Errorf("6/(1-3/4) should reach 24 exactly: %v %s", got, reason)
	}
}

func TestCountdownEnvScoresAndSolutions(t *testing.T) {
	env := mustEnv(t, "countdown", Params{"count_min": 3, "count_max": 4})
	tasks := env.Tasks().Train(100, rand.New(rand.NewPCG(5, 5)))
	for _, task := range tasks {
		target, _ := new(big.Int).SetString(task.Meta["target"], 10)
		if target == nil || target.Sign() <= 0 || target.Int64() > 100 {
			t.Fatalf("target out of range: %+v", task)
		}
		if task.Prompt != task.Meta["numbers"]+">"+task.Meta["target"]+":" {
			t.Fatalf("prompt %q does not follow the default template", task.Prompt)
		}
		r := play(t, env, task, task.Solution)
		if c := r.Reward.Components[0]; !r.Reward.Correct || c.Name != "countdown" || c.Value != 1 {
			t.Fatalf("solution %q for %q scored %+v", task.Solution, task.Prompt, r.Reward)
		}
		if v := play(t, env, task, "1+1").Reward.Components[0].Value; v != 0.1 {
			t.Fatalf("well-formed wrong answer scored %v, want 0.1", v)
		}
		if v := play(t, env, task, "no idea").Reward.Components[0].Value; v != 0 {
			t.Fatalf("no answer scored %v, want 0", v)
		}
	}
	if _, err := env.Reset(Task{ID: "x", Prompt: "x"}); err == nil || !strings.Contains(err.Error(), "numbers") {
		t.Errorf("a task without numbers should be rejected at Reset: %v", err)
	}
}

func TestSolveCountdown(t *testing.T) {
	if e, ok := SolveCountdown([]int64{3, 5, 7}, 22); !ok || e.String() != "3*5+7" {
		t.Errorf("SolveCountdown(3 5 7 > 22) = %v, %v", e, ok)
	}
	if _, ok := SolveCountdown([]int64{1, 1}, 5); ok {
		t.Error("1 and 1 cannot make 5")
	}
	// 4 numbers that need a fraction on the way: 8 / (3 - 8/3) = 24
	e, ok := SolveCountdown([]int64{8, 3, 8, 3}, 24)
	if !ok {
		t.Fatal("8 3 8 3 > 24 has the solution 8/(3-8/3)")
	}
	if v, _ := CheckCountdown(e.String(), []int64{8, 3, 8, 3}, 24); v != CountdownSolved {
		t.Errorf("solver's answer %s does not verify", e)
	}
}

func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"3*5+7", "(1+2)*(3-4)/5", "((((", "))", "1/0", "6÷2×3", "", "-1", "999999999999999999*999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpr(s)
		if err != nil {
			return
		}
		v, evalErr := e.Eval()
		// printing and re-parsing must give the same value
		again, err := ParseExpr(e.String())
		if err != nil {
			t.Fatalf("printed form %q of %q does not parse: %v", e.String(), s, err)
		}
		v2, evalErr2 := again.Eval()
		if (evalErr == nil) != (evalErr2 == nil) || (evalErr == nil && v.Cmp(v2) != 0) {
			t.Fatalf("%q = %v but its printed form %q = %v", s, v, e.String(), v2)
		}
		CheckCountdown(s, []int64{1, 2, 3}, 6)
	})
}
