package trainers

import (
	"os"
	"runtime/debug"
)

// Garbage collection for large policies. Nearly all of a run's live heap is the policy (weights,
// gradients and two AdamW moments, 16 bytes per parameter, plus the tape arena the passes reuse),
// kept all run long. Go's default collects when the heap has doubled since the last collection, so
// per-step garbage may pile up to the size of the model again before it is reclaimed: a long run's
// resident memory creeps toward twice what it needs (at 135M parameters, from ~4.5 GB toward ~8 GB).
// For policies of gcTuneMinParams parameters or more the run collects when the heap has grown by
// LargeModelGCPercent instead. The live heap is mostly pointer-free float32 arrays, which the
// collector does not scan, so the extra collections cost little; small policies keep the default
// (their runs allocate many small objects, and there collecting four times as often costs ~20% of a
// CI run's wall time).
const (
	gcTuneMinParams     = 16 << 20 // 16.8M parameters: 268 MB of weights, gradients and moments
	LargeModelGCPercent = 25
)

// TuneGCForPolicy sets the collector's target for a policy of params parameters (process-wide), unless
// the user chose one with GOGC or GOMEMLIMIT. It reports whether it changed the target. A run calls
// it once it holds its policy; so does a rollout worker (its heap is the weights, the sampler's
// arena and per-step garbage, so the same argument holds without the gradients and moments).
func TuneGCForPolicy(params int) bool {
	if params < gcTuneMinParams || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(LargeModelGCPercent)
	return true
}
