package trainers

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl/store"
	"grit/trainers/report/headless"
)

// viewsRun trains a tiny run once per test binary and returns its folder and log.
func viewsRun(t *testing.T) (dir, log string, cfg Config) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains a tiny run")
	}
	cfg = tinyRunConfig()
	cfg.Steps = 4
	cfg.LogCompletionsEvery = 2
	dir = filepath.Join(t.TempDir(), "run")
	var b bytes.Buffer
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir, Log: &b}); err != nil {
		t.Fatal(err)
	}
	return dir, b.String(), cfg
}

// countTFRecords walks the TFRecord framing (length, 4-byte CRC, data, 4-byte CRC).
func countTFRecords(t *testing.T, raw []byte) int {
	n := 0
	for off := 0; off < len(raw); n++ {
		if len(raw)-off < 12 {
			t.Fatalf("truncated record header at %d", off)
		}
		off += 12 + int(binary.LittleEndian.Uint64(raw[off:])) + 4
		if off > len(raw) {
			t.Fatalf("record %d runs past the end", n)
		}
	}
	return n
}

func TestRunWritesViews(t *testing.T) {
	dir, log, cfg := viewsRun(t)
	// TensorBoard: one file, the file_version event plus one event per step.
	files, _ := filepath.Glob(filepath.Join(dir, "tb", "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("tb/ holds %v, want one event file", files)
	}
	raw, _ := os.ReadFile(files[0])
	if got := countTFRecords(t, raw); got != 1+cfg.Steps {
		t.Errorf("%d records in %s, want %d", got, files[0], 1+cfg.Steps)
	}
	if !bytes.Contains(raw, []byte("eval_accuracy")) || !bytes.Contains(raw, []byte("reward/correct_mean")) {
		t.Error("event file lacks metrics.jsonl's tags eval_accuracy / reward/correct_mean")
	}
	// Console: completions at steps 2 and 4, three lines each.
	for _, step := range []string{"2", "4"} {
		head := "completions at step " + step + " of 4:\n"
		i := strings.Index(log, head)
		if i < 0 {
			t.Fatalf("log lacks %q:\n%s", head, log)
		}
		lines := strings.SplitN(log[i+len(head):], "\n", 4)
		for _, l := range lines[:3] {
			if !regexp.MustCompile(`^  [✓✗] (\d\.\d{3}|  —  ) \[correct=\S+\] \d\+\d= → `).MatchString(l) {
				t.Errorf("completion line %q is not 'verdict reward [components] prompt → completion'", l)
			}
		}
	}
	// report.html and one rollout script per step.
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Fatal(err)
	}
	scripts, err := os.ReadFile(filepath.Join(dir, "report", "steps-000000.js"))
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= cfg.Steps; s++ { // steps are numbered from 1
		if !bytes.Contains(scripts, []byte(`gritStep({"step":`+strconv.Itoa(s)+`,`)) {
			t.Errorf("report/steps-000000.js lacks step %d", s)
		}
	}
}

// The report of a real run, loaded by headless Chromium from file://: the curves have one point per
// logged step (held-out accuracy: the base point plus one per eval), and the rollout browser shows a
// completion read independently from the run's last Arrow step file.
func TestReportInHeadlessChromium(t *testing.T) {
	dir, _, cfg := viewsRun(t)
	br, err := headless.New(t.TempDir())
	if errors.Is(err, headless.ErrNoBrowser) {
		t.Skip(err)
	}
	url, err := headless.FileURL(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	dom, err := br.DumpDOM(url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	evals := cfg.Steps / cfg.EvalEvery
	for series, want := range map[string]int{
		"0:reward_mean":         cfg.Steps,
		"0:accuracy":            cfg.Steps,
		"0:kl":                  cfg.Steps,
		"0:entropy":             cfg.Steps,
		"0:completion_len_mean": cfg.Steps,
		"0:eval_accuracy":       1 + evals,
		"0:update_s":            cfg.Steps,
	} {
		if got := polylinePoints(t, dom, series); got != want {
			t.Errorf("curve %s has %d points, want %d", series, got, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "rollouts", "step-*.arrow"))
	if len(files) != cfg.Steps {
		t.Fatalf("%d rollout files, want %d", len(files), cfg.Steps)
	}
	rec, err := store.ReadStepFile(memory.DefaultAllocator, files[len(files)-1]) // the page shows the last step first
	if err != nil {
		t.Fatal(err)
	}
	_, samples, err := store.RecordSamples(rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	s := samples[len(samples)-1]
	row := regexp.MustCompile(`(?s)<tr data-sample="` + strconv.Itoa(s.Group) + ":" + strconv.Itoa(s.Index) + `">(.*?)</tr>`).FindStringSubmatch(dom)
	if row == nil {
		t.Fatalf("the rollout browser shows no row for group %d sample %d of step %d", s.Group, s.Index, s.Step)
	}
	if want := `data-text="` + html.EscapeString(s.Turns[0].Text) + `"`; !strings.Contains(row[1], want) {
		t.Errorf("row of group %d sample %d lacks the completion %q", s.Group, s.Index, s.Turns[0].Text)
	}
	if !strings.Contains(dom, "showing "+strconv.Itoa(len(samples))+" of "+strconv.Itoa(len(samples))+" samples") {
		t.Errorf("rollout status does not count the step's %d samples", len(samples))
	}
	shot := filepath.Join(headless.ArtifactDir(t.TempDir()), "report-tiny-run.png")
	if err := br.Screenshot(url, shot, 1280, 2000, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
}

// polylinePoints counts the x,y pairs of the polyline drawn for series ("run:key").
func polylinePoints(t *testing.T, dom, series string) int {
	t.Helper()
	m := regexp.MustCompile(`<polyline[^>]*data-series="` + regexp.QuoteMeta(series) + `"[^>]*points="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Errorf("no curve %s in the page", series)
		return -1
	}
	return len(strings.Fields(m[1]))
}
