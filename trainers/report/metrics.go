package report

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
)

// MetricsFile is the script, in StepDir, that holds metrics.jsonl for the page: one
// `gritMetrics({...});` call per line of metrics.jsonl, so that the page reads the curves from
// file:// and a training run appends one line per step instead of rewriting the page's data.
const MetricsFile = "metrics.js"

// MetricsWriter appends a run's metrics lines to report/metrics.js.
type MetricsWriter struct {
	f *os.File
}

// OpenMetrics rebuilds runDir/report/metrics.js from metrics.jsonl as it stands (a resumed run
// has just cut metrics.jsonl back to its checkpoint) and keeps it open for Append.
func OpenMetrics(runDir string) (*MetricsWriter, error) {
	dir := filepath.Join(runDir, StepDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	body, err := metricsScript(runDir)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return nil, err
	}
	return &MetricsWriter{f: f}, nil
}

// Append adds one metrics.jsonl line (a JSON object, without the newline).
func (w *MetricsWriter) Append(line []byte) error {
	b := make([]byte, 0, len(line)+16)
	b = append(b, "gritMetrics("...)
	b = append(b, line...)
	b = append(b, ");\n"...)
	_, err := w.f.Write(b)
	return err
}

// Close closes the file.
func (w *MetricsWriter) Close() error { return w.f.Close() }

// metricsScript wraps every complete line of runDir/metrics.jsonl in a gritMetrics call. An
// unfinished last line (a run killed mid-write) is left out.
func metricsScript(runDir string) ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join(runDir, "metrics.jsonl"))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(raw) + len(raw)/8)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' || line[len(line)-1] != '}' {
			continue
		}
		b.WriteString("gritMetrics(")
		b.Write(line)
		b.WriteString(");\n")
	}
	return b.Bytes(), sc.Err()
}

// ensureMetricsScript writes report/metrics.js when it is missing (a run from before the report, or
// one whose folder was copied without it). An existing one is left alone: a training run may be
// appending to it.
func ensureMetricsScript(runDir string) error {
	path := filepath.Join(runDir, StepDir, MetricsFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	body, err := metricsScript(runDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, body, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
