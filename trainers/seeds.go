package trainers

import (
	"hash/fnv"
	"math/rand/v2"
)

// streamSeed derives an independent 64-bit seed for one purpose ("data", "sample", "minibatch", ...)
// and a position in the run (step, sample index, turn). Deriving every stream from (seed, purpose,
// position) instead of advancing shared generators is what makes runs resumable exactly: a resumed
// run recomputes the same seeds for the same steps without any saved RNG state.
func streamSeed(seed uint64, purpose string, ids ...uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	x := h.Sum64() ^ splitmix(seed)
	for _, id := range ids {
		x = splitmix(x ^ splitmix(id+0x9e3779b97f4a7c15))
	}
	return x
}

// splitmix is the SplitMix64 finaliser: a bijective mix of 64 bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// streamRNG is a PCG generator on a derived seed.
func streamRNG(seed uint64, purpose string, ids ...uint64) *rand.Rand {
	s := streamSeed(seed, purpose, ids...)
	return rand.New(rand.NewPCG(s, splitmix(s)))
}
