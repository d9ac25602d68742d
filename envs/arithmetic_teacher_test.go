package envs

import (
	"math/rand/v2"
	"testing"
)

func TestWithoutCarries(t *testing.T) {
	for _, c := range []struct {
		a    int64
		op   string
		b    int64
		want int64
	}{
		{19, "+", 27, 36}, {12, "+", 34, 46}, {99, "+", 1, 90}, {5, "+", 7, 2},
		{42, "-", 17, 35}, {50, "-", 8, 52}, {47, "-", 13, 34}, {12, "*", 11, 132},
	} {
		if got := withoutCarries(c.a, c.op, c.b, arithmeticOps[c.op].apply); got != c.want {
			t.Errorf("%d%s%d without carries = %d, want %d", c.a, c.op, c.b, got, c.want)
		}
	}
}

func TestTeacherCarryErrorChangesOnlySolutions(t *testing.T) {
	noisy, err := newArithmetic(Params{"digits_min": 2, "digits_max": 2, "operators": []any{"+"}, "teacher_carry_error": 1.0})
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for _, task := range noisy.Tasks().Train(200, rand.New(rand.NewPCG(1, 2))) {
		res := noisy.(*Arithmetic).grade(task, task.Answer)
		if !res.Correct {
			t.Fatalf("the exact answer of %s must stay correct", task.Prompt)
		}
		if task.Solution != task.Answer {
			wrong++
			if noisy.(*Arithmetic).grade(task, task.Solution).Correct {
				t.Fatalf("teacher solution %s of %s should be wrong", task.Solution, task.Prompt)
			}
		}
	}
	// Two random 2-digit numbers carry in the units digit about 45% of the time.
	if wrong < 60 || wrong > 160 {
		t.Fatalf("%d of 200 teacher solutions forgot a carry; want roughly half", wrong)
	}
	if _, err := newArithmetic(Params{"teacher_carry_error": 1.5}); err == nil {
		t.Fatal("teacher_carry_error 1.5 accepted")
	}
}
