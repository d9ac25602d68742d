package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
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

	pageTemplate = template.Must(template.New("page").Parse(pageHTML))
)

// WriteRun writes runDir/report.html and the rollout scripts of steps that have none yet. A
// training run calls it at each evaluation and at the end.
func WriteRun(runDir string) error {
	r, err := loadRun(runDir)
	if err != nil {
		return err
	}
	if r.Steps, err = syncStepScripts(runDir); err != nil {
		return fmt.Errorf("report: rollouts of %s: %w", runDir, err)
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

// pageData fills assets/page.html.
type pageData struct {
	Title   string   // HTML-escaped by the template
	CSS, JS string   // the embedded assets
	Runs    string   // JSON of the runs (without metrics), made safe for a <script> element
	Metrics []string // metrics.jsonl of each run, made safe for a <script> element
}

// renderPage builds the page's bytes.
func renderPage(title string, runs []*runData) ([]byte, error) {
	meta, err := json.Marshal(runs)
	if err != nil {
		return nil, err
	}
	d := pageData{Title: title, CSS: pageCSS, JS: pageJS, Runs: string(embedScriptText(meta))}
	for _, r := range runs {
		d.Metrics = append(d.Metrics, string(embedScriptText(r.metrics)))
	}
	var b bytes.Buffer
	b.Grow(len(pageJS) + len(pageCSS) + len(meta) + 64<<10)
	if err := pageTemplate.Execute(&b, d); err != nil {
		return nil, err
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
