package trainers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dataset rows skipped as malformed are reported at start-up (count and file:line: reason), in
// every metrics.jsonl line and in summary.json.
func TestSkippedDatasetRowsAreReported(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for a := 1; a <= 9; a++ {
		for c := 1; c <= 9; c++ {
			fmt.Fprintf(&b, "{\"prompt\": \"%d+%d=\", \"answer\": \"%d\"}\n", a, c, a+c)
		}
	}
	b.WriteString("{\"prompt\": \"no answer\"}\n")        // line 82
	b.WriteString("{\"prompt\": 5, \"answer\": \"5\"}\n") // line 83
	data := filepath.Join(dir, "sums.jsonl")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := tinyRunConfig()
	cfg.Env = "dataset"
	cfg.EnvArgs = map[string]any{"path": data, "held_out_fraction": 0.2}
	cfg.Steps = 2
	out := filepath.Join(dir, "run")
	var log bytes.Buffer
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: out, Log: &log}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 dataset rows were skipped", data + ":82: missing column \"answer\"", data + ":83: column \"prompt\" must be a string"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	for i, m := range readMetrics(t, out) {
		if m["dataset_skipped_rows"] != 2.0 {
			t.Errorf("metrics line %d: dataset_skipped_rows %v, want 2", i, m["dataset_skipped_rows"])
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}
	if sum["dataset_skipped_rows"] != 2.0 {
		t.Errorf("summary.json dataset_skipped_rows %v, want 2:\n%s", sum["dataset_skipped_rows"], raw)
	}
}
