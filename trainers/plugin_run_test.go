package trainers

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "grit/envs/extproc" // registers the "plugin" env
)

// flakyPlugin answers with an error for completions of odd length and logs every call to stderr.
const flakyPlugin = `import json, sys
print("flaky: ready", file=sys.stderr, flush=True)
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "hello":
        print(json.dumps({"type": "hello", "protocol": 1, "name": "flaky", "components": ["exact"]}), flush=True)
        continue
    c = m["completion"].strip()
    print("flaky: scoring %r" % c, file=sys.stderr, flush=True)
    if len(c) % 2 == 1:
        print(json.dumps({"type": "result", "id": m["id"], "error": "odd length"}), flush=True)
    else:
        ok = c == m["task"]["answer"]
        print(json.dumps({"type": "result", "id": m["id"], "components": {"exact": 1.0 if ok else 0.0}, "correct": ok}), flush=True)
`

// A run graded by a plugin logs its calls, failures, timeouts and restarts per step, warns on the
// log when calls failed, counts failed evaluations in summary.json, and keeps the plugin's stderr.
func TestPluginFailuresAreReportedPerStep(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	dir := t.TempDir()
	plugin := filepath.Join(dir, "flaky.py")
	if err := os.WriteFile(plugin, []byte(flakyPlugin), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := tinyRunConfig()
	cfg.Env = "plugin"
	cfg.EnvArgs = map[string]any{"base": "arithmetic", "base_args": tinyRunConfig().EnvArgs,
		"command": []any{py, plugin}, "timeout": "10s"}
	cfg.Steps = 3
	cfg.EvalEvery = 0
	out := filepath.Join(dir, "run")
	var log bytes.Buffer
	sum, err := Run(context.Background(), cfg, RunOptions{OutDir: out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	failedSteps := 0
	for i, m := range readMetrics(t, out) {
		calls, failed := m["plugin_calls"], m["plugin_failed"]
		if calls == nil || failed == nil || m["plugin_timeouts"] != 0.0 || m["plugin_restarts"] != 0.0 {
			t.Fatalf("step %d: plugin counts missing or wrong: %v", i, m)
		}
		if failed.(float64) != m["samples_excluded"].(float64)+evalFailures(m) {
			t.Errorf("step %d: plugin_failed %v, want the excluded samples (%v) plus failed evaluations (%v)", i, failed, m["samples_excluded"], evalFailures(m))
		}
		if failed.(float64) > 0 {
			failedSteps++
		}
	}
	if failedSteps == 0 {
		t.Fatal("no plugin call failed; the test checks nothing")
	}
	if n := strings.Count(log.String(), "plugin calls failed"); n != failedSteps {
		t.Errorf("%d warning lines on the log for %d steps with failures:\n%s", n, failedSteps, log.String())
	}
	stderr, err := os.ReadFile(filepath.Join(out, "plugin-stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[plugin 1] flaky: ready", "[plugin 1] flaky: scoring", "[grit] plugin 1"} {
		if !strings.Contains(string(stderr), want) {
			t.Errorf("plugin-stderr.log lacks %q", want)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk struct{ Base, Final map[string]any }
	if err := json.Unmarshal(raw, &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.Final["failed"] != sum.Final["failed"] || onDisk.Base["failed"] != sum.Base["failed"] {
		t.Errorf("summary.json failed counts %v / %v, want %v / %v", onDisk.Base["failed"], onDisk.Final["failed"], sum.Base["failed"], sum.Final["failed"])
	}
	if sum.Base["failed"] == 0 || !strings.Contains(log.String(), "held-out episodes could not be graded") {
		t.Errorf("base eval: failed %v, and the log should warn:\n%s", sum.Base["failed"], log.String())
	}
}

func evalFailures(m map[string]any) float64 {
	if v, ok := m["eval_failed"].(float64); ok {
		return v
	}
	return 0
}
