package envs

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// hardTaskParams are the env_args of the harder tasks' base policies (configs/sft-*.yaml).
var hardTaskParams = map[string]struct {
	env string
	p   Params
}{
	"add3":         {"arithmetic", Params{"digits_min": 3, "digits_max": 3, "operators": []any{"+"}}},
	"mul":          {"arithmetic", Params{"digits_min": 2, "digits_max": 3, "b_digits_min": 1, "b_digits_max": 1, "operators": []any{"*"}}},
	"countdown34":  {"countdown", Params{"count_min": 3, "count_max": 4}},
	"wordproblems": {"wordproblems", nil},
}

// Each harder task: the same params give the same held-out set and, from the same seed, the same
// training tasks; another seed gives others; the held-out IDs are distinct and never drawn for
// training.
func TestHardTasksDeterministicAndDisjoint(t *testing.T) {
	for name, c := range hardTaskParams {
		t.Run(name, func(t *testing.T) {
			a, b := mustEnv(t, c.env, c.p), mustEnv(t, c.env, c.p)
			if !reflect.DeepEqual(a.Tasks().HeldOut(), b.Tasks().HeldOut()) {
				t.Fatal("held-out split differs between two builds with the same params")
			}
			ta := a.Tasks().Train(200, rand.New(rand.NewPCG(42, 1)))
			if tb := b.Tasks().Train(200, rand.New(rand.NewPCG(42, 1))); !reflect.DeepEqual(ta, tb) {
				t.Fatal("same seed gave different training tasks")
			}
			if tc := a.Tasks().Train(200, rand.New(rand.NewPCG(43, 1))); reflect.DeepEqual(ta, tc) {
				t.Fatal("different seeds gave the same training tasks")
			}
			held := map[string]bool{}
			for _, task := range a.Tasks().HeldOut() {
				if held[task.ID] {
					t.Fatalf("held-out task %s appears twice", task.ID)
				}
				held[task.ID] = true
			}
			if len(held) != 200 {
				t.Fatalf("held-out size %d, want the default 200", len(held))
			}
			for seed := range uint64(5) {
				for _, task := range a.Tasks().Train(1000, rand.New(rand.NewPCG(seed, 9))) {
					if held[task.ID] {
						t.Fatalf("Train drew held-out task %s", task.ID)
					}
				}
			}
		})
	}
}

// Multiplication of a 2-3 digit number by one digit (b_digits_min = b_digits_max = 1): the
// operands have the asked lengths, the answer is the exact product, digits is a's length.
func TestArithmeticSecondOperandDigits(t *testing.T) {
	env := mustEnv(t, "arithmetic", hardTaskParams["mul"].p)
	lengths := map[[2]int]int{}
	for _, task := range env.Tasks().Train(400, rand.New(rand.NewPCG(9, 9))) {
		sa, sb, ok := strings.Cut(strings.TrimSuffix(task.Prompt, "="), "*")
		if !ok {
			t.Fatalf("prompt %q is not a product", task.Prompt)
		}
		lengths[[2]int{len(sa), len(sb)}]++
		expr, err := ParseExpr(strings.TrimSuffix(task.Prompt, "="))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := expr.Eval()
		if want.RatString() != task.Answer || task.Meta["digits"] != string(rune('0'+len(sa))) || task.Meta["difficulty"] != "mul"+task.Meta["digits"] {
			t.Fatalf("%q: answer %q meta %v, want %s", task.Prompt, task.Answer, task.Meta, want.RatString())
		}
		if r := play(t, env, task, task.Solution); !r.Reward.Correct {
			t.Fatalf("solution %q of %q not accepted", task.Solution, task.Prompt)
		}
	}
	if len(lengths) != 2 || lengths[[2]int{2, 1}] < 150 || lengths[[2]int{3, 1}] < 150 {
		t.Fatalf("operand lengths %v, want (2,1) and (3,1) about equally often", lengths)
	}
	// Without b_digits_* both operands keep the same length (the default behaviour).
	same := mustEnv(t, "arithmetic", Params{"digits_min": 2, "digits_max": 3, "operators": []any{"*"}})
	for _, task := range same.Tasks().Train(100, rand.New(rand.NewPCG(9, 9))) {
		sa, sb, _ := strings.Cut(strings.TrimSuffix(task.Prompt, "="), "*")
		if len(sa) != len(sb) {
			t.Fatalf("without b_digits_* the operands of %q differ in length", task.Prompt)
		}
	}
}

func TestArithmeticSecondOperandDigitsErrors(t *testing.T) {
	for _, c := range []struct {
		p    Params
		want string
	}{
		{Params{"b_digits_max": 2}, "got 0 and 2"},
		{Params{"b_digits_min": 2}, "got 2 and 0"},
		{Params{"b_digits_min": 3, "b_digits_max": 2}, "got 3 and 2"},
		{Params{"b_digits_min": 1, "b_digits_max": 10}, "got 1 and 10"},
		{Params{"b_digit_max": 1}, "b_digits_max"},
	} {
		_, err := New("arithmetic", c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "b_digits") {
			t.Errorf("params %v: error %v, want one naming b_digits_min/b_digits_max and %q", c.p, err, c.want)
		}
	}
}
