package store

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"grit/rl"
)

// validateRecord checks everything the zero-copy views rely on, so that a corrupted or foreign
// file gives an error instead of a panic later.
func validateRecord(rec arrow.Record) error {
	if rec == nil {
		return errorf("nil rollout record")
	}
	if err := checkCurrentVersion(rec.Schema()); err != nil {
		return err
	}
	if _, _, _, err := schemaComponents(rec.Schema()); err != nil {
		return err
	}
	n := int(rec.NumRows())
	for c := 0; c < int(rec.NumCols()); c++ {
		col := rec.Column(c)
		if col.Len() != n {
			return errorf("rollout column %s has %d rows, the record %d", rec.ColumnName(c), col.Len(), n)
		}
		if c < numFixedCols && !fixedFields[c].Nullable && col.NullN() != 0 {
			return errorf("rollout column %s has %d nulls; it must have none", rec.ColumnName(c), col.NullN())
		}
	}
	lists := []int{colPromptTokens, colCompletionTokens, colLogpOld, colLogpRef}
	for _, c := range lists {
		if err := checkListOffsets(rec.Column(c).(*array.List), rec.ColumnName(c)); err != nil {
			return err
		}
	}
	comp, old, ref := rec.Column(colCompletionTokens).(*array.List), rec.Column(colLogpOld).(*array.List), rec.Column(colLogpRef).(*array.List)
	turn, numTurns := rec.Column(colTurn).(*array.Int32), rec.Column(colNumTurns).(*array.Int32)
	versions := rec.Column(colPolicyVersion).(*array.Int64)
	for i := range n {
		s, e := comp.ValueOffsets(i)
		so, eo := old.ValueOffsets(i)
		if eo-so != e-s {
			return errorf("rollout row %d: %d completion tokens but %d sampling log-probs", i, e-s, eo-so)
		}
		if ref.IsValid(i) {
			if sr, er := ref.ValueOffsets(i); er-sr != e-s {
				return errorf("rollout row %d: %d completion tokens but %d reference log-probs", i, e-s, er-sr)
			}
		}
		if t, nt := turn.Value(i), numTurns.Value(i); t < 0 || t >= nt {
			return errorf("rollout row %d: turn %d of %d", i, t, nt)
		}
		if v := versions.Value(i); v < rl.UnknownPolicyVersion {
			return errorf("rollout row %d: policy_version %d; want a number of completed steps (>= 0) or -1 (unknown)", i, v)
		}
	}
	return nil
}

// checkListOffsets verifies that a list column's offsets are non-decreasing and inside its values.
func checkListOffsets(l *array.List, name string) error {
	off := l.Offsets()
	start := l.Data().Offset()
	if len(off) < start+l.Len()+1 && l.Len() > 0 {
		return errorf("rollout column %s: %d offsets for %d rows", name, len(off), l.Len())
	}
	values := l.ListValues().Len()
	for i := 0; i < l.Len(); i++ {
		s, e := off[start+i], off[start+i+1]
		if s < 0 || e < s || int(e) > values {
			return errorf("rollout column %s row %d: offsets [%d, %d) outside its %d values", name, i, s, e, values)
		}
	}
	return nil
}
