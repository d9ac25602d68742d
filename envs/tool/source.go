package tool

import (
	"math"
	"math/rand/v2"

	"grit/envs"
)

// level is one difficulty with its share of the tasks and its forms.
type level struct {
	name  string
	frac  float64
	forms []Form
}

// source is the TaskSource: each task picks a level by its share, then a form uniformly, then
// operands uniformly. Train and HeldOut are disjoint by hash of the canonical task.
type source struct {
	levels  []level // with frac > 0, in the order easy, medium, hard
	split   Split
	heldOut []envs.Task
}

// maxDrawsPerTask bounds rejection sampling, so that a task space too small for a request returns
// fewer tasks instead of looping forever.
const maxDrawsPerTask = 1000

func newSource(levels []level, split Split) *source {
	s := &source{split: split}
	for _, l := range levels {
		if l.frac > 0 {
			s.levels = append(s.levels, l)
		}
	}
	s.heldOut = s.makeHeldOut()
	return s
}

// makeHeldOut draws round(size * frac) distinct held-out tasks per level (the last level takes
// the rounding rest), in level order, from the held-out seed.
func (s *source) makeHeldOut() []envs.Task {
	if s.split.Fraction <= 0 || s.split.Size <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(s.split.Seed, 0x7001_c41c))
	var out []envs.Task
	left := s.split.Size
	for i, l := range s.levels {
		want := int(math.Round(float64(s.split.Size) * l.frac))
		if i == len(s.levels)-1 || want > left {
			want = left
		}
		left -= want
		seen := map[string]bool{}
		for n, draws := 0, 0; n < want && draws < maxDrawsPerTask*(want+1); draws++ {
			t := l.draw(rng)
			if !seen[t.ID] && envs.InHeldOut(t.ID, s.split.Fraction, s.split.Seed) {
				seen[t.ID] = true
				out = append(out, t)
				n++
			}
		}
	}
	return out
}

// draw picks a form of the level uniformly and draws a task of it.
func (l level) draw(rng *rand.Rand) envs.Task {
	return l.forms[rng.IntN(len(l.forms))].draw(rng, l.name)
}

// drawAny picks a level by its share, then draws a task of it.
func (s *source) drawAny(rng *rand.Rand) envs.Task {
	total := 0.0
	for _, l := range s.levels {
		total += l.frac
	}
	u := rng.Float64() * total
	k := 0
	for k < len(s.levels)-1 && u >= s.levels[k].frac {
		u -= s.levels[k].frac
		k++
	}
	return s.levels[k].draw(rng)
}

// Train draws n tasks outside the held-out split; all randomness comes from rng.
func (s *source) Train(n int, rng *rand.Rand) []envs.Task {
	out := make([]envs.Task, 0, max(n, 0))
	for draws := 0; len(out) < n && draws < maxDrawsPerTask*(n+1); draws++ {
		t := s.drawAny(rng)
		if !envs.InHeldOut(t.ID, s.split.Fraction, s.split.Seed) {
			out = append(out, t)
		}
	}
	return out
}

// HeldOut returns the fixed evaluation tasks (a copy).
func (s *source) HeldOut() []envs.Task {
	return append([]envs.Task(nil), s.heldOut...)
}
