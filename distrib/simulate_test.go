package distrib

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// A model of one synchronous step's wall time against the number of workers, from measured costs
// (BENCHMARKS.md, "Rollout workers on NATS", says where each number comes from):
//
//	W = 0: step = G*group + update                                   (the learner samples itself)
//	W > 0: step = put + get(W) + ceil(G/W)*group + G*task + update
//
// put: the learner's upload of the policy version; get(W): the workers' download of it, either all
// at once at the single-download speed (parallel) or through one server that serves them one after
// another (serial, W*get); task: the learner's cost per group's task and result; update: the
// learner's update. Nothing overlaps (max_staleness 0). The learner is the bottleneck from the
// first W at which its own part (put + G*task + update) exceeds the workers' part.
type stepShape struct {
	name                   string
	groups                 int
	groupS, taskS, updateS float64
	putS, getS             float64
}

func (s stepShape) stepS(w int, serialGet bool) float64 {
	if w == 0 {
		return float64(s.groups)*s.groupS + s.updateS
	}
	get := s.getS
	if serialGet {
		get *= float64(w)
	}
	return s.putS + get + math.Ceil(float64(s.groups)/float64(w))*s.groupS + float64(s.groups)*s.taskS + s.updateS
}

// learnerBound is the first W whose workers' part is below the learner's own part; 0 = never up to maxW.
func (s stepShape) learnerBound(maxW int) int {
	own := s.putS + float64(s.groups)*s.taskS + s.updateS
	for w := 1; w <= maxW; w++ {
		if s.getS+math.Ceil(float64(s.groups)/float64(w))*s.groupS < own {
			return w
		}
	}
	return 0
}

// The measured costs (see BENCHMARKS.md for their sources).
var simShapes = []stepShape{
	// configs/ci/grpo.yaml: 16 groups x 8 completions of <= 6 tokens on the 110k-parameter model.
	{name: "tiny (16 x 8, 110k params)", groups: 16, groupS: 0.0054, taskS: 0.00147, updateS: 0.0287, putS: 0.0065, getS: 0.0065},
	// SmolLM2-135M shape: 8 groups x 8 samples of 192 new tokens; float32 weights (538 MB) per version.
	{name: "135M (8 x 8 x 192 tokens)", groups: 8, groupS: 10.6, taskS: 0.00147, updateS: 611, putS: 2.28, getS: 5.58},
	// The same with 64 groups: rollout and update both grow 8x.
	{name: "135M (64 x 8 x 192 tokens)", groups: 64, groupS: 10.6, taskS: 0.00147, updateS: 4888, putS: 2.28, getS: 5.58},
}

func TestStepTimeSimulation(t *testing.T) {
	workers := []int{0, 1, 2, 4, 8, 16, 32, 64}
	for _, s := range simShapes {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: workers | step s (parallel get) | step s (serial get)\n", s.name)
		prev := math.Inf(1)
		for _, w := range workers {
			p, q := s.stepS(w, false), s.stepS(w, true)
			fmt.Fprintf(&b, "  %2d | %10.4g | %10.4g\n", w, p, q)
			if w > 0 && p > prev+1e-12 {
				t.Errorf("%s: step time rose from %g to %g s at %d workers with parallel downloads", s.name, prev, p, w)
			}
			if w > 0 {
				prev = p
			}
		}
		fmt.Fprintf(&b, "  learner-bound from %d worker(s)\n", s.learnerBound(64))
		t.Log(b.String())
	}
	// Hand-checked values: tiny at 4 workers = 0.0065 + 0.0065 + 4*0.0054 + 16*0.00147 + 0.0287.
	if got, want := simShapes[0].stepS(4, false), 0.0065+0.0065+4*0.0054+16*0.00147+0.0287; math.Abs(got-want) > 1e-12 {
		t.Fatalf("tiny at 4 workers: %g s, want %g", got, want)
	}
	if w := simShapes[1].learnerBound(64); w != 1 {
		t.Fatalf("135M: learner-bound from %d workers; the 611 s update outweighs 8 groups' sampling from the first worker", w)
	}
}
