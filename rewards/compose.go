package rewards

import "fmt"

// Weighted is one named reward function with its weight in the total.
type Weighted struct {
	Func   Func
	Weight float64
}

// Set is a composition of named reward functions with weights:
// r = sum_k w_k r_k over the components that were computed.
type Set []Weighted

// Spec selects a registered reward function by name, with its params and weight (a config's
// `rewards:` list).
type Spec struct {
	Name   string         // registered name, such as "correct" or "format"
	Weight float64        // weight in the total
	Params map[string]any // the function's params (nil for defaults)
}

// Build makes a Set from specs, failing on the first unknown name or bad param. Two specs
// whose functions report the same component name are an error, as their components would be
// indistinguishable.
func Build(specs []Spec) (Set, error) {
	set := make(Set, 0, len(specs))
	seen := map[string]bool{}
	for i, s := range specs {
		f, err := New(s.Name, s.Params)
		if err != nil {
			return nil, fmt.Errorf("rewards[%d]: %w", i, err)
		}
		if seen[f.Name()] {
			return nil, fmt.Errorf("rewards[%d]: component %q appears twice; give one of them a different name", i, f.Name())
		}
		seen[f.Name()] = true
		set = append(set, Weighted{Func: f, Weight: s.Weight})
	}
	return set, nil
}

// Funcs returns the functions of the set, in order.
func (s Set) Funcs() []Func {
	out := make([]Func, len(s))
	for i, w := range s {
		out[i] = w.Func
	}
	return out
}

// Weights maps each component name to its weight.
func (s Set) Weights() map[string]float64 {
	out := make(map[string]float64, len(s))
	for _, w := range s {
		out[w.Func.Name()] = w.Weight
	}
	return out
}

// Score scores in with every function (see Score) and returns the result with its weighted
// total; ok is false when no component was computed.
func (s Set) Score(in Input) (res Result, total float64, ok bool) {
	res = Score(s.Funcs(), in)
	total, ok = Total(res, s.Weights())
	return res, total, ok
}
