package report

import (
	"fmt"
	"net/http"
	"path/filepath"
)

// Handler serves one page overlaying runDirs at "/", and each run's rollout scripts under
// /run/<i>/. The run folders are read when the handler is made; reload the command to see new
// steps of runs still training.
func Handler(runDirs []string) (http.Handler, error) {
	runs, err := loadRuns(runDirs)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for i, r := range runs {
		prefix := fmt.Sprintf("/run/%d/", i)
		r.StepURL = prefix
		mux.Handle(prefix, http.StripPrefix(prefix, http.FileServer(http.Dir(filepath.Join(r.Dir, StepDir)))))
	}
	page, err := renderPage(viewTitle(runs), runs)
	if err != nil {
		return nil, err
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	return mux, nil
}
