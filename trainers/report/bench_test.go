package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
	"grit/rl/store"
)

// The benchmarks read the run folder named by GRITDEV_BENCH_RUN.

func BenchmarkPage(b *testing.B) {
	run := os.Getenv("GRITDEV_BENCH_RUN")
	if run == "" {
		b.Skip("set GRITDEV_BENCH_RUN to a run folder")
	}
	for b.Loop() {
		r, err := loadRun(run)
		if err != nil {
			b.Fatal(err)
		}
		if err := writePage(filepath.Join(b.TempDir(), "r.html"), "x", []*runData{r}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteRunNoNewSteps(b *testing.B) {
	run := os.Getenv("GRITDEV_BENCH_RUN")
	if run == "" {
		b.Skip("set GRITDEV_BENCH_RUN to a run folder")
	}
	for b.Loop() {
		if err := WriteRun(run); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSamples(b *testing.B) (string, []rl.Sample) {
	run := os.Getenv("GRITDEV_BENCH_RUN")
	if run == "" {
		b.Skip("set GRITDEV_BENCH_RUN to a run folder")
	}
	rec, err := store.ReadStepFile(memory.DefaultAllocator, filepath.Join(run, "rollouts", "step-000010.arrow"))
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	_, samples, err := store.RecordSamples(rec)
	if err != nil {
		b.Fatal(err)
	}
	return run, samples
}

func BenchmarkEncodeStep(b *testing.B) {
	run, samples := benchSamples(b)
	tok := runTokenizer(run)
	for b.Loop() {
		encodeStep(samples, tok)
	}
}

func BenchmarkStepWriter(b *testing.B) {
	run, samples := benchSamples(b)
	tok := runTokenizer(run)
	w := NewStepWriter(b.TempDir())
	defer w.Close()
	for b.Loop() {
		if err := w.Write(samples, tok); err != nil {
			b.Fatal(err)
		}
	}
}
