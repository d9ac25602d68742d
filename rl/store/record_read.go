package store

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rewards"
	"grit/rl"
)

// RecordSamples decodes a rollout record back into samples (copying), the inverse of StepRecord,
// and returns the run id of its first row. Rows of a sample must be consecutive with turns 0..n-1.
// A failed component comes back with Value 0 (its value is not stored). A record of schema
// version 1 (no policy_version column) gives samples with PolicyVersion rl.UnknownPolicyVersion.
func RecordSamples(rec arrow.Record) (runID string, samples []rl.Sample, err error) {
	runIDs, samples, err := recordSamples(rec)
	if len(runIDs) > 0 {
		runID = runIDs[0]
	}
	return runID, samples, err
}

// recordSamples decodes rec and returns each sample's run id.
func recordSamples(rec arrow.Record) (runIDs []string, samples []rl.Sample, err error) {
	rec, err = upgradeRecord(memory.DefaultAllocator, rec)
	if err != nil {
		return nil, nil, err
	}
	defer rec.Release()
	if err := validateRecord(rec); err != nil {
		return nil, nil, err
	}
	names, valueCol, errCol, _ := schemaComponents(rec.Schema())
	str := func(c int) *array.String { return rec.Column(c).(*array.String) }
	i32 := func(c int) *array.Int32 { return rec.Column(c).(*array.Int32) }
	f64 := func(c int) *array.Float64 { return rec.Column(c).(*array.Float64) }
	boo := func(c int) *array.Boolean { return rec.Column(c).(*array.Boolean) }
	lst := func(c int) *array.List { return rec.Column(c).(*array.List) }
	ints := func(c, i int) []int {
		l := lst(c)
		s, e := l.ValueOffsets(i)
		return toInts(l.ListValues().(*array.Int32).Int32Values()[s:e])
	}
	floats := func(c, i int) []float32 {
		l := lst(c)
		s, e := l.ValueOffsets(i)
		return append(make([]float32, 0, e-s), l.ListValues().(*array.Float32).Float32Values()[s:e]...)
	}
	n := int(rec.NumRows())
	var wantTurns []int
	for i := 0; i < n; i++ {
		turn := int(i32(colTurn).Value(i))
		if turn == 0 {
			s := rl.Sample{
				Step:          int(rec.Column(colStep).(*array.Int64).Value(i)),
				PolicyVersion: int(rec.Column(colPolicyVersion).(*array.Int64).Value(i)),
				PromptID:      str(colPromptID).Value(i),
				Group:         int(i32(colGroup).Value(i)),
				Index:         int(i32(colSample).Value(i)),
				RewardOK:      f64(colReward).IsValid(i),
				RewardEff:     f64(colRewardEff).Value(i),
				Correct:       boo(colCorrect).Value(i),
				Truncated:     boo(colTruncated).Value(i),
				Masked:        boo(colMasked).Value(i),
				NumTokens:     int(i32(colNumTokens).Value(i)),
				ToolCalls:     int(i32(colToolCalls).Value(i)),
				PromptText:    str(colPromptText).Value(i),
				Advantage:     f64(colAdvantage).Value(i),
				AdvantageEff:  f64(colAdvantageEff).Value(i),
				EffQualifies:  boo(colEffQualifies).Value(i),
				GroupAccuracy: f64(colGroupAccuracy).Value(i),
			}
			if s.RewardOK {
				s.Reward = f64(colReward).Value(i)
			}
			for k, name := range names {
				v, e := f64(valueCol[k]), str(errCol[k])
				switch {
				case v.IsValid(i):
					s.Components = append(s.Components, rewards.Component{Name: name, Value: v.Value(i), OK: true})
				case e.IsValid(i):
					s.Components = append(s.Components, rewards.Component{Name: name, Err: e.Value(i)})
				}
			}
			samples = append(samples, s)
			wantTurns = append(wantTurns, int(i32(colNumTurns).Value(i)))
			runIDs = append(runIDs, str(colRunID).Value(i))
		} else if len(samples) == 0 || len(samples[len(samples)-1].Turns) != turn {
			return nil, nil, errorf("rollout row %d is turn %d but the previous rows do not hold turns 0..%d of the same sample", i, turn, turn-1)
		}
		t := rl.TurnTokens{Context: ints(colPromptTokens, i), Tokens: ints(colCompletionTokens, i), Logp: floats(colLogpOld, i),
			Text: str(colCompletionText).Value(i)}
		if lst(colLogpRef).IsValid(i) {
			t.RefLogp = floats(colLogpRef, i)
		}
		last := &samples[len(samples)-1]
		last.Turns = append(last.Turns, t)
	}
	for k := range samples {
		if len(samples[k].Turns) != wantTurns[k] {
			return nil, nil, errorf("rollout sample (group %d, index %d) has %d turn rows but num_turns %d",
				samples[k].Group, samples[k].Index, len(samples[k].Turns), wantTurns[k])
		}
	}
	return runIDs, samples, nil
}
