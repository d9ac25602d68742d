package envs

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"

	"grit/plugins"
)

// InHeldOut reports whether the task whose canonical form is key belongs to the held-out split:
// the FNV-64a hash of (salt, key), passed through the SplitMix64 finaliser (plain FNV leaves the
// high bits of short keys such as "1+2" badly spread) and read as a number in [0, 1), is below
// fraction.
func InHeldOut(key string, fraction float64, salt uint64) bool {
	if fraction <= 0 {
		return false
	}
	h := fnv.New64a()
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], salt)
	h.Write(s[:])
	h.Write([]byte(key))
	return float64(mix64(h.Sum64())>>11)/(1<<53) < fraction
}

// mix64 is the SplitMix64 finaliser, a bijection that spreads every input bit over the output.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// splitParams are the held-out settings shared by the generated task sources.
type splitParams struct {
	fraction float64 // share of the task space reserved for evaluation
	size     int     // number of held-out tasks to generate
	seed     uint64  // seeds the held-out generation and salts the split hash
}

func readSplitParams(a *plugins.Args) splitParams {
	sp := splitParams{
		fraction: a.Float("held_out_fraction", 0.1),
		size:     a.Int("held_out_size", 200),
		seed:     uint64(a.Int("held_out_seed", 1)),
	}
	if sp.fraction < 0 || sp.fraction > 0.5 {
		a.Failf("held_out_fraction", "must be in [0, 0.5], got %v", sp.fraction)
	}
	if sp.size < 0 {
		a.Failf("held_out_size", "must be >= 0, got %d", sp.size)
	}
	return sp
}

// generatedSource is a TaskSource over a generator whose Task.ID is the task's canonical form.
type generatedSource struct {
	generate func(rng *rand.Rand) Task
	split    splitParams
	heldOut  []Task
}

// maxDrawsPerTask bounds rejection sampling, so that a task space too small for the request
// returns fewer tasks instead of looping forever.
const maxDrawsPerTask = 1000

func newGeneratedSource(generate func(*rand.Rand) Task, split splitParams) *generatedSource {
	g := &generatedSource{generate: generate, split: split}
	if split.fraction > 0 {
		rng := rand.New(rand.NewPCG(split.seed, 0x4e1d_0075))
		seen := map[string]bool{}
		for draws := 0; len(g.heldOut) < split.size && draws < maxDrawsPerTask*(split.size+1); draws++ {
			t := generate(rng)
			if !seen[t.ID] && InHeldOut(t.ID, split.fraction, split.seed) {
				seen[t.ID] = true
				g.heldOut = append(g.heldOut, t)
			}
		}
	}
	return g
}

// Train draws n tasks outside the held-out split (fewer only if the task space is almost all
// held out).
func (g *generatedSource) Train(n int, rng *rand.Rand) []Task {
	out := make([]Task, 0, max(n, 0))
	for draws := 0; len(out) < n && draws < maxDrawsPerTask*(n+1); draws++ {
		t := g.generate(rng)
		if !InHeldOut(t.ID, g.split.fraction, g.split.seed) {
			out = append(out, t)
		}
	}
	return out
}

// HeldOut returns the fixed evaluation tasks (a copy).
func (g *generatedSource) HeldOut() []Task {
	return append([]Task(nil), g.heldOut...)
}
