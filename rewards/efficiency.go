package rewards

import "grit/plugins"

// Efficiency rewards correct completions that are short or use few tools, and is 0 for wrong
// ones (HDPO's efficiency channel, docs/algorithms.md):
//
//	r_eff = 1 / (1 + x/scale)   if the answer is correct, else 0
//
// with x the completion length (Measure "length") or the episode's tool calls (Measure
// "tool_calls", Meta["tool_calls"]); scale 1 with tool calls gives the reference 1/(T+1).
type Efficiency struct {
	Label   string    // component name ("efficiency")
	Measure string    // "length" or "tool_calls"
	Unit    string    // length unit when Measure is "length"
	Scale   float64   // x at which the reward halves
	Extract Extractor // answer extraction rule for the correctness check
}

// Name is the component name.
func (e Efficiency) Name() string { return e.Label }

// Grade is in (0, 1] for correct answers and 0 otherwise.
func (e Efficiency) Grade(in Input) (float64, error) {
	correct, err := Correctness{Label: e.Label, Extract: e.Extract}.Grade(in)
	if err != nil || correct != 1 {
		return 0, err
	}
	var x int
	if e.Measure == "tool_calls" {
		x, err = metaCount(in, MetaToolCalls)
	} else {
		x, err = CompletionLength(in, e.Unit)
	}
	if err != nil {
		return 0, err
	}
	return 1 / (1 + float64(x)/e.Scale), nil
}

func newEfficiency(p map[string]any) (Func, error) {
	a := plugins.NewArgs(p)
	e := Efficiency{
		Label:   a.String("name", "efficiency"),
		Measure: a.String("measure", "length"),
		Unit:    a.String("unit", UnitChars),
	}
	defaultScale := 100.0
	if e.Measure == "tool_calls" {
		defaultScale = 1
	}
	e.Scale = a.Float("scale", defaultScale)
	extractName := a.String("extractor", "auto")
	checkUnit(a, "unit", e.Unit)
	if e.Measure != "length" && e.Measure != "tool_calls" {
		a.Failf("measure", "unknown measure %q; valid measures: length, tool_calls", e.Measure)
	}
	if !(e.Scale > 0) {
		a.Failf("scale", "must be positive, got %v", e.Scale)
	}
	if err := a.Done(); err != nil {
		return nil, err
	}
	var err error
	e.Extract, err = ExtractorByName(extractName)
	return e, err
}
