package store

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
)

// The committed fixtures were written by the schema version 1 writer (before policy_version):
// testdata/step-v1.arrow holds testSamples(2) of run "run-v1"; testdata/rollouts-v1.parquet is
// ExportParquet of a run folder with testSamples(1) and testSamples(2) as steps 1 and 2.
const (
	v1StepFile    = "testdata/step-v1.arrow"
	v1ParquetFile = "testdata/rollouts-v1.parquet"
)

// v1Samples is what a schema version 1 file of testSamples(steps...) reads as: the same samples
// with an unknown policy version.
func v1Samples(steps ...int) []rl.Sample {
	var out []rl.Sample
	for _, step := range steps {
		for _, s := range testSamples(step) {
			s.PolicyVersion = rl.UnknownPolicyVersion
			out = append(out, s)
		}
	}
	return out
}

// rawIPCRecord reads the one record of an Arrow IPC file with Arrow's own reader (no conversion).
func rawIPCRecord(t *testing.T, mem memory.Allocator, data []byte) arrow.Record {
	t.Helper()
	fr, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	rec, err := fr.Record(0)
	if err != nil {
		t.Fatal(err)
	}
	rec.Retain()
	return rec
}

func TestPolicyVersionColumn(t *testing.T) {
	mem := checkedAlloc(t)
	samples := testSamples(4)
	rec, err := StepRecord(mem, "run", samples)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if v := schemaVersion(rec.Schema()); v != "2" {
		t.Errorf("schema version %q, want \"2\"", v)
	}
	idx := rec.Schema().FieldIndices("policy_version")
	if len(idx) != 1 || idx[0] != 2 || rec.Schema().Field(2).Type.ID() != arrow.INT64 || rec.Schema().Field(2).Nullable {
		t.Fatalf("policy_version columns at %v; want one non-nullable int64 column at index 2, after step", idx)
	}
	// one row per turn: sample 3 has three turns, each repeating the sample's version
	var want []int64
	for _, s := range samples {
		for range s.Turns {
			want = append(want, int64(s.PolicyVersion))
		}
	}
	got := rec.Column(2).(*array.Int64).Int64Values()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("policy_version column %v, want %v", got, want)
	}
	if !reflect.DeepEqual(want, []int64{3, 2, 3, 3, 3, 3, 2, 3}) {
		t.Errorf("testSamples(4) versions %v; the test wants both the step's 3 and an older 2", want)
	}
}

func TestPolicyVersionBelowUnknownIsRefused(t *testing.T) {
	mem := checkedAlloc(t)
	bad := testSamples(1)
	bad[2].PolicyVersion = -2
	if _, err := StepRecord(mem, "r", bad); err == nil || !strings.Contains(err.Error(), "policy version -2") {
		t.Errorf("StepRecord with policy version -2: %v; want an error naming it", err)
	}
	// a file whose column holds -2 (written by some other tool) is refused by the readers
	rec, err := StepRecord(mem, "r", testSamples(1))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := range int(rec.NumRows()) {
		b.Append(int64(min(i, 1) - 3))
	}
	col := b.NewArray()
	defer col.Release()
	cols := append([]arrow.Array(nil), rec.Columns()...)
	cols[colPolicyVersion] = col
	forged := array.NewRecord(rec.Schema(), cols, rec.NumRows())
	defer forged.Release()
	var buf seekBuffer
	if err := writeIPC(&buf, forged); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeIPC(mem, buf.data); err == nil || !strings.Contains(err.Error(), "policy_version -3") {
		t.Errorf("DecodeIPC of policy_version -3: %v; want an error naming it", err)
	}
}

// The v1 fixture really has the old layout: no policy_version, version metadata "1".
func TestV1FixtureHasTheOldLayout(t *testing.T) {
	mem := checkedAlloc(t)
	data, err := os.ReadFile(v1StepFile)
	if err != nil {
		t.Fatal(err)
	}
	rec := rawIPCRecord(t, mem, data)
	defer rec.Release()
	s := rec.Schema()
	if md := s.Metadata(); md.FindKey(metaVersion) < 0 || md.Values()[md.FindKey(metaVersion)] != "1" {
		t.Errorf("fixture metadata %v; want %s = 1", md, metaVersion)
	}
	if len(s.FieldIndices("policy_version")) != 0 || s.NumFields() != len(fixedFieldsV1)+4 {
		t.Errorf("fixture has %d columns (%v); want the %d fixed columns of version 1 and two components", s.NumFields(), s, len(fixedFieldsV1))
	}
	for i, f := range fixedFieldsV1 {
		if s.Field(i).Name != f.Name {
			t.Errorf("fixture column %d is %s, version 1 has %s", i, s.Field(i).Name, f.Name)
		}
	}
}

