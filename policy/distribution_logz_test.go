package policy

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The sampler's log-prob reuses chooseToken's normaliser at temperature 1 without filtering; it must
// give exactly the bits of logSoftmaxAt (the trainer's kernel) in every case: random vocabularies,
// a max of -0 next to +0, -Inf logits, and (falling back to LogSumExp) NaN and +Inf logits,
// tempered and filtered draws.
func TestLogProbOfMatchesLogSoftmaxAtBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var cases [][]float32
	for _, v := range []int{1, 2, 7, 1000, 49152} {
		l := make([]float32, v)
		for i := range l {
			l[i] = float32(rng.NormFloat64() * 3)
		}
		cases = append(cases, l)
	}
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	cases = append(cases,
		[]float32{negZero, 0, -1, -2},
		[]float32{-3, 0, negZero, -0.5},
		[]float32{-1, float32(math.Inf(-1)), 2, 2},
		[]float32{1, float32(math.NaN()), 2},
		[]float32{1, inf, 2},
	)
	opts := []struct {
		temp float32
		topK int
		topP float32
	}{{1, 0, 0}, {1, 0, 1}, {0.7, 0, 0}, {1, 2, 0}, {1, 0, 0.9}, {0, 0, 0}}
	reused := 0
	for ci, logits := range cases {
		for _, o := range opts {
			var s samplingScratch
			for _, u := range []float64{0, 0.3, 0.999} {
				tok := chooseToken(logits, o.temp, o.topK, o.topP, u, &s)
				got, want := logProbOf(logits, tok, &s), logSoftmaxAt(logits, tok)
				if s.haveLogZ {
					reused++
				}
				if math.Float32bits(got) != math.Float32bits(want) && !(isNaN32(got) && isNaN32(want)) {
					t.Fatalf("case %d %+v u=%v token %d: logProbOf %v (reused normaliser %v), logSoftmaxAt %v",
						ci, o, u, tok, got, s.haveLogZ, want)
				}
			}
		}
	}
	if reused == 0 {
		t.Fatal("no draw reused chooseToken's normaliser: the fast path is not exercised")
	}
}

func isNaN32(x float32) bool { return x != x }
