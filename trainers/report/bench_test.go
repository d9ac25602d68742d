package report

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkStepScript measures converting one step file (GRIT_BENCH_RUN names a run folder).
func BenchmarkStepScript(b *testing.B) {
	run := os.Getenv("GRIT_BENCH_RUN")
	if run == "" {
		b.Skip("set GRIT_BENCH_RUN to a run folder")
	}
	tok := runTokenizer(run)
	src := filepath.Join(run, "rollouts", "step-000010.arrow")
	dst := filepath.Join(b.TempDir(), "s.js")
	for b.Loop() {
		if err := writeStepScript(src, dst, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPage(b *testing.B) {
	run := os.Getenv("GRIT_BENCH_RUN")
	if run == "" {
		b.Skip("set GRIT_BENCH_RUN to a run folder")
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
