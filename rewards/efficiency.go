package rewards

import (
	"slices"

	"grit/plugins"
)

// EfficiencyMeasure is what the efficiency reward counts (its `measure` param).
type EfficiencyMeasure string

const (
	MeasureLength    EfficiencyMeasure = "length"     // the completion's length in Unit
	MeasureToolCalls EfficiencyMeasure = "tool_calls" // the episode's tool calls (Meta["tool_calls"])
)

// EfficiencyMeasures lists the measures, for error messages.
var EfficiencyMeasures = []EfficiencyMeasure{MeasureLength, MeasureToolCalls}

// Efficiency rewards correct completions that are short or use few tools, and is 0 for wrong
// ones (HDPO's efficiency channel, docs/algorithms.md):
//
//	r_eff = 1 / (1 + x/scale)   if the answer is correct, else 0
//
// with x the completion length (MeasureLength) or the episode's tool calls (MeasureToolCalls,
// Meta["tool_calls"]); scale 1 with tool calls gives the reference 1/(T+1).
type Efficiency struct {
	Label   string            // component name ("efficiency")
	Measure EfficiencyMeasure // length or tool_calls
	Unit    LengthUnit        // length unit when Measure is length
	Scale   float64           // x at which the reward halves
	Extract Extractor         // answer extraction rule for the correctness check
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
	if e.Measure == MeasureToolCalls {
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
		Measure: EfficiencyMeasure(a.String("measure", string(MeasureLength))),
		Unit:    readUnit(a, "unit"),
	}
	defaultScale := 100.0
	if e.Measure == MeasureToolCalls {
		defaultScale = 1
	}
	e.Scale = a.Float("scale", defaultScale)
	extractName := a.String("extractor", "auto")
	if !slices.Contains(EfficiencyMeasures, e.Measure) {
		a.Failf("measure", "unknown measure %q; valid measures: %s", e.Measure, joinNames(EfficiencyMeasures))
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
