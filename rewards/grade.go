package rewards

import (
	"fmt"
	"math"
)

// Judge is implemented by reward functions whose value is the verifier's verdict (such as
// "correct"): GradeAll sets Result.Correct when a judge's component is computed and Correct(value)
// holds.
type Judge interface {
	Correct(value float64) bool
}

// GradeAll runs every function on in and collects one component per function, in order. A
// function that returns an error, returns NaN or Inf, or panics gives a component with OK false
// and the reason in Err; it never stops the others and never becomes a silent 0.
func GradeAll(funcs []Func, in Input) Result {
	res := Result{Components: make([]Component, 0, len(funcs))}
	for _, f := range funcs {
		c := gradeOne(f, in)
		res.Components = append(res.Components, c)
		if j, ok := f.(Judge); ok && c.OK && j.Correct(c.Value) {
			res.Correct = true
		}
	}
	return res
}

// gradeOne runs f on in, turning errors, non-finite values and panics into a failed component.
func gradeOne(f Func, in Input) (c Component) {
	c.Name = f.Name()
	defer func() {
		if p := recover(); p != nil {
			c = Component{Name: c.Name, Err: fmt.Sprintf("reward %q panicked: %v", c.Name, p)}
		}
	}()
	v, err := f.Grade(in)
	switch {
	case err != nil:
		c.Err = err.Error()
	case math.IsNaN(v) || math.IsInf(v, 0):
		c.Err = fmt.Sprintf("reward %q returned %v", c.Name, v)
	default:
		c.Value, c.OK = v, true
	}
	return c
}

// Failed lists the components that could not be computed, as "name: reason".
func Failed(r Result) []string {
	var out []string
	for _, c := range r.Components {
		if !c.OK {
			out = append(out, c.Name+": "+c.Err)
		}
	}
	return out
}

// Lookup returns the component called name.
func Lookup(r Result, name string) (Component, bool) {
	for _, c := range r.Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}

// Total is the weighted reward r = sum_k w_k r_k over the components that were computed
// (docs/algorithms.md, "Rewards"). A component missing from weights has weight 1. ok is false when no
// component was computed: such a sample must be excluded from group statistics, not rewarded 0.
func Total(r Result, weights map[string]float64) (total float64, ok bool) {
	for _, c := range r.Components {
		if !c.OK {
			continue
		}
		w, listed := weights[c.Name]
		if !listed {
			w = 1
		}
		total += w * c.Value
		ok = true
	}
	return total, ok
}
