package trainers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// documentedKeys reads the key column of every table in docs/metrics.md as anchored patterns:
// a <placeholder> such as <name> stands for any non-empty text.
func documentedKeys(t *testing.T) []*regexp.Regexp {
	t.Helper()
	raw, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([^`]+)` \\|")
	placeholder := regexp.MustCompile(`<[^>]+>`)
	var out []*regexp.Regexp
	for _, line := range strings.Split(string(raw), "\n") {
		mt := row.FindStringSubmatch(line)
		if mt == nil {
			continue
		}
		parts := placeholder.Split(mt[1], -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		out = append(out, regexp.MustCompile("^"+strings.Join(parts, ".+")+"$"))
	}
	if len(out) < 40 {
		t.Fatalf("docs/metrics.md: found only %d documented keys; are the tables `| `key` | meaning | unit |` rows?", len(out))
	}
	return out
}

// undocumented returns the keys of m that match no documented pattern.
func undocumented(docs []*regexp.Regexp, keys []string) []string {
	var out []string
	for _, k := range keys {
		found := false
		for _, re := range docs {
			found = found || re.MatchString(k)
		}
		if !found {
			out = append(out, k)
		}
	}
	return out
}

// Every metric-key constant in metrickeys.go is documented (eval keys with their eval_ prefix).
func TestMetricKeyConstantsDocumented(t *testing.T) {
	docs := documentedKeys(t)
	src, err := os.ReadFile("metrickeys.go")
	if err != nil {
		t.Fatal(err)
	}
	decl := regexp.MustCompile(`(?m)^\t(key|eval)(\w*)\s*=\s*"([^"]+)"`)
	var keys []string
	for _, mt := range decl.FindAllStringSubmatch(string(src), -1) {
		switch {
		case mt[1] == "eval" && mt[2] == "KeyPrefix":
		case mt[1] == "eval":
			keys = append(keys, evalKey(mt[3]))
		default:
			keys = append(keys, mt[3])
		}
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d key constants in metrickeys.go", len(keys))
	}
	keys = append(keys, rewardComponentKey("correct", "mean"), attemptRewardKey(2),
		evalKey(evalAttemptAccKey(1)), evalKey(evalDifficultyKey(evalAccuracy, "easy")), evalKey(passAtKKey(4, "_failed")))
	if bad := undocumented(docs, keys); len(bad) > 0 {
		t.Errorf("metric keys missing from docs/metrics.md: %v", bad)
	}
}

// The doc check itself fails on a key that is not in docs/metrics.md.
func TestUndocumentedKeyIsCaught(t *testing.T) {
	docs := documentedKeys(t)
	bad := undocumented(docs, []string{"reward/format_mean", "reward_mean", "no_such_metric", "reward/x_median"})
	if len(bad) != 2 || bad[0] != "no_such_metric" || bad[1] != "reward/x_median" {
		t.Fatalf("undocumented = %v, want [no_such_metric reward/x_median]", bad)
	}
}

// checkKeysDocumented fails t for every key of the logged lines that docs/metrics.md lacks.
func checkKeysDocumented(t *testing.T, lines []map[string]any) {
	t.Helper()
	docs := documentedKeys(t)
	seen := map[string]bool{}
	var keys []string
	for _, m := range lines {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if bad := undocumented(docs, keys); len(bad) > 0 {
		t.Errorf("metrics.jsonl keys missing from docs/metrics.md: %v", bad)
	}
}

// readAllMetrics loads metrics.jsonl with every key, timing keys included.
func readAllMetrics(t *testing.T, dir string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}
