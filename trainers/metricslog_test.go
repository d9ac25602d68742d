package trainers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// truncateMetrics keeps steps 1..done, drops a last line cut short by a kill, and refuses a broken
// line anywhere else, naming the file and line.
func TestTruncateMetrics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n{\"step\":4,\"acc")
	dropped, err := truncateMetrics(path, 2)
	if err != nil || dropped != 2 {
		t.Fatalf("dropped %d, err %v; want 2 (step 3 and the torn line)", dropped, err)
	}
	if raw, _ := os.ReadFile(path); string(raw) != "{\"step\":1}\n{\"step\":2}\n" {
		t.Fatalf("kept %q", raw)
	}
	write("{\"step\":1}\n{\"step\":2,\"acc\n{\"step\":3}\n")
	if _, err := truncateMetrics(path, 3); err == nil || !strings.Contains(err.Error(), path+" line 2") {
		t.Fatalf("a broken line in the middle: %v", err)
	}
}
