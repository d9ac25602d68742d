package store

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rewards"
	"grit/rl"
)

// testSamples builds a step with two groups: single-turn samples, one multi-turn sample, a
// length-0 completion, a failed and an absent reward component, a sample with every component
// missing, rows with and without reference log-probs, and (from step 2 on) samples of an older
// policy version than the step's s-1.
func testSamples(step int) []rl.Sample {
	rng := rand.New(rand.NewPCG(uint64(step), 9))
	turn := func(ctx, n int, ref bool) rl.TurnTokens {
		t := rl.TurnTokens{Context: make([]int, ctx), Tokens: make([]int, n), Logp: make([]float32, n), Text: "text"}
		for i := range t.Context {
			t.Context[i] = rng.IntN(100)
		}
		for i := range t.Tokens {
			t.Tokens[i] = rng.IntN(100)
			t.Logp[i] = -float32(rng.Float64() * 5)
		}
		if ref {
			t.RefLogp = make([]float32, n)
			for i := range t.RefLogp {
				t.RefLogp[i] = -float32(rng.Float64() * 5)
			}
		}
		return t
	}
	var out []rl.Sample
	for g := range 2 {
		for i := range 3 {
			s := rl.Sample{Step: step, PolicyVersion: max(step-1-i%2, 0), PromptID: "task-" + string(rune('a'+g)), Group: g, Index: i,
				Turns:      []rl.TurnTokens{turn(4, 3+i, i != 1)},
				Components: []rewards.Component{{Name: "answer", Value: float64(i % 2), OK: true}, {Name: "format", Value: 0.1, OK: true}},
				Reward:     float64(i%2) + 0.1, RewardOK: true, Correct: i%2 == 1, NumTokens: 3 + i, ToolCalls: i,
				PromptText: "What is 2+2?", Advantage: rng.NormFloat64(), GroupAccuracy: 1.0 / 3}
			out = append(out, s)
		}
	}
	out[1].Components[1] = rewards.Component{Name: "format", OK: false, Err: "parser timeout"}
	out[2].Components = out[2].Components[:1] // format absent
	out[3].Turns = append(out[3].Turns, turn(12, 2, false), turn(20, 0, true))
	out[3].Truncated, out[3].Masked = true, true
	out[4].Components = []rewards.Component{{Name: "answer", OK: false, Err: "crash"}}
	out[4].RewardOK, out[4].Reward = false, 0
	out[5].Turns[0] = turn(4, 0, false) // length-0 completion
	out[5].AdvantageEff, out[5].EffQualifies, out[5].RewardEff = 0.5, true, 0.25
	return out
}

