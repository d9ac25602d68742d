package store

import "github.com/apache/arrow/go/v17/arrow"

// SchemaVersion is stored in the schema metadata under "grit.rollouts.version". Version 2 added
// policy_version; files of version 1 are still read (see upgradeRecord).
const SchemaVersion = "2"

// Arrow schema of a step's rollouts: one row per turn (a single-turn completion is one row).
// Sample-level columns repeat on every turn row of the sample.
//
//	run_id             utf8                 run the step belongs to
//	step               int64                training step (1-based, as in metrics.jsonl)
//	policy_version     int64                version of the policy that sampled the row (below)
//	prompt_id          utf8                 task id, shared by a group
//	group              int32                group index within the step
//	sample             int32                sample index within the group
//	turn               int32                turn index within the sample (0-based)
//	num_turns          int32                turns of the sample
//	prompt_tokens      list<int32>          context before this turn (the prompt for turn 0)
//	completion_tokens  list<int32>          generated tokens of this turn (trained on)
//	logp_old           list<float32>        sampling log-probs, one per completion token
//	logp_ref           list<float32>, null  reference log-probs; null when not recorded
//	reward             float64, null        total reward; null when every component was missing
//	reward_eff         float64              HDPO efficiency reward (0 otherwise)
//	advantage          float64              advantage (HDPO: accuracy channel)
//	advantage_eff      float64              HDPO efficiency advantage
//	eff_qualifies      bool                 HDPO: sample is in its group's correct set, |Q| >= 2
//	group_accuracy     float64              fraction of correct samples in the group
//	correct            bool                 verifier verdict
//	truncated          bool                 hit the token limit without EOS
//	masked             bool                 excluded from the loss
//	num_tokens         int32                efficiency counter: generated tokens, all turns
//	tool_calls         int32                efficiency counter: tool calls, all turns
//	prompt_text        utf8                 prompt text of the sample
//	completion_text    utf8                 decoded text of this turn
//
// then, per reward component c (in first-seen order), two columns whose field metadata carries
// "grit.component" = c and "grit.role" = "value" or "error":
//
//	reward_c           float64, null        component value; null when it failed or is absent
//	reward_c_error     utf8, null           failure message; null unless it failed
//
// Readers find components by the field metadata, so column names are only for people.
//
// policy_version is the number of training steps the sampling policy had completed: the policy at
// the start of step s is version s-1, so a synchronous run's rows of step s all hold s-1 (every
// sampling round of a step, and every turn of an episode, uses that one policy). A step whose
// update was skipped (non-finite loss or gradient) still counts, so two versions may have equal
// weights. Asynchronous rollout workers (workers.max_staleness k > 0) may sample step s with an
// older policy, version v >= s-1-k; the column holds the version the worker sampled with, the
// number distrib's results carry. A resumed run continues the numbering (it counts the steps
// before the interruption). -1 means unknown: a row read from a schema version 1 file.
const (
	colRunID = iota
	colStep
	colPolicyVersion
	colPromptID
	colGroup
	colSample
	colTurn
	colNumTurns
	colPromptTokens
	colCompletionTokens
	colLogpOld
	colLogpRef
	colReward
	colRewardEff
	colAdvantage
	colAdvantageEff
	colEffQualifies
	colGroupAccuracy
	colCorrect
	colTruncated
	colMasked
	colNumTokens
	colToolCalls
	colPromptText
	colCompletionText
	numFixedCols
)

var fixedFields = []arrow.Field{
	{Name: "run_id", Type: arrow.BinaryTypes.String},
	{Name: "step", Type: arrow.PrimitiveTypes.Int64},
	{Name: "policy_version", Type: arrow.PrimitiveTypes.Int64},
	{Name: "prompt_id", Type: arrow.BinaryTypes.String},
	{Name: "group", Type: arrow.PrimitiveTypes.Int32},
	{Name: "sample", Type: arrow.PrimitiveTypes.Int32},
	{Name: "turn", Type: arrow.PrimitiveTypes.Int32},
	{Name: "num_turns", Type: arrow.PrimitiveTypes.Int32},
	{Name: "prompt_tokens", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Int32)},
	{Name: "completion_tokens", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Int32)},
	{Name: "logp_old", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float32)},
	{Name: "logp_ref", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "reward", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "reward_eff", Type: arrow.PrimitiveTypes.Float64},
	{Name: "advantage", Type: arrow.PrimitiveTypes.Float64},
	{Name: "advantage_eff", Type: arrow.PrimitiveTypes.Float64},
	{Name: "eff_qualifies", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "group_accuracy", Type: arrow.PrimitiveTypes.Float64},
	{Name: "correct", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "truncated", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "masked", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "num_tokens", Type: arrow.PrimitiveTypes.Int32},
	{Name: "tool_calls", Type: arrow.PrimitiveTypes.Int32},
	{Name: "prompt_text", Type: arrow.BinaryTypes.String},
	{Name: "completion_text", Type: arrow.BinaryTypes.String},
}

