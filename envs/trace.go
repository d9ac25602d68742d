package envs

import "math/rand/v2"

// TraceTurn is one policy turn of a reference trace and the env's observation after it.
type TraceTurn struct {
	Completion  string // what a policy should generate in this turn (without EOS)
	Observation string // what the env appends before the next turn ("" after the last)
}

// Tracer is implemented by multi-turn envs that can write reference traces for supervised
// training of base policies (e.g. a self-correction trace, or a tool-use trace with calculator
// calls). A trace may include mistakes followed by corrections, when that is the behaviour the
// base policy should have. All randomness comes from rng.
type Tracer interface {
	Trace(task Task, rng *rand.Rand) ([]TraceTurn, error)
}

// MultiAttempt is implemented by envs whose turns are repeated attempts at the same task, each
// graded on its own (the correction wrapper). Self-correction training (SCoRe) and the
// Acc@t1 / Acc@t2 / Delta metrics need one; a tool-use env is multi-turn but not multi-attempt.
type MultiAttempt interface {
	Attempts() int
}
