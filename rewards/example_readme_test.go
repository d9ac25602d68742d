package rewards_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEPluginMatchesExample keeps README.md's Go reward plugin the code that
// example_test.go compiles and runs: the declarations from "func init() {" to the Correct method
// must be the same text (the README indents its code block by three spaces).
func TestREADMEPluginMatchesExample(t *testing.T) {
	readme := readFile(t, "../README.md")
	example := readFile(t, "example_test.go")
	const first, last = "func init() {", "func (endsWithAnswer) Correct(v float64) bool { return v == 1 }"
	var block []string
	for line := range strings.SplitSeq(readme, "\n") {
		block = append(block, strings.TrimPrefix(line, "   "))
	}
	want, ok := between(example, first, last)
	if !ok {
		t.Fatalf("example_test.go has no %q ... %q", first, last)
	}
	got, ok := between(strings.Join(block, "\n"), first, last)
	if !ok {
		t.Fatalf("README.md has no Go reward plugin from %q to %q; it should show example_test.go's", first, last)
	}
	if got != want {
		t.Errorf("README.md's reward plugin differs from rewards/example_test.go; copy the example into the README.\nREADME:\n%s\nexample:\n%s", got, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// between returns s from the first occurrence of first to the end of the next occurrence of last.
func between(s, first, last string) (string, bool) {
	i := strings.Index(s, first)
	if i < 0 {
		return "", false
	}
	j := strings.Index(s[i:], last)
	if j < 0 {
		return "", false
	}
	return s[i : i+j+len(last)], true
}