const (
	metaComponent = "grit.component"
	metaRole      = "grit.role"
	metaVersion   = "grit.rollouts.version"
)

// RolloutSchema returns the schema for the given reward component names.
func RolloutSchema(components []string) *arrow.Schema {
	fields := append([]arrow.Field(nil), fixedFields...)
	for _, c := range components {
		fields = append(fields,
			arrow.Field{Name: "reward_" + c, Type: arrow.PrimitiveTypes.Float64, Nullable: true,
				Metadata: arrow.NewMetadata([]string{metaComponent, metaRole}, []string{c, "value"})},
			arrow.Field{Name: "reward_" + c + "_error", Type: arrow.BinaryTypes.String, Nullable: true,
				Metadata: arrow.NewMetadata([]string{metaComponent, metaRole}, []string{c, "error"})},
		)
	}
	md := arrow.NewMetadata([]string{metaVersion}, []string{SchemaVersion})
	return arrow.NewSchema(fields, &md)
}

// schemaComponents checks the fixed columns of s (the current schema version's) and returns the
// component names with the column indices of their value and error columns.
func schemaComponents(s *arrow.Schema) (names []string, valueCol, errCol []int, err error) {
	return layoutComponents(s, fixedFields, SchemaVersion)
}

// layoutComponents is schemaComponents for the fixed columns of schema version `version`.
func layoutComponents(s *arrow.Schema, fixed []arrow.Field, version string) (names []string, valueCol, errCol []int, err error) {
	nFixed := len(fixed)
	if s.NumFields() < nFixed || (s.NumFields()-nFixed)%2 != 0 {
		return nil, nil, nil, errorf("rollout schema (version %s) has %d columns; want %d fixed ones plus two per reward component (was it written by StepRecord?)", version, s.NumFields(), nFixed)
	}
	for i, f := range fixed {
		g := s.Field(i)
		if g.Name != f.Name || !sameType(g.Type, f.Type) {
			return nil, nil, nil, errorf("rollout column %d is %s %s; schema version %s wants %s %s", i, g.Name, g.Type, version, f.Name, f.Type)
		}
	}
	for i := nFixed; i < s.NumFields(); i += 2 {
		v, e := s.Field(i), s.Field(i+1)
		name, role := metaValue(v, metaComponent), metaValue(v, metaRole)
		if name == "" || role != "value" || metaValue(e, metaComponent) != name || metaValue(e, metaRole) != "error" ||
			v.Type.ID() != arrow.FLOAT64 || e.Type.ID() != arrow.STRING {
			return nil, nil, nil, errorf("rollout columns %d-%d (%s, %s) are not a reward component's value/error pair", i, i+1, v.Name, e.Name)
		}
		names = append(names, name)
		valueCol = append(valueCol, i)
		errCol = append(errCol, i+1)
	}
	return names, valueCol, errCol, nil
}

func metaValue(f arrow.Field, key string) string {
	if i := f.Metadata.FindKey(key); i >= 0 {
		return f.Metadata.Values()[i]
	}
	return ""
}

// sameType compares types, ignoring list element names and nullability (Parquet readers rename
// list elements).
func sameType(a, b arrow.DataType) bool {
	la, okA := a.(*arrow.ListType)
	lb, okB := b.(*arrow.ListType)
	if okA || okB {
		return okA && okB && arrow.TypeEqual(la.Elem(), lb.Elem())
	}
	return arrow.TypeEqual(a, b)
}
