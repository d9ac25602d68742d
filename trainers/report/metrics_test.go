package report

import (
	"os"
	"path/filepath"
	"testing"
)

// OpenMetrics rebuilds metrics.js from metrics.jsonl (a torn last line left out), Append adds a
// line; ensureMetricsScript leaves an existing script alone (a run may be appending to it).
func TestMetricsScript(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte("{\"step\":0,\"a\":1}\n{\"step\":1,\"a\":2}\n{\"step\":2,\"a"), 0o644)
	w, err := OpenMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append([]byte(`{"step":2,"a":3}`)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := filepath.Join(dir, StepDir, MetricsFile)
	want := "gritMetrics({\"step\":0,\"a\":1});\ngritMetrics({\"step\":1,\"a\":2});\ngritMetrics({\"step\":2,\"a\":3});\n"
	if got, _ := os.ReadFile(path); string(got) != want {
		t.Errorf("metrics.js\n got %q\nwant %q", got, want)
	}
	os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte("{\"step\":0,\"a\":9}\n"), 0o644)
	if err := ensureMetricsScript(dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != want {
		t.Error("ensureMetricsScript rewrote an existing metrics.js")
	}
	os.Remove(path)
	if err := ensureMetricsScript(dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "gritMetrics({\"step\":0,\"a\":9});\n" {
		t.Errorf("rebuilt metrics.js %q", got)
	}
}
