package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// FileName is the report page in a run folder.
const FileName = "report.html"

var (
	//go:embed assets/page.html
	pageHTML string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
)

// WritePage writes runDir/report.html alone. A training run calls it at each evaluation and at
// the end; it appends each step's rollouts to their script as the step is stored (StepWriter), so the
// page offers every step of metrics.jsonl without listing any folder (an sft run samples nothing
// and offers none).
func WritePage(runDir string) error {
	r, err := loadRun(runDir)
	if err != nil {
		return err
	}
	r.StepURL = StepDir + "/"
	if algo, _ := r.Config["algo"].(string); algo == "sft" {
		r.Steps = []int{}
	}
	return writePage(filepath.Join(runDir, FileName), r.Name, []*runData{r})
}

// WriteRun writes runDir/report.html and the rollout scripts of steps that have none yet, decoded
// from the Arrow step files (`train view` of a run).
func WriteRun(runDir string) error {
	r, err := loadRun(runDir)
	if err != nil {
		return err
	}
	if r.Steps, err = syncStepScripts(runDir); err != nil {
		return fmt.Errorf("report: rollouts of %s: %w", runDir, err)
	}
	if err := ensureMetricsScript(runDir); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	r.StepURL = StepDir + "/"
	return writePage(filepath.Join(runDir, FileName), r.Name, []*runData{r})
}

// WriteView writes one page at out that overlays several runs (a sweep, an ablation). Each run's
// rollout scripts are written into its own folder and referenced relative to out, so the page and
// the run folders must stay where they are relative to each other.
func WriteView(out string, runDirs []string) error {
	runs, err := loadRuns(runDirs)
	if err != nil {
		return err
	}
	outDir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return err
	}
	for _, r := range runs {
		abs, err := filepath.Abs(filepath.Join(r.Dir, StepDir))
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(outDir, abs)
		if err != nil {
			rel = abs
		}
		r.StepURL = filepath.ToSlash(rel) + "/"
	}
	return writePage(out, viewTitle(runs), runs)
}

// loadRuns reads each run folder and brings its rollout scripts up to date.
func loadRuns(runDirs []string) ([]*runData, error) {
	if len(runDirs) == 0 {
		return nil, fmt.Errorf("report: no run folders given")
	}
	var runs []*runData
	seen := map[string]int{}
	for _, dir := range runDirs {
		r, err := loadRun(dir)
		if err != nil {
			return nil, err
		}
		if r.Steps, err = syncStepScripts(dir); err != nil {
			return nil, fmt.Errorf("report: rollouts of %s: %w", dir, err)
		}
		if err := ensureMetricsScript(dir); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if n := seen[r.Name]; n > 0 { // two runs/x folders: keep legend names distinct
			r.Name = fmt.Sprintf("%s (%d)", r.Name, n+1)
		}
		seen[filepath.Base(filepath.Clean(dir))]++
		runs = append(runs, r)
	}
	return runs, nil
}

func viewTitle(runs []*runData) string {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Name
	}
	return strings.Join(names, " vs ")
}

// pageParts is assets/page.html split at its {{NAME}} slots: text, slot, text, slot, ...
var pageParts = regexp.MustCompile(`\{\{(TITLE|CSS|DATA|JS)\}\}`).Split(pageHTML, -1)
var pageSlots = regexp.MustCompile(`\{\{(TITLE|CSS|DATA|JS)\}\}`).FindAllStringSubmatch(pageHTML, -1)

// renderPage builds the page's bytes: the title (HTML-escaped), the embedded CSS and JavaScript,
// a script element per run that loads its report/metrics.js, and the runs' description as JSON in
// a <script> element of a non-JavaScript type, made safe for it (embedScriptText).
func renderPage(title string, runs []*runData) ([]byte, error) {
	meta, err := json.Marshal(runs)
	if err != nil {
		return nil, err
	}
	b := bytes.NewBuffer(make([]byte, 0, len(pageHTML)+len(pageCSS)+len(pageJS)+len(meta)+256*len(runs)))
	for i, part := range pageParts {
		b.WriteString(part)
		if i >= len(pageSlots) {
			break
		}
		switch pageSlots[i][1] {
		case "TITLE":
			b.WriteString(html.EscapeString(title))
		case "CSS":
			b.WriteString(pageCSS)
		case "JS":
			b.WriteString(pageJS)
		case "DATA":
			// Each run's metrics script calls gritMetrics once per step; data-run says whose.
			b.WriteString("<script>var gritRows = [];\nfunction gritMetrics(m) { var r = +document.currentScript.getAttribute(\"data-run\"); (gritRows[r] = gritRows[r] || []).push(m); }</script>\n")
			for j, r := range runs {
				fmt.Fprintf(b, "<script src=\"%s\" data-run=\"%d\"></script>\n", html.EscapeString(r.StepURL+MetricsFile), j)
			}
			b.WriteString(`<script type="application/json" id="grit-runs">`)
			b.Write(embedScriptText(meta))
			b.WriteString("</script>")
		}
	}
	return b.Bytes(), nil
}

// writePage renders the page and replaces path atomically (a browser reloading mid-write never
// sees half a page).
func writePage(path, title string, runs []*runData) error {
	page, err := renderPage(title, runs)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, page, 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
