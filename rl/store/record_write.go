package store

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
)

// componentNames returns the reward component names of samples in first-seen order, or an error
// for an empty or duplicated name within a sample.
func componentNames(samples []rl.Sample) ([]string, error) {
	seen := map[string]bool{}
	var names []string
	for i := range samples {
		inSample := map[string]bool{}
		for _, c := range samples[i].Components {
			if c.Name == "" || inSample[c.Name] {
				return nil, errorf("sample (group %d, index %d): reward component name %q is empty or repeated; names must be unique",
					samples[i].Group, samples[i].Index, c.Name)
			}
			inSample[c.Name] = true
			if !seen[c.Name] {
				seen[c.Name] = true
				names = append(names, c.Name)
			}
		}
	}
	return names, nil
}

// StepRecord builds one Arrow record batch holding a step's samples (schema: see RolloutSchema),
// one row per turn. The caller owns the record and must Release it.
func StepRecord(mem memory.Allocator, runID string, samples []rl.Sample) (arrow.Record, error) {
	names, err := componentNames(samples)
	if err != nil {
		return nil, err
	}
	return stepRecordWith(mem, runID, samples, names)
}

// stepRecordWith builds the record with an explicit component list (a superset of the samples').
func stepRecordWith(mem memory.Allocator, runID string, samples []rl.Sample, names []string) (arrow.Record, error) {
	for i := range samples {
		if err := samples[i].Validate(); err != nil {
			return nil, err
		}
	}
	b := array.NewRecordBuilder(mem, RolloutSchema(names))
	defer b.Release()
	rows, tokens, context := 0, 0, 0
	for i := range samples {
		for _, t := range samples[i].Turns {
			rows++
			tokens += len(t.Tokens)
			context += len(t.Context)
		}
	}
	b.Reserve(rows)

	str := func(c int) *array.StringBuilder { return b.Field(c).(*array.StringBuilder) }
	i32 := func(c int) *array.Int32Builder { return b.Field(c).(*array.Int32Builder) }
	f64 := func(c int) *array.Float64Builder { return b.Field(c).(*array.Float64Builder) }
	boo := func(c int) *array.BooleanBuilder { return b.Field(c).(*array.BooleanBuilder) }
	list := func(c int) *array.ListBuilder { return b.Field(c).(*array.ListBuilder) }

	promptVals := list(colPromptTokens).ValueBuilder().(*array.Int32Builder)
	complVals := list(colCompletionTokens).ValueBuilder().(*array.Int32Builder)
	oldVals := list(colLogpOld).ValueBuilder().(*array.Float32Builder)
	refVals := list(colLogpRef).ValueBuilder().(*array.Float32Builder)
	promptVals.Reserve(context)
	complVals.Reserve(tokens)
	oldVals.Reserve(tokens)

	for i := range samples {
		s := &samples[i]
		byName := make(map[string]int, len(s.Components))
		for k, c := range s.Components {
			byName[c.Name] = k
		}
		for k, t := range s.Turns {
			str(colRunID).Append(runID)
			b.Field(colStep).(*array.Int64Builder).Append(int64(s.Step))
			b.Field(colPolicyVersion).(*array.Int64Builder).Append(int64(s.PolicyVersion))
			str(colPromptID).Append(s.PromptID)
			i32(colGroup).Append(int32(s.Group))
			i32(colSample).Append(int32(s.Index))
			i32(colTurn).Append(int32(k))
			i32(colNumTurns).Append(int32(len(s.Turns)))

			list(colPromptTokens).Append(true)
			for _, x := range t.Context {
				promptVals.Append(int32(x))
			}
			list(colCompletionTokens).Append(true)
			for _, x := range t.Tokens {
				complVals.Append(int32(x))
			}
			list(colLogpOld).Append(true)
			oldVals.AppendValues(t.Logp, nil)
			if t.RefLogp == nil {
				list(colLogpRef).AppendNull()
			} else {
				list(colLogpRef).Append(true)
				refVals.AppendValues(t.RefLogp, nil)
			}

			if s.RewardOK {
				f64(colReward).Append(s.Reward)
			} else {
				f64(colReward).AppendNull()
			}
			f64(colRewardEff).Append(s.RewardEff)
			f64(colAdvantage).Append(s.Advantage)
			f64(colAdvantageEff).Append(s.AdvantageEff)
			boo(colEffQualifies).Append(s.EffQualifies)
			f64(colGroupAccuracy).Append(s.GroupAccuracy)
			boo(colCorrect).Append(s.Correct)
			boo(colTruncated).Append(s.Truncated)
			boo(colMasked).Append(s.Masked)
			i32(colNumTokens).Append(int32(s.NumTokens))
			i32(colToolCalls).Append(int32(s.ToolCalls))
			str(colPromptText).Append(s.PromptText)
			str(colCompletionText).Append(t.Text)

			for n, name := range names {
				vb, eb := f64(numFixedCols+2*n), str(numFixedCols+2*n+1)
				k, ok := byName[name]
				switch {
				case !ok:
					vb.AppendNull()
					eb.AppendNull()
				case s.Components[k].OK:
					vb.Append(s.Components[k].Value)
					eb.AppendNull()
				default:
					vb.AppendNull()
					eb.Append(s.Components[k].Err)
				}
			}
		}
	}
	return b.NewRecord(), nil
}
