package store

import (
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
)

// Rollouts is a validated, read-only view of one step's record. Mini-batches built from it alias
// the record's buffers: no token or log-prob is copied. Release it when done.
type Rollouts struct {
	rec                          arrow.Record
	prompt, completion, old, ref *array.List
	promptV, completionV         []int32
	oldV, refV                   []float32
	adv, advEff, groupAcc        *array.Float64
	effQ, correct, masked        *array.Boolean
}

// NewRollouts validates rec against the rollout schema (columns, nulls, list offsets, and that
// every row has one log-prob per completion token) and retains it. A record of schema version 1
// is viewed in the current layout (policy_version -1; Record returns that converted record).
func NewRollouts(rec arrow.Record) (*Rollouts, error) {
	rec, err := upgradeRecord(memory.DefaultAllocator, rec)
	if err != nil {
		return nil, err
	}
	if err := validateRecord(rec); err != nil {
		rec.Release()
		return nil, err
	}
	r := &Rollouts{
		rec:        rec,
		prompt:     rec.Column(colPromptTokens).(*array.List),
		completion: rec.Column(colCompletionTokens).(*array.List),
		old:        rec.Column(colLogpOld).(*array.List),
		ref:        rec.Column(colLogpRef).(*array.List),
		adv:        rec.Column(colAdvantage).(*array.Float64),
		advEff:     rec.Column(colAdvantageEff).(*array.Float64),
		groupAcc:   rec.Column(colGroupAccuracy).(*array.Float64),
		effQ:       rec.Column(colEffQualifies).(*array.Boolean),
		correct:    rec.Column(colCorrect).(*array.Boolean),
		masked:     rec.Column(colMasked).(*array.Boolean),
	}
	r.promptV = r.prompt.ListValues().(*array.Int32).Int32Values()
	r.completionV = r.completion.ListValues().(*array.Int32).Int32Values()
	r.oldV = r.old.ListValues().(*array.Float32).Float32Values()
	r.refV = r.ref.ListValues().(*array.Float32).Float32Values()
	return r, nil
}

// Release drops the view's reference to the record.
func (r *Rollouts) Release() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

// Record returns the underlying record (still owned by r).
func (r *Rollouts) Record() arrow.Record { return r.rec }

// Len is the number of rows (turns).
func (r *Rollouts) Len() int { return int(r.rec.NumRows()) }

// MiniBatch returns the rows as an rl.MiniBatch whose token and log-prob slices alias the record's
// buffers (valid until r is released; do not modify them). Masked rows get weight 0.
// Rows must be in [0, Len()).
func (r *Rollouts) MiniBatch(rows []int) (rl.MiniBatch, error) {
	B := len(rows)
	mb := rl.MiniBatch{
		Rows: append([]int(nil), rows...), Prompt: make([][]int32, B), Completion: make([][]int32, B),
		OldLogp: make([][]float32, B), RefLogp: make([][]float32, B), Advantage: make([]float64, B),
		AdvantageEff: make([]float64, B), EffQualifies: make([]bool, B), Correct: make([]bool, B),
		GroupAccuracy: make([]float64, B), Weight: make([]float64, B),
	}
	for k, i := range rows {
		if i < 0 || i >= r.Len() {
			return rl.MiniBatch{}, errorf("mini-batch row %d is outside the step's %d rows", i, r.Len())
		}
		s, e := r.prompt.ValueOffsets(i)
		mb.Prompt[k] = r.promptV[s:e:e]
		s, e = r.completion.ValueOffsets(i)
		mb.Completion[k] = r.completionV[s:e:e]
		s, e = r.old.ValueOffsets(i)
		mb.OldLogp[k] = r.oldV[s:e:e]
		if r.ref.IsValid(i) {
			s, e = r.ref.ValueOffsets(i)
			mb.RefLogp[k] = r.refV[s:e:e]
		}
		mb.Advantage[k] = r.adv.Value(i)
		mb.AdvantageEff[k] = r.advEff.Value(i)
		mb.EffQualifies[k] = r.effQ.Value(i)
		mb.Correct[k] = r.correct.Value(i)
		mb.GroupAccuracy[k] = r.groupAcc.Value(i)
		mb.Weight[k] = 1
		if r.masked.Value(i) {
			mb.Weight[k] = 0
		}
	}
	return mb, nil
}

// Schedule splits the rows into mini-batches of at most size rows, for epochs passes
// (num_iterations), each pass in its own order: a permutation drawn from PCG(seed, epoch), so the
// order depends on nothing but the seed. skipMasked leaves masked rows out entirely (they would
// only contribute zeros; note that grpo and dr_grpo count every row in B).
func (r *Rollouts) Schedule(size, epochs int, seed uint64, skipMasked bool) ([][]int, error) {
	if size <= 0 || epochs <= 0 {
		return nil, errorf("mini-batch size %d and epochs %d must be positive", size, epochs)
	}
	var batches [][]int
	for ep := range epochs {
		perm := rand.New(rand.NewPCG(seed, uint64(ep))).Perm(r.Len())
		var cur []int
		for _, i := range perm {
			if skipMasked && r.masked.Value(i) {
				continue
			}
			cur = append(cur, i)
			if len(cur) == size {
				batches = append(batches, cur)
				cur = nil
			}
		}
		if len(cur) > 0 {
			batches = append(batches, cur)
		}
	}
	return batches, nil
}