func TestReadsV1StepFile(t *testing.T) {
	mem := checkedAlloc(t)
	rec, err := ReadStepFile(mem, v1StepFile)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if v := schemaVersion(rec.Schema()); v != SchemaVersion || rec.ColumnName(colPolicyVersion) != "policy_version" {
		t.Errorf("read as version %q with column %d %q; want the current layout", v, colPolicyVersion, rec.ColumnName(colPolicyVersion))
	}
	for i, v := range rec.Column(colPolicyVersion).(*array.Int64).Int64Values() {
		if v != -1 {
			t.Errorf("row %d: policy_version %d, want -1 (unknown)", i, v)
		}
	}
	runID, got, err := RecordSamples(rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := v1Samples(2); runID != "run-v1" || !reflect.DeepEqual(got, want) {
		t.Errorf("v1 file read as run %q:\n got %+v\nwant %+v", runID, got, want)
	}
	ro, err := NewRollouts(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Release()
	mb, err := ro.MiniBatch([]int{0, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mb.Completion[0], int32s(got[0].Turns[0].Tokens)) || mb.Weight[1] != 0 {
		t.Errorf("mini-batch of the v1 file does not match its samples: %+v", mb)
	}
}

// Records a user read from a v1 file with Arrow's own reader go through NewRollouts and
// RecordSamples as well; writers refuse them with a message saying how to convert.
func TestV1RecordFromAnotherReader(t *testing.T) {
	mem := checkedAlloc(t)
	data, err := os.ReadFile(v1StepFile)
	if err != nil {
		t.Fatal(err)
	}
	rec := rawIPCRecord(t, mem, data)
	defer rec.Release()
	_, got, err := RecordSamples(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, v1Samples(2)) {
		t.Errorf("RecordSamples of a raw v1 record differs")
	}
	ro, err := NewRollouts(rec)
	if err != nil {
		t.Fatal(err)
	}
	if ro.Len() != int(rec.NumRows()) || ro.Record().Column(colPolicyVersion).(*array.Int64).Value(0) != -1 {
		t.Errorf("NewRollouts of a raw v1 record: %d rows, want %d with policy_version -1", ro.Len(), rec.NumRows())
	}
	ro.Release()
	err = WriteStepFile(filepath.Join(t.TempDir(), "step-000001.arrow"), rec)
	if err == nil || !strings.Contains(err.Error(), `version "1" is not the current "2"`) {
		t.Errorf("WriteStepFile of a v1 record: %v; want a refusal naming the versions", err)
	}
}

func TestReadsV1Parquet(t *testing.T) {
	mem := checkedAlloc(t)
	runIDs, got, err := ReadParquet(mem, v1ParquetFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := v1Samples(1, 2); len(runIDs) != len(want) || runIDs[0] != "run-v1" || !reflect.DeepEqual(got, want) {
		t.Errorf("v1 Parquet read as runs %v:\n got %+v\nwant %+v", runIDs, got, v1Samples(1, 2))
	}
}

// A run resumed across the upgrade has v1 step files before the resume and v2 files after it; the
// export merges them, the v1 rows with policy_version -1.
func TestExportMixesV1AndV2Steps(t *testing.T) {
	mem := checkedAlloc(t)
	dir := t.TempDir()
	data, err := os.ReadFile(v1StepFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "rollouts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(StepFilePath(dir, 2), data, 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := StepRecord(mem, "run-v1", testSamples(3))
	if err != nil {
		t.Fatal(err)
	}
	err = WriteStepFile(StepFilePath(dir, 3), rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "rollouts.parquet")
	if _, skipped, err := ExportParquet(mem, dir, out); err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	_, got, err := ReadParquet(mem, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(v1Samples(2), testSamples(3)...); !reflect.DeepEqual(got, want) {
		t.Errorf("merged export differs:\n got %+v\nwant %+v", got, want)
	}
}

// withVersion returns the bytes of a step file of testSamples(1) whose metadata claims version v.
func withVersion(t *testing.T, mem memory.Allocator, v string) []byte {
	t.Helper()
	rec, err := StepRecord(mem, "r", testSamples(1))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	md := arrow.NewMetadata([]string{metaVersion}, []string{v})
	relabeled := array.NewRecord(arrow.NewSchema(rec.Schema().Fields(), &md), rec.Columns(), rec.NumRows())
	defer relabeled.Release()
	var buf seekBuffer
	if err := writeIPC(&buf, relabeled); err != nil {
		t.Fatal(err)
	}
	return buf.data
}

func TestUnknownSchemaVersionIsAnError(t *testing.T) {
	mem := checkedAlloc(t)
	for _, tc := range []struct{ version, want string }{
		{"3", `rollout schema version "3" is newer than this grit reads (versions 1 and 2); update grit`},
		{"banana", `version "banana" in its "grit.rollouts.version" metadata; grit writes versions 1 and 2 only`},
		{"0", `version "0" in its`},
	} {
		data := withVersion(t, mem, tc.version)
		if _, err := DecodeIPC(mem, data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeIPC of version %q: %v; want an error containing %q", tc.version, err, tc.want)
		}
		rec := rawIPCRecord(t, mem, data)
		if _, err := NewRollouts(rec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewRollouts of version %q: %v; want an error containing %q", tc.version, err, tc.want)
		}
		if _, _, err := RecordSamples(rec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RecordSamples of version %q: %v; want an error containing %q", tc.version, err, tc.want)
		}
		rec.Release()
	}
}

// A file whose schema metadata was dropped (rewritten by another tool) is read by its columns.
func TestVersionWithoutMetadataFollowsTheColumns(t *testing.T) {
	mem := checkedAlloc(t)
	for _, path := range []string{"", v1StepFile} {
		var rec arrow.Record
		var want []rl.Sample
		if path == "" {
			r, err := StepRecord(mem, "r", testSamples(1))
			if err != nil {
				t.Fatal(err)
			}
			rec, want = r, testSamples(1)
		} else {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rec, want = rawIPCRecord(t, mem, data), v1Samples(2)
		}
		bare := array.NewRecord(arrow.NewSchema(rec.Schema().Fields(), nil), rec.Columns(), rec.NumRows())
		rec.Release()
		_, got, err := RecordSamples(bare)
		bare.Release()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q without metadata: %v; samples equal: %v", path, err, reflect.DeepEqual(got, want))
		}
	}
}
