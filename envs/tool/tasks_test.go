package tool

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"grit/envs"
)

func TestTasksAreExactAndLabelled(t *testing.T) {
	env := mustEnv(t, envs.Params{"medium_frac": 0.2, "hard_frac": 0.4})
	counts := map[string]int{}
	tasks := env.Tasks().Train(3000, rand.New(rand.NewPCG(7, 7)))
	for _, task := range tasks {
		counts[task.Meta["difficulty"]]++
		f, err := ParseForm(task.Meta["form"])
		if err != nil {
			t.Fatalf("task %s: %v", task.ID, err)
		}
		a, b, ok := strings.Cut(task.ID, string(f.Op))
		if !ok || task.Prompt != task.ID+"=" || task.Solution != task.Answer {
			t.Fatalf("task %+v is not in the documented format", task)
		}
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		if len(a) != f.DigitsA || len(b) != f.DigitsB {
			t.Fatalf("task %s does not have the digits of form %s", task.ID, f)
		}
		want := map[byte]int64{'+': x + y, '-': x - y, '*': x * y}[f.Op]
		if task.Answer != strconv.FormatInt(want, 10) {
			t.Fatalf("task %s: answer %s, want %d", task.ID, task.Answer, want)
		}
	}
	// Shares 0.4 / 0.2 / 0.4 over 3000 draws: a 5-sigma band is about +-0.045.
	for name, share := range map[string]float64{Easy: 0.4, Medium: 0.2, Hard: 0.4} {
		if got := float64(counts[name]) / float64(len(tasks)); got < share-0.045 || got > share+0.045 {
			t.Errorf("%s share %v, want about %v", name, got, share)
		}
	}
}

func TestSeededReproducibilityAndDisjointSplits(t *testing.T) {
	p := envs.Params{"held_out_size": 150}
	a, b := mustEnv(t, p), mustEnv(t, p)
	if !reflect.DeepEqual(a.Tasks().HeldOut(), b.Tasks().HeldOut()) {
		t.Fatal("held-out split differs between two builds with the same params")
	}
	ta := a.Tasks().Train(300, rand.New(rand.NewPCG(42, 1)))
	tb := b.Tasks().Train(300, rand.New(rand.NewPCG(42, 1)))
	if !reflect.DeepEqual(ta, tb) {
		t.Fatal("same seed gave different training tasks")
	}
	if reflect.DeepEqual(ta, a.Tasks().Train(300, rand.New(rand.NewPCG(43, 1)))) {
		t.Fatal("different seeds gave the same training tasks")
	}
	other := mustEnv(t, envs.Params{"held_out_size": 150, "held_out_seed": 2})
	if reflect.DeepEqual(a.Tasks().HeldOut(), other.Tasks().HeldOut()) {
		t.Fatal("held_out_seed does not change the held-out split")
	}
	held := map[string]bool{}
	levels := map[string]int{}
	for _, task := range a.Tasks().HeldOut() {
		if held[task.ID] {
			t.Fatalf("held-out task %s appears twice", task.ID)
		}
		held[task.ID] = true
		levels[task.Meta["difficulty"]]++
	}
	if len(held) != 150 || levels[Easy] != 75 || levels[Hard] != 75 {
		t.Fatalf("held-out has %d tasks (%v), want 150 split 75 easy / 75 hard", len(held), levels)
	}
	for seed := range uint64(10) {
		for _, task := range a.Tasks().Train(1000, rand.New(rand.NewPCG(seed, 9))) {
			if held[task.ID] {
				t.Fatalf("Train drew held-out task %s", task.ID)
			}
		}
	}
}

func TestBudgetBoundsTraces(t *testing.T) {
	env := mustEnv(t, nil)
	b := env.TraceBudget()
	// Hand count for the default forms: "999*99=" 7, "<calc>999*99</calc>" 19, "<r>98901</r>" 12,
	// "98901" 5; "999+999=" 8, "<calc>999+999</calc>" 20, "<r>1998</r>" 11, "1998" 4.
	want := Budget{Prompt: 8, Call: 20, Observation: 12, Answer: 5, Completion: 21,
		Trace: 1 + 7 + 19 + 1 + 12 + 5 + 1, Episode: 1 + 7 + 2*(19+1+12) + 5 + 1}
	if b != want {
		t.Fatalf("TraceBudget = %+v, want %+v", b, want)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	tasks := append(env.Tasks().Train(2000, rng), makeTask(999, '*', 99, "3*2", Hard), makeTask(999, '+', 999, "3+3", Hard))
	longest := 0
	for _, task := range tasks {
		trace, err := env.Trace(task, rng)
		if err != nil {
			t.Fatal(err)
		}
		n := 1 + len(task.Prompt)
		for _, turn := range trace {
			if len(turn.Completion)+1 > b.Completion {
				t.Fatalf("task %s: turn %q longer than Budget.Completion %d", task.ID, turn.Completion, b.Completion)
			}
			n += len(turn.Completion) + 1 + len(turn.Observation)
		}
		longest = max(longest, n)
	}
	if longest != b.Trace {
		t.Fatalf("longest trace %d tokens, Budget.Trace %d", longest, b.Trace)
	}
}

// TestHeldOutShareByForm enumerates whole small task spaces: each form must send about
// held_out_fraction of its tasks to the held-out split (a hash with poorly mixed high bits sent
// 0 of the 900 "1+2" tasks there and 30 of the 100 "1+1" tasks).
func TestHeldOutShareByForm(t *testing.T) {
	for _, form := range []string{"2+1", "1+2", "2*1", "2-1"} {
		f, _ := ParseForm(form)
		for salt := uint64(1); salt <= 3; salt++ {
			n, in := 0, 0
			for a := int64(0); a < 100; a++ {
				for b := int64(0); b < 100; b++ {
					if len(strconv.FormatInt(a, 10)) != f.DigitsA || len(strconv.FormatInt(b, 10)) != f.DigitsB {
						continue
					}
					n++
					if envs.InHeldOut(makeTask(a, f.Op, b, form, Easy).ID, 0.1, salt) {
						in++
					}
				}
			}
			// 900 tasks: the share's standard deviation is 0.01; allow 4 of them.
			if share := float64(in) / float64(n); share < 0.06 || share > 0.14 {
				t.Errorf("form %s salt %d: held-out share %.3f of %d tasks, want about 0.1", form, salt, share, n)
			}
		}
	}
}
