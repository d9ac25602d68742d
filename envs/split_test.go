package envs

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestSeededReproducibilityAndDisjointSplits(t *testing.T) {
	for _, name := range []string{"arithmetic", "countdown"} {
		t.Run(name, func(t *testing.T) {
			p := Params{"held_out_size": 100}
			if name == "arithmetic" {
				p["digits_max"] = 2 // a small task space makes collisions likely if the split leaks
			}
			a, b := mustEnv(t, name, p), mustEnv(t, name, p)
			if !reflect.DeepEqual(a.Tasks().HeldOut(), b.Tasks().HeldOut()) {
				t.Fatal("held-out split differs between two builds with the same params")
			}
			ta := a.Tasks().Train(200, rand.New(rand.NewPCG(42, 1)))
			tb := b.Tasks().Train(200, rand.New(rand.NewPCG(42, 1)))
			if !reflect.DeepEqual(ta, tb) {
				t.Fatal("same seed gave different training tasks")
			}
			tc := a.Tasks().Train(200, rand.New(rand.NewPCG(43, 1)))
			if reflect.DeepEqual(ta, tc) {
				t.Fatal("different seeds gave the same training tasks")
			}
			held := map[string]bool{}
			for _, task := range a.Tasks().HeldOut() {
				if held[task.ID] {
					t.Fatalf("held-out task %s appears twice", task.ID)
				}
				held[task.ID] = true
			}
			if len(held) != 100 {
				t.Fatalf("held-out size %d, want 100", len(held))
			}
			for seed := range uint64(10) {
				for _, task := range a.Tasks().Train(500, rand.New(rand.NewPCG(seed, 9))) {
					if held[task.ID] {
						t.Fatalf("Train drew held-out task %s", task.ID)
					}
				}
			}
		})
	}
}

func TestInHeldOutFraction(t *testing.T) {
	n, in := 20000, 0
	for i := range n {
		if InHeldOut(string(rune('a'+i%26))+string(rune(i)), 0.1, 1) {
			in++
		}
	}
	if frac := float64(in) / float64(n); frac < 0.08 || frac > 0.12 {
		t.Errorf("held-out share %v, want about 0.1", frac)
	}
	if InHeldOut("x", 0, 1) {
		t.Error("fraction 0 must hold nothing out")
	}
}

func TestHeldOutShareOfShortKeysIsEven(t *testing.T) {
	// Every a+b with one-digit a and b: about 10% of each "a+" family should be held out.
	held := 0
	for a := 0; a < 10; a++ {
		for b := 0; b < 10; b++ {
			if InHeldOut(fmt.Sprintf("%d+%d", a, b), 0.1, 1) {
				held++
			}
		}
	}
	if held < 3 || held > 20 {
		t.Fatalf("%d of 100 one-digit sums held out at fraction 0.1", held)
	}
	long := 0
	for a := 10; a < 100; a++ {
		for b := 0; b < 10; b++ {
			if InHeldOut(fmt.Sprintf("%d+%d", a, b), 0.1, 1) {
				long++
			}
		}
	}
	if long < 60 || long > 120 {
		t.Fatalf("%d of 900 two-plus-one-digit sums held out at fraction 0.1", long)
	}
}
