package store

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"grit/rl"
)

// TestArrowJSReadsStepFile checks that another Arrow implementation, the JavaScript one
// (npm package apache-arrow), opens a step file and reads the same values. It runs when node is
// installed and GRITDEV_ARROWJS names a folder whose node_modules holds apache-arrow (.ci/run sets
// that up); otherwise it is skipped.
func TestArrowJSReadsStepFile(t *testing.T) {
	dir := os.Getenv("GRITDEV_ARROWJS")
	if dir == "" {
		t.Skip("GRITDEV_ARROWJS is not set (a folder with node_modules/apache-arrow; .ci/run installs one)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "apache-arrow")); err != nil {
		t.Skipf("no apache-arrow under %s: %v", dir, err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	path, samples := writeTestStepFile(t, "js")
	script := `
const fs = require("fs");
const arrow = require("apache-arrow");
const t = arrow.tableFromIPC(fs.readFileSync(process.argv[1]));
const col = (name) => t.getChild(name);
const out = {
  rows: t.numRows,
  completion0: Array.from(col("completion_tokens").get(0)),
  logp0: Array.from(col("logp_old").get(0)),
  turns: Array.from({length: t.numRows}, (_, i) => col("turn").get(i)),
  formatError1: col("reward_format_error").get(1),
  promptID0: col("prompt_id").get(0),
  policyVersions: Array.from({length: t.numRows}, (_, i) => Number(col("policy_version").get(i))),
  version: t.schema.metadata.get("grit.rollouts.version"),
};
console.log(JSON.stringify(out));
`
	cmd := exec.Command("node", "-e", script, path)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	raw, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node (apache-arrow) failed: %v\n%s", err, raw)
	}
	var got struct {
		Rows         int       `json:"rows"`
		Completion0  []int     `json:"completion0"`
		Logp0        []float64 `json:"logp0"`
		Turns        []int     `json:"turns"`
		FormatError1 *string   `json:"formatError1"`
		PromptID0    string    `json:"promptID0"`
		Versions     []int     `json:"policyVersions"`
		Version      string    `json:"version"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("node printed %q: %v", raw, err)
	}
	rows := 0
	var turns, versions []int
	for _, s := range samples {
		for k := range s.Turns {
			rows++
			turns = append(turns, k)
			versions = append(versions, s.PolicyVersion)
		}
	}
	if got.Rows != rows {
		t.Errorf("apache-arrow read %d rows, want %d", got.Rows, rows)
	}
	first := samples[0].Turns[0]
	if len(got.Completion0) != len(first.Tokens) || len(got.Logp0) != len(first.Logp) {
		t.Fatalf("row 0: read %d tokens / %d log-probs, want %d / %d", len(got.Completion0), len(got.Logp0), len(first.Tokens), len(first.Logp))
	}
	for i, tok := range first.Tokens {
		if got.Completion0[i] != tok {
			t.Errorf("completion_tokens[0][%d] = %d, want %d", i, got.Completion0[i], tok)
		}
		if float32(got.Logp0[i]) != first.Logp[i] && !(math.IsNaN(got.Logp0[i]) && math.IsNaN(float64(first.Logp[i]))) {
			t.Errorf("logp_old[0][%d] = %v, want %v", i, got.Logp0[i], first.Logp[i])
		}
	}
	for i := range turns {
		if i < len(got.Turns) && got.Turns[i] != turns[i] {
			t.Errorf("turn[%d] = %d, want %d", i, got.Turns[i], turns[i])
		}
	}
	if got.FormatError1 == nil || *got.FormatError1 != "parser timeout" {
		t.Errorf("reward_format_error[1] = %v, want \"parser timeout\"", got.FormatError1)
	}
	if !reflect.DeepEqual(got.Versions, versions) || got.Version != SchemaVersion {
		t.Errorf("policy_version %v (schema version %q), want %v (%q)", got.Versions, got.Version, versions, SchemaVersion)
	}
	if got.PromptID0 != samples[0].PromptID {
		t.Errorf("prompt_id[0] = %q, want %q", got.PromptID0, samples[0].PromptID)
	}
}

// writeTestStepFile writes testSamples(3) as a step file for other Arrow implementations to read.
func writeTestStepFile(t *testing.T, runID string) (string, []rl.Sample) {
	t.Helper()
	samples := testSamples(3)
	rec, err := StepRecord(checkedAlloc(t), runID, samples)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	path := StepFilePath(t.TempDir(), 3)
	if err := WriteStepFile(path, rec); err != nil {
		t.Fatal(err)
	}
	return path, samples
}
