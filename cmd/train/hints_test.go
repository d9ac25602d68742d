package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestInvocationOf(t *testing.T) {
	self := filepath.Join(t.TempDir(), "train") // a binary outside go-build, on PATH as "train"
	if err := os.WriteFile(self, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	noTrain := func(string) (string, error) { return "", errors.New("not found") }
	onPath := func(string) (string, error) { return self, nil }
	for _, c := range []struct {
		exe, arg0 string
		look      func(string) (string, error)
		want      string
	}{
		{"/tmp/go-build1234/b001/exe/train", "/tmp/go-build1234/b001/exe/train", noTrain, "go run ./cmd/train"},
		{self, "train", onPath, "train"},
		{self, "./train", noTrain, "./train"},
		{self, "/opt/bin/train", noTrain, "/opt/bin/train"},
	} {
		if got := invocationOf(c.exe, c.arg0, c.look); got != c.want {
			t.Errorf("invocationOf(%q, %q) = %q, want %q", c.exe, c.arg0, got, c.want)
		}
	}
}

// The hints printed at the end of a real run work when typed as printed: the binary is built, a
// tiny run trains, and the printed `eval` and `view` commands run and succeed.
func TestPrintedHintsWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and trains a tiny run")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "train")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root, _ := filepath.Abs("../..") // the run reads configs/base/... relative to the repository
	run := filepath.Join(tmp, "run")
	cmd := exec.Command(bin, "--set", "steps=2", "--set", "eval_tasks=20", "--set", "prompts_per_step=4", "--out", run)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	hints := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  (evaluate|report|resume) +(.*)$`).FindAllStringSubmatch(string(out), -1) {
		hints[m[1]] = m[2]
	}
	eval, ok := hints["evaluate"]
	if !ok || !strings.HasPrefix(eval, bin+" eval ") {
		t.Fatalf("no evaluate hint starting with %s in:\n%s", bin, out)
	}
	report := strings.Fields(hints["report"])
	if len(report) == 0 {
		t.Fatalf("no report hint in:\n%s", out)
	}
	if _, err := os.Stat(report[0]); err != nil {
		t.Errorf("report hint names %s: %v", report[0], err)
	}
	for _, line := range []string{eval, bin + " view " + run} {
		args := strings.Fields(line)
		c := exec.Command(args[0], args[1:]...)
		c.Dir = root
		got, err := c.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", line, err, got)
		} else if strings.Contains(line, " eval ") && !strings.Contains(string(got), "accuracy") {
			t.Errorf("%s printed no accuracy:\n%s", line, got)
		}
	}
}
