package store

import (
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPyArrowReadsStepFile checks that another Arrow implementation opens a step file: it is
// skipped when python3 cannot import pyarrow.
func TestPyArrowReadsStepFile(t *testing.T) {
	if exec.Command("python3", "-c", "import pyarrow").Run() != nil {
		t.Skip("python3 with pyarrow is not available")
	}
	path, samples := writeTestStepFile(t, "py")
	script := `
import sys, pyarrow as pa, pyarrow.ipc as ipc
t = ipc.open_file(sys.argv[1]).read_all()
print(t.num_rows, t.column("completion_tokens")[0].as_py(), round(t.column("logp_old")[0].as_py()[0], 5),
      t.column("reward_format_error")[1].as_py(), t.column("turn").to_pylist()[3:6],
      t.column("policy_version").type, t.column("policy_version").to_pylist()[:3])
`
	out, err := exec.Command("python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pyarrow failed: %v\n%s", err, out)
	}
	versions := []int{samples[0].PolicyVersion, samples[1].PolicyVersion, samples[2].PolicyVersion}
	want := strings.Join([]string{"8", intList(samples[0].Turns[0].Tokens), fmt5(samples[0].Turns[0].Logp[0]), "parser timeout", "[0, 1, 2]",
		"int64", intList(versions)}, " ")
	if strings.TrimSpace(string(out)) != want {
		t.Errorf("pyarrow read %q, want %q", strings.TrimSpace(string(out)), want)
	}
}

// intList formats ints as Python prints a list.
func intList(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// fmt5 formats x as Python prints round(x, 5).
func fmt5(x float32) string {
	return strconv.FormatFloat(math.Round(float64(x)*1e5)/1e5, 'f', -1, 64)
}
