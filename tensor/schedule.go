package tensor

import (
	"fmt"
	"math"
)

// ScheduleKind is the shape of the learning rate after warm-up (config key lr_schedule).
type ScheduleKind string

// Schedule kinds; ScheduleKinds lists them, for error messages and configs.
const (
	ScheduleConstant ScheduleKind = "constant"
	ScheduleLinear   ScheduleKind = "linear"
	ScheduleCosine   ScheduleKind = "cosine"
)

var ScheduleKinds = []ScheduleKind{ScheduleConstant, ScheduleLinear, ScheduleCosine}

// Schedule is a learning-rate schedule over optimizer steps 0, 1, 2, ...
//
//	warm-up (step < Warmup):  lr = Base * (step+1) / Warmup
//	constant:                 lr = Base afterwards
//	linear:                   lr = Min + (Base-Min) * (1 - f)
//	cosine:                   lr = Min + (Base-Min) * (1 + cos(pi f)) / 2
//
// where f = (step - Warmup) / (Total - Warmup), clamped to [0, 1] (so lr = Min from step Total on).
type Schedule struct {
	Kind          ScheduleKind // constant, linear or cosine
	Base, Min     float32      // peak and final learning rates
	Warmup, Total int          // warm-up steps; total steps (decay ends here)
}

// LR returns the learning rate at a 0-based step.
func (s Schedule) LR(step int) float32 {
	if step < s.Warmup {
		return s.Base * float32(step+1) / float32(s.Warmup)
	}
	if s.Kind == ScheduleConstant {
		return s.Base
	}
	f := 1.0
	if s.Total > s.Warmup {
		f = math.Min(math.Max(float64(step-s.Warmup)/float64(s.Total-s.Warmup), 0), 1)
	}
	base, lo := float64(s.Base), float64(s.Min)
	switch s.Kind {
	case ScheduleLinear:
		return float32(lo + (base-lo)*(1-f))
	case ScheduleCosine:
		return float32(lo + (base-lo)*(1+math.Cos(math.Pi*f))/2)
	}
	return s.Base
}

// Validate reports a schedule that LR cannot follow, saying which field to fix.
func (s Schedule) Validate() error {
	switch s.Kind {
	case ScheduleConstant, ScheduleLinear, ScheduleCosine:
	default:
		return fmt.Errorf("lr schedule kind %q is unknown; use one of %q", s.Kind, ScheduleKinds)
	}
	if !(s.Base > 0) || math.IsInf(float64(s.Base), 0) {
		return fmt.Errorf("lr schedule base rate %v must be a positive finite number", s.Base)
	}
	if !(s.Min >= 0) || s.Min > s.Base {
		return fmt.Errorf("lr schedule min rate %v must be between 0 and the base rate %v", s.Min, s.Base)
	}
	if s.Warmup < 0 {
		return fmt.Errorf("lr schedule warmup %d must be >= 0", s.Warmup)
	}
	if s.Kind != ScheduleConstant && s.Total <= s.Warmup {
		return fmt.Errorf("lr schedule %q needs total steps (%d) greater than warmup (%d); raise total or use \"constant\"", s.Kind, s.Total, s.Warmup)
	}
	return nil
}
