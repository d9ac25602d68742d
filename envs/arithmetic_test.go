package envs

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustEnv(t *testing.T, name string, p Params) Env {
	t.Helper()
	env, err := New(name, p)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func play(t *testing.T, env Env, task Task, completion string) StepResult {
	t.Helper()
	ep, err := env.Reset(task)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ep.Step(completion)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestArithmeticDefaultsAndVerifier(t *testing.T) {
	env := mustEnv(t, "arithmetic", nil)
	if env.MaxTurns() != 1 {
		t.Fatalf("MaxTurns = %d", env.MaxTurns())
	}
	tasks := env.Tasks().Train(300, rand.New(rand.NewPCG(7, 7)))
	if len(tasks) != 300 {
		t.Fatalf("got %d tasks", len(tasks))
	}
	ops := map[string]int{}
	for _, task := range tasks {
		// the prompt is "a<op>b=", and the answer must equal an independent evaluation of it
		if !strings.HasSuffix(task.Prompt, "=") {
			t.Fatalf("prompt %q should end with =", task.Prompt)
		}
		expr, err := ParseExpr(strings.TrimSuffix(task.Prompt, "="))
		if err != nil {
			t.Fatalf("prompt %q: %v", task.Prompt, err)
		}
		want, _ := expr.Eval()
		if want.RatString() != task.Answer || task.Solution != task.Answer {
			t.Fatalf("%q: answer %q solution %q, want %s", task.Prompt, task.Answer, task.Solution, want.RatString())
		}
		if want.Sign() < 0 {
			t.Fatalf("%q: negative answer without allow_negative", task.Prompt)
		}
		digits := task.Meta["digits"]
		if task.Meta["difficulty"] != task.Meta["op"]+digits || digits < "1" || digits > "3" {
			t.Fatalf("bad meta %v", task.Meta)
		}
		ops[task.Meta["op"]]++

		if r := play(t, env, task, task.Solution); !r.Done || !r.Reward.Correct || r.Reward.Components[0].Value != 1 {
			t.Fatalf("perfect completion %q for %q scored %+v", task.Solution, task.Prompt, r)
		}
		wrong := new(big.Int).Add(want.Num(), big.NewInt(1)).String()
		if r := play(t, env, task, wrong); r.Reward.Correct || r.Reward.Components[0].Value != 0 || !r.Reward.Components[0].OK {
			t.Fatalf("wrong completion %q for %q scored %+v", wrong, task.Prompt, r)
		}
	}
	for _, op := range []string{"add", "sub", "mul"} {
		if ops[op] < 50 {
			t.Errorf("operator %s drawn %d times of 300 with equal weights", op, ops[op])
		}
	}
}

func TestArithmeticVerifierForms(t *testing.T) {
	env := mustEnv(t, "arithmetic", nil)
	task := Task{ID: "12+34", Prompt: "12+34=", Answer: "46"}
	for completion, want := range map[string]bool{
		"46": true, "46 ": true, "12+34=46": true, "45": false, "": false, "4 6": false, "460": false, "46.0": true,
	} {
		if got := play(t, env, task, completion).Reward.Correct; got != want {
			t.Errorf("completion %q: correct = %v, want %v", completion, got, want)
		}
	}
}

func TestArithmeticConfig(t *testing.T) {
	env := mustEnv(t, "arithmetic", Params{
		"digits_min": 2, "digits_max": 2, "operators": []any{"-", "*"}, "op_weights": []any{0, 1.0},
		"template": "Q:{a} {op} {b}\nA:", "held_out_fraction": 0.0,
	})
	for _, task := range env.Tasks().Train(50, rand.New(rand.NewPCG(1, 2))) {
		if task.Meta["difficulty"] != "mul2" || !strings.HasPrefix(task.Prompt, "Q:") || !strings.Contains(task.Prompt, " * ") {
			t.Fatalf("task %+v does not follow the config", task)
		}
	}
	if len(env.Tasks().HeldOut()) != 0 {
		t.Error("held_out_fraction 0 should give no held-out tasks")
	}
	neg := mustEnv(t, "arithmetic", Params{"operators": []any{"-"}, "allow_negative": true})
	negatives := 0
	for _, task := range neg.Tasks().Train(200, rand.New(rand.NewPCG(3, 3))) {
		if strings.HasPrefix(task.Answer, "-") {
			negatives++
			if r := play(t, neg, task, task.Solution); !r.Reward.Correct {
				t.Errorf("negative answer %q not accepted for %q", task.Solution, task.Prompt)
			}
		}
	}
	if negatives == 0 {
		t.Error("allow_negative should produce some negative answers")
	}
}

func TestArithmeticParamErrors(t *testing.T) {
	cases := []struct {
		p    Params
		want []string
	}{
		{Params{"digit_max": 2}, []string{`"digit_max"`, "digits_max", "operators", "template"}},
		{Params{"digits_max": "3"}, []string{`"digits_max"`, "integer"}},
		{Params{"digits_max": 2.5}, []string{`"digits_max"`, "integer"}},
		{Params{"digits_max": 12}, []string{"digits_max", "9"}},
		{Params{"operators": []any{"/"}}, []string{`"/"`, "+, -, *"}},
		{Params{"operators": "+"}, []string{`"operators"`, "list of strings"}},
		{Params{"op_weights": []any{1}}, []string{"op_weights", "one weight per operator"}},
		{Params{"template": "{a}+"}, []string{"template", "{op}"}},
		{Params{"held_out_fraction": 0.9}, []string{"held_out_fraction"}},
		{Params{"extractor": "x"}, []string{"extractor", "last_number"}},
	}
	for _, c := range cases {
		_, err := New("arithmetic", c.p)
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