func checkedAlloc(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func TestIPCRoundTrip(t *testing.T) {
	mem := checkedAlloc(t)
	samples := testSamples(7)
	rec, err := StepRecord(mem, "run-1", samples)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 8 { // 6 samples, one with 3 turns
		t.Fatalf("record has %d rows, want 8 (one per turn)", rec.NumRows())
	}
	path := StepFilePath(t.TempDir(), 7)
	if filepath.Base(path) != "step-000007.arrow" {
		t.Errorf("step file name %s", filepath.Base(path))
	}
	if err := WriteStepFile(path, rec); err != nil {
		t.Fatal(err)
	}
	back, err := ReadStepFile(mem, path)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if !back.Schema().Equal(rec.Schema()) {
		t.Errorf("schema changed:\n%s\nvs\n%s", back.Schema(), rec.Schema())
	}
	runID, got, err := RecordSamples(back)
	if err != nil {
		t.Fatal(err)
	}
	if runID != "run-1" || !reflect.DeepEqual(got, samples) {
		t.Errorf("round trip differs (run %q):\n got %+v\nwant %+v", runID, got, samples)
	}
}

func TestParquetExportRoundTrip(t *testing.T) {
	mem := checkedAlloc(t)
	dir := t.TempDir()
	var want []rl.Sample
	for step := 1; step <= 3; step++ {
		s := testSamples(step)
		if step == 2 {
			// a step with another reward component: the export must carry the union
			for i := range s {
				s[i].Components = append(s[i].Components, rewards.Component{Name: "length", Value: -0.5, OK: true})
			}
		}
		want = append(want, s...)
		rec, err := StepRecord(mem, "run-x", s)
		if err != nil {
			t.Fatal(err)
		}
		err = WriteStepFile(StepFilePath(dir, step), rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "rollouts.parquet")
	rows, skipped, err := ExportParquet(mem, dir, out)
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	if rows != 24 {
		t.Errorf("exported %d rows, want 24", rows)
	}
	runIDs, got, err := ReadParquet(mem, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(runIDs) != len(want) || runIDs[0] != "run-x" {
		t.Errorf("run ids %v", runIDs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parquet round trip differs:\n got %+v\nwant %+v", got, want)
	}
}

// One damaged step file costs only its own step: the others are exported and the damaged one is
// reported; when every file is damaged the export fails and writes nothing.
func TestParquetExportSkipsADamagedStep(t *testing.T) {
	mem := checkedAlloc(t)
	dir := t.TempDir()
	var want []rl.Sample
	for step := 1; step <= 3; step++ {
		s := testSamples(step)
		if step != 2 {
			want = append(want, s...)
		}
		rec, err := StepRecord(mem, "run-x", s)
		if err != nil {
			t.Fatal(err)
		}
		err = WriteStepFile(StepFilePath(dir, step), rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	damaged := StepFilePath(dir, 2)
	fi, err := os.Stat(damaged)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(damaged, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "rollouts.parquet")
	rows, skipped, err := ExportParquet(mem, dir, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0].Path != damaged || skipped[0].Err == nil {
		t.Fatalf("skipped %v, want exactly %s with its error", skipped, damaged)
	}
	if rows != 16 {
		t.Errorf("exported %d rows, want 16 (steps 1 and 3)", rows)
	}
	_, got, err := ReadParquet(mem, out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exported samples differ from steps 1 and 3")
	}
	for _, step := range []int{1, 3} {
		if err := os.WriteFile(StepFilePath(dir, step), []byte("not arrow"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(out)
	if _, skipped, err := ExportParquet(mem, dir, out); err == nil || len(skipped) != 3 {
		t.Fatalf("all files damaged: err %v, skipped %d; want an error and 3 skipped", err, len(skipped))
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s behind", out)
	}
}

func TestRolloutsMiniBatchAliasesArrow(t *testing.T) {
	mem := checkedAlloc(t)
	samples := testSamples(1)
	rec, err := StepRecord(mem, "r", samples)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ro, err := NewRollouts(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Release()
	mb, err := ro.MiniBatch([]int{0, 4, 3})
	if err != nil {
		t.Fatal(err)
	}
	// row 3 is sample 3's turn 0 (masked), row 4 its turn 1 (no reference)
	if !reflect.DeepEqual(mb.Completion[0], int32s(samples[0].Turns[0].Tokens)) ||
		!reflect.DeepEqual(mb.OldLogp[1], samples[3].Turns[1].Logp) || mb.RefLogp[1] != nil ||
		mb.Weight[2] != 0 || mb.Weight[0] != 1 || mb.Advantage[1] != samples[3].Advantage {
		t.Errorf("mini-batch does not match the samples: %+v", mb)
	}
	// zero copy: the slice points into the Arrow values buffer
	vals := rec.Column(colLogpOld).(*array.List).ListValues().(*array.Float32).Float32Values()
	lo, hi := uintptr(unsafe.Pointer(&vals[0])), uintptr(unsafe.Pointer(&vals[len(vals)-1]))
	if p := uintptr(unsafe.Pointer(&mb.OldLogp[0][0])); p < lo || p > hi {
		t.Error("OldLogp was copied out of the Arrow buffer")
	}
	if _, err := ro.MiniBatch([]int{99}); err == nil {
		t.Error("row out of range: want an error")
	}
	// The mini-batch feeds PolicyLoss directly.
	logp := make([][]float32, mb.Len())
	for b := range logp {
		logp[b] = mb.OldLogp[b]
	}
	if _, err := rl.PolicyLoss(rl.DefaultLossConfig(), mb, logp, nil); err != nil {
		t.Errorf("PolicyLoss on an Arrow mini-batch: %v", err)
	}
}

func TestSchedule(t *testing.T) {
	mem := checkedAlloc(t)
	rec, err := StepRecord(mem, "r", testSamples(1))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ro, err := NewRollouts(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Release()
	a, _ := ro.Schedule(3, 2, 42, false)
	b, _ := ro.Schedule(3, 2, 42, false)
	c, _ := ro.Schedule(3, 2, 43, false)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Errorf("schedule must depend on the seed only: %v %v %v", a, b, c)
	}
	// each epoch covers every row once: 8 rows in batches of 3 -> 3+3+2, twice
	if len(a) != 6 || len(a[2]) != 2 {
		t.Errorf("batches %v", a)
	}
	for ep := range 2 {
		seen := map[int]bool{}
		for _, bt := range a[3*ep : 3*ep+3] {
			for _, i := range bt {
				seen[i] = true
			}
		}
		if len(seen) != 8 {
			t.Errorf("epoch %d covers %d rows", ep, len(seen))
		}
	}
	skip, _ := ro.Schedule(100, 1, 1, true)
	if len(skip[0]) != 5 { // sample 3 (masked) has three turn rows
		t.Errorf("skipping masked rows left %d rows, want 5", len(skip[0]))
	}
	if _, err := ro.Schedule(0, 1, 1, false); err == nil {
		t.Error("size 0: want an error")
	}
}

func TestRecordErrors(t *testing.T) {
	mem := checkedAlloc(t)
	bad := testSamples(1)
	bad[0].Turns[0].Logp = bad[0].Turns[0].Logp[:1]
	if _, err := StepRecord(mem, "r", bad); err == nil {
		t.Error("log-probs shorter than tokens: want an error")
	}
	dup := testSamples(1)
	dup[0].Components = append(dup[0].Components, dup[0].Components[0])
	if _, err := StepRecord(mem, "r", dup); err == nil {
		t.Error("duplicate component: want an error")
	}
	if _, err := ReadStepFile(mem, filepath.Join(t.TempDir(), "missing.arrow")); err == nil {
		t.Error("missing file: want an error")
	}
	p := filepath.Join(t.TempDir(), "junk.arrow")
	os.WriteFile(p, []byte("not arrow"), 0o644)
	if _, err := ReadStepFile(mem, p); err == nil {
		t.Error("junk file: want an error")
	}
}

func int32s(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}
