package distrib

import (
	"bytes"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/policy"
	"grit/rewards"
	"grit/trainers"
)

// resultSchema is one row per turn of one group's episodes: everything the learner needs to
// rebuild the Trajectories bit for bit (log-probs as their float32 bits, reward values as float64).
// The task itself is not carried: the learner holds it.
var resultSchema = arrow.NewSchema([]arrow.Field{
	{Name: "task_id", Type: arrow.BinaryTypes.String},
	{Name: "worker_id", Type: arrow.BinaryTypes.String},
	{Name: "policy_version", Type: arrow.PrimitiveTypes.Int64},
	{Name: "group", Type: arrow.PrimitiveTypes.Int32},
	{Name: "index", Type: arrow.PrimitiveTypes.Int32},
	{Name: "turn", Type: arrow.PrimitiveTypes.Int32},
	{Name: "context", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
	{Name: "tokens", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
	{Name: "logprob_bits", Type: arrow.ListOf(arrow.PrimitiveTypes.Uint32)},
	{Name: "finished", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "observation", Type: arrow.BinaryTypes.String},
	{Name: "tool_calls", Type: arrow.PrimitiveTypes.Int32},
	{Name: "correct", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "reward_name", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	{Name: "reward_value", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)},
	{Name: "reward_ok", Type: arrow.ListOf(arrow.FixedWidthTypes.Boolean)},
	{Name: "reward_err", Type: arrow.ListOf(arrow.BinaryTypes.String)},
}, nil)

// resultMeta names a result: its task, who played it and with which policy version.
type resultMeta struct {
	TaskID, WorkerID string
	Version, Group   int
}

// encodeResult writes one group's trajectories as an Arrow IPC stream holding one record batch.
func encodeResult(meta resultMeta, trajs []*trainers.Trajectory) ([]byte, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, resultSchema)
	defer b.Release()
	appendRows(b, meta, trajs)
	return writeRecord(b, meta.TaskID)
}

// appendRows adds one row per turn of trajs, the group meta names, to b.
func appendRows(b *array.RecordBuilder, meta resultMeta, trajs []*trainers.Trajectory) {
	f := b.Fields()
	ints := func(col int, xs []int) {
		lb := f[col].(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.Int32Builder)
		for _, x := range xs {
			vb.Append(int32(x))
		}
	}
	for _, tr := range trajs {
		for k, tu := range tr.Turns {
			f[0].(*array.StringBuilder).Append(meta.TaskID)
			f[1].(*array.StringBuilder).Append(meta.WorkerID)
			f[2].(*array.Int64Builder).Append(int64(meta.Version))
			f[3].(*array.Int32Builder).Append(int32(tr.Group))
			f[4].(*array.Int32Builder).Append(int32(tr.Index))
			f[5].(*array.Int32Builder).Append(int32(k))
			ints(6, tu.Context)
			ints(7, tu.Gen.Tokens)
			lp := f[8].(*array.ListBuilder)
			lp.Append(true)
			for _, v := range tu.Gen.LogProbs {
				lp.ValueBuilder().(*array.Uint32Builder).Append(math.Float32bits(v))
			}
			f[9].(*array.BooleanBuilder).Append(tu.Gen.Finished)
			f[10].(*array.StringBuilder).Append(tu.Gen.Text)
			f[11].(*array.StringBuilder).Append(tu.Observation)
			f[12].(*array.Int32Builder).Append(int32(tu.ToolCalls))
			f[13].(*array.BooleanBuilder).Append(tu.Reward.Correct)
			lists := [4]*array.ListBuilder{f[14].(*array.ListBuilder), f[15].(*array.ListBuilder), f[16].(*array.ListBuilder), f[17].(*array.ListBuilder)}
			for _, l := range lists {
				l.Append(true)
			}
			for _, c := range tu.Reward.Components {
				lists[0].ValueBuilder().(*array.StringBuilder).Append(c.Name)
				lists[1].ValueBuilder().(*array.Float64Builder).Append(c.Value)
				lists[2].ValueBuilder().(*array.BooleanBuilder).Append(c.OK)
				lists[3].ValueBuilder().(*array.StringBuilder).Append(c.Err)
			}
		}
	}
}

// writeRecord writes b's rows as an Arrow IPC stream holding one record batch; name (a task id)
// is for errors.
func writeRecord(b *array.RecordBuilder, name string) ([]byte, error) {
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(resultSchema))
	if err := w.Write(rec); err != nil {
		return nil, fmt.Errorf("encoding result %s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encoding result %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// decodeResult rebuilds the copies trajectories of the group that t names from a result message,
// rejecting anything that is not exactly such a result: another schema, another task, episodes
// missing or repeated, turns out of order, log-probs not matching the tokens.
func decodeResult(data []byte, t *task) (trajs []*trainers.Trajectory, worker string, version int, err error) {
	defer func() {
		if r := recover(); r != nil { // a malformed IPC body can make the reader panic
			trajs, err = nil, fmt.Errorf("result %s: unreadable Arrow data (%v)", t.ID, r)
		}
	}()
	rd, err := ipc.NewReader(bytes.NewReader(data), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, "", 0, fmt.Errorf("result %s: not an Arrow IPC stream (%v)", t.ID, err)
	}
	defer rd.Release()
	if !rd.Schema().Equal(resultSchema) {
		return nil, "", 0, fmt.Errorf("result %s: wrong schema %v; want %v", t.ID, rd.Schema(), resultSchema)
	}
	trajs = make([]*trainers.Trajectory, t.Copies)
	for i := range trajs {
		trajs[i] = &trainers.Trajectory{Task: t.Task, Group: t.Group, Index: i}
	}
	version = -1
	for rd.Next() {
		if err := appendTurns(rd.Record(), t, trajs, &worker, &version); err != nil {
			return nil, "", 0, fmt.Errorf("result %s: %w", t.ID, err)
		}
	}
	if err := rd.Err(); err != nil {
		return nil, "", 0, fmt.Errorf("result %s: reading Arrow data: %w", t.ID, err)
	}
	for i, tr := range trajs {
		if len(tr.Turns) == 0 {
			return nil, "", 0, fmt.Errorf("result %s: episode %d of %d is missing", t.ID, i, t.Copies)
		}
		tr.PolicyVersion = version
	}
	return trajs, worker, version, nil
}

// appendTurns adds one record's rows to trajs after checking each against the task.
func appendTurns(rec arrow.Record, t *task, trajs []*trainers.Trajectory, worker *string, version *int) error {
	col := func(i int) arrow.Array { return rec.Column(i) }
	taskIDs, workers := col(0).(*array.String), col(1).(*array.String)
	versions := col(2).(*array.Int64)
	groups, indices, turns := col(3).(*array.Int32), col(4).(*array.Int32), col(5).(*array.Int32)
	contexts, tokens, lps := col(6).(*array.List), col(7).(*array.List), col(8).(*array.List)
	finished, texts, obs := col(9).(*array.Boolean), col(10).(*array.String), col(11).(*array.String)
	tools, correct := col(12).(*array.Int32), col(13).(*array.Boolean)
	rn, rv, rok, rerr := col(14).(*array.List), col(15).(*array.List), col(16).(*array.List), col(17).(*array.List)
	for r := 0; r < int(rec.NumRows()); r++ {
		if rec.Column(0).IsNull(r) || taskIDs.Value(r) != t.ID || int(groups.Value(r)) != t.Group {
			return fmt.Errorf("row %d belongs to task %q group %d, not this one", r, taskIDs.Value(r), groups.Value(r))
		}
		if *worker == "" {
			*worker, *version = workers.Value(r), int(versions.Value(r))
		} else if workers.Value(r) != *worker || int(versions.Value(r)) != *version {
			return fmt.Errorf("row %d: worker / policy version change within one result", r)
		}
		idx := int(indices.Value(r))
		if idx < 0 || idx >= t.Copies {
			return fmt.Errorf("row %d: episode index %d outside 0..%d", r, idx, t.Copies-1)
		}
		tr := trajs[idx]
		if int(turns.Value(r)) != len(tr.Turns) {
			return fmt.Errorf("row %d: episode %d turn %d out of order (have %d turns)", r, idx, turns.Value(r), len(tr.Turns))
		}
		toks := int32List(tokens, r)
		bits := uint32List(lps, r)
		if len(toks) != len(bits) {
			return fmt.Errorf("row %d: %d tokens but %d log-probs", r, len(toks), len(bits))
		}
		logps := make([]float32, len(bits))
		for i, b := range bits {
			logps[i] = math.Float32frombits(b)
		}
		names, values, oks, errs := stringList(rn, r), float64List(rv, r), boolList(rok, r), stringList(rerr, r)
		if len(values) != len(names) || len(oks) != len(names) || len(errs) != len(names) {
			return fmt.Errorf("row %d: reward component lists of different lengths", r)
		}
		comps := make([]rewards.Component, len(names))
		for i := range comps {
			comps[i] = rewards.Component{Name: names[i], Value: values[i], OK: oks[i], Err: errs[i]}
		}
		if len(comps) == 0 {
			comps = nil
		}
		tr.Turns = append(tr.Turns, trainers.EpisodeTurn{
			Context:     int32List(contexts, r),
			Gen:         policy.Generation{Tokens: toks, LogProbs: logps, Finished: finished.Value(r), Text: texts.Value(r)},
			Reward:      rewards.Result{Components: comps, Correct: correct.Value(r)},
			Observation: obs.Value(r), ToolCalls: int(tools.Value(r)),
		})
	}
	return nil
}

func int32List(l *array.List, r int) []int {
	lo, hi := l.ValueOffsets(r)
	v := l.ListValues().(*array.Int32)
	out := make([]int, hi-lo)
	for i := range out {
		out[i] = int(v.Value(int(lo) + i))
	}
	return out
}

func uint32List(l *array.List, r int) []uint32 {
	lo, hi := l.ValueOffsets(r)
	v := l.ListValues().(*array.Uint32)
	out := make([]uint32, hi-lo)
	for i := range out {
		out[i] = v.Value(int(lo) + i)
	}
	return out
}

func float64List(l *array.List, r int) []float64 {
	lo, hi := l.ValueOffsets(r)
	v := l.ListValues().(*array.Float64)
	out := make([]float64, hi-lo)
	for i := range out {
		out[i] = v.Value(int(lo) + i)
	}
	return out
}

func boolList(l *array.List, r int) []bool {
	lo, hi := l.ValueOffsets(r)
	v := l.ListValues().(*array.Boolean)
	out := make([]bool, hi-lo)
	for i := range out {
		out[i] = v.Value(int(lo) + i)
	}
	return out
}

func stringList(l *array.List, r int) []string {
	lo, hi := l.ValueOffsets(r)
	v := l.ListValues().(*array.String)
	out := make([]string, hi-lo)
	for i := range out {
		out[i] = v.Value(int(lo) + i)
	}
	return out
}
