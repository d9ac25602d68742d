package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func viewRunFolder(t *testing.T, name string) string {
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte("{\"step\":0,\"accuracy\":0.5}\n{\"step\":1,\"accuracy\":0.75}\n"), 0o644)
	return dir
}

func TestViewWritesPages(t *testing.T) {
	one := viewRunFolder(t, "a")
	a, _, out, errOut := newTestApp(t)
	if code := a.execute([]string{"view", one}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page, err := os.ReadFile(filepath.Join(one, "report.html"))
	metrics, _ := os.ReadFile(filepath.Join(one, "report", "metrics.js"))
	if err != nil || !strings.Contains(string(page), `src="report/metrics.js"`) || !strings.Contains(string(metrics), `"accuracy":0.75`) || !strings.Contains(out.String(), "report.html") {
		t.Fatalf("one run: page %d bytes (%v), metrics.js %q, stdout %q", len(page), err, metrics, out)
	}

	two := viewRunFolder(t, "b")
	sweep := filepath.Join(t.TempDir(), "sweep.html")
	a, _, _, errOut = newTestApp(t)
	if code := a.execute([]string{"view", one, two, "--out", sweep}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page, err = os.ReadFile(sweep)
	if err != nil || !strings.Contains(string(page), `"name":"a"`) || !strings.Contains(string(page), `"name":"b"`) {
		t.Fatalf("two runs: %v, page lacks a run", err)
	}
}

func TestViewRejectsNonRuns(t *testing.T) {
	for _, args := range [][]string{{"view"}, {"view", t.TempDir()}} {
		a, _, _, errOut := newTestApp(t)
		if code := a.execute(args); code != exitConfigError || !strings.Contains(errOut.String(), "run folder") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a word on run folders", args, code, errOut)
		}
	}
}
