package store

import (
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
)

// Older step files stay readable: every reader passes its record through upgradeRecord, which
// turns a record of an older schema version into the current layout, so the rest of the package
// knows one layout only. Writers accept the current version only.

// fixedFieldsV1 are the fixed columns of schema version 1: today's without policy_version.
var fixedFieldsV1 = append(append([]arrow.Field(nil), fixedFields[:colPolicyVersion]...), fixedFields[colPolicyVersion+1:]...)

// schemaVersion is s's "grit.rollouts.version" metadata. Without it (a tool that rewrote the file
// may drop schema metadata) it is the version the columns show: "2" when column colPolicyVersion
// is policy_version, else "1".
func schemaVersion(s *arrow.Schema) string {
	md := s.Metadata()
	if i := md.FindKey(metaVersion); i >= 0 {
		return md.Values()[i]
	}
	if s.NumFields() > colPolicyVersion && s.Field(colPolicyVersion).Name == fixedFields[colPolicyVersion].Name {
		return SchemaVersion
	}
	return "1"
}

// checkCurrentVersion refuses a record whose schema version is not SchemaVersion (writers and the
// validation behind every reader take the current layout only).
func checkCurrentVersion(s *arrow.Schema) error {
	v := schemaVersion(s)
	if v == SchemaVersion {
		return nil
	}
	if err := unknownVersion(v); err != nil {
		return err
	}
	return errorf("rollout schema version %q is not the current %q; read it with ReadStepFile, NewRollouts or RecordSamples (they convert it), and rebuild it with StepRecord to write it", v, SchemaVersion)
}

// unknownVersion is the error for a version this package never wrote; nil for a known one.
func unknownVersion(v string) error {
	current, _ := strconv.Atoi(SchemaVersion)
	switch n, err := strconv.Atoi(v); {
	case v == "1" || v == SchemaVersion:
		return nil
	case err == nil && n > current:
		return errorf("rollout schema version %q is newer than this grit reads (versions 1 and %s); update grit to read the file", v, SchemaVersion)
	default:
		return errorf("rollout schema has version %q in its %q metadata; grit writes versions 1 and %s only (was the file written by grit?)", v, metaVersion, SchemaVersion)
	}
}

// upgradeRecord returns rec in the current layout, retained (the caller releases it): rec itself
// when it has the current version; for a version 1 record a new record that shares rec's columns
// and has a policy_version column of rl.UnknownPolicyVersion (-1) inserted, allocated from mem. A
// record of another version is an error.
func upgradeRecord(mem memory.Allocator, rec arrow.Record) (arrow.Record, error) {
	if rec == nil {
		return nil, errorf("nil rollout record")
	}
	v := schemaVersion(rec.Schema())
	if err := unknownVersion(v); err != nil {
		return nil, err
	}
	if v == SchemaVersion {
		rec.Retain()
		return rec, nil
	}
	if _, _, _, err := layoutComponents(rec.Schema(), fixedFieldsV1, v); err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(n)
	for range n {
		b.UnsafeAppend(rl.UnknownPolicyVersion)
	}
	versions := b.NewArray()
	defer versions.Release()

	old := rec.Schema().Fields()
	fields := make([]arrow.Field, 0, len(old)+1)
	cols := make([]arrow.Array, 0, len(old)+1)
	for i, f := range old {
		if i == colPolicyVersion {
			fields = append(fields, fixedFields[colPolicyVersion])
			cols = append(cols, versions)
		}
		fields = append(fields, f)
		cols = append(cols, rec.Column(i))
	}
	md := arrow.NewMetadata([]string{metaVersion}, []string{SchemaVersion})
	return array.NewRecord(arrow.NewSchema(fields, &md), cols, int64(n)), nil
}
