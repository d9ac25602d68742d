package distrib

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/trainers"
)

// A batch result carries the groups of several tasks a worker played together in one Arrow
// record batch: the rows of resultSchema, each group's rows together, each row naming its task.
// One message and one record batch instead of one per group: the Arrow builders and the IPC
// framing cost a fixed ~70 us per record at the tiny shape, as much as a group's own rows.
// The message's Grit-Tasks header lists the task ids in row order.

// hdrTasks lists a batch result's task ids, comma-separated, in the order of their rows;
// hdrDelivered then lists each task's delivery count the same way.
const hdrTasks = "Grit-Tasks"

// encodeResults writes the groups (groups[i] played for metas[i]) as one IPC stream.
func encodeResults(metas []resultMeta, groups [][]*trainers.Trajectory) ([]byte, error) {
	if len(metas) != len(groups) || len(metas) == 0 {
		return nil, fmt.Errorf("encoding a batch result: %d tasks, %d groups", len(metas), len(groups))
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, resultSchema)
	defer b.Release()
	for i, meta := range metas {
		appendRows(b, meta, groups[i])
	}
	return writeRecord(b, metas[0].TaskID)
}

// decodeResults rebuilds the groups of a batch result, each checked exactly as decodeResult
// checks a single one (appendTurns on the task's rows, every episode present). task returns the
// task an id names, or nil for a task the caller no longer waits for: its rows are skipped. Every
// listed id must have rows, in one run, in the listed order.
func decodeResults(data []byte, ids []string, task func(id string) *task) (groups map[string][]*trainers.Trajectory, worker string, version int, err error) {
	defer func() {
		if r := recover(); r != nil { // a malformed IPC body can make the reader panic
			groups, err = nil, fmt.Errorf("batch result: unreadable Arrow data (%v)", r)
		}
	}()
	rd, err := ipc.NewReader(bytes.NewReader(data), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return nil, "", 0, fmt.Errorf("batch result: not an Arrow IPC stream (%v)", err)
	}
	defer rd.Release()
	if !rd.Schema().Equal(resultSchema) {
		return nil, "", 0, fmt.Errorf("batch result: wrong schema %v; want %v", rd.Schema(), resultSchema)
	}
	groups = map[string][]*trainers.Trajectory{}
	next := 0 // index in ids of the next run of rows
	version = -1
	for rd.Next() {
		rec := rd.Record()
		taskIDs, ok := rec.Column(0).(*array.String)
		if !ok {
			return nil, "", 0, fmt.Errorf("batch result: task_id column of type %s", rec.Column(0).DataType())
		}
		for lo := 0; lo < int(rec.NumRows()); {
			hi := lo + 1
			for hi < int(rec.NumRows()) && taskIDs.Value(hi) == taskIDs.Value(lo) {
				hi++
			}
			id := taskIDs.Value(lo)
			if next >= len(ids) || ids[next] != id {
				return nil, "", 0, fmt.Errorf("batch result: rows of task %q where the header lists %v", id, ids[min(next, len(ids)-1):])
			}
			next++
			if t := task(id); t != nil {
				trajs := make([]*trainers.Trajectory, t.Copies)
				for i := range trajs {
					trajs[i] = &trainers.Trajectory{Task: t.Task, Group: t.Group, Index: i}
				}
				if err := appendSlice(rec, lo, hi, t, trajs, &worker, &version); err != nil {
					return nil, "", 0, fmt.Errorf("result %s: %w", id, err)
				}
				for i, tr := range trajs {
					if len(tr.Turns) == 0 {
						return nil, "", 0, fmt.Errorf("result %s: episode %d of %d is missing", id, i, t.Copies)
					}
					tr.PolicyVersion = version // the version its rows name (one per batch, checked by appendSlice)
				}
				groups[id] = trajs
			}
			lo = hi
		}
	}
	if err := rd.Err(); err != nil {
		return nil, "", 0, fmt.Errorf("batch result: reading Arrow data: %w", err)
	}
	if next != len(ids) {
		return nil, "", 0, fmt.Errorf("batch result: no rows for tasks %v", ids[next:])
	}
	return groups, worker, version, nil
}

// appendSlice is appendTurns on rows lo..hi-1 of rec.
func appendSlice(rec arrow.Record, lo, hi int, t *task, trajs []*trainers.Trajectory, worker *string, version *int) error {
	part := rec.NewSlice(int64(lo), int64(hi))
	defer part.Release()
	return appendTurns(part, t, trajs, worker, version)
}
