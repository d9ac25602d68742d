package tensorboard

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// FileVersion is the first event of every file.
const FileVersion = "brain.Event:2"

// Writer appends scalar events to one event file. Each call opens, appends and closes the file,
// so a Writer holds no resources and a crashed run leaves only whole records behind.
type Writer struct {
	Path string
}

// Create makes dir and a new event file events.out.tfevents.<unix seconds>.<host> in it, holding
// the file_version event. A second Create in the same second gets a distinct name (a suffix).
func Create(dir string, now time.Time) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	name := fmt.Sprintf("events.out.tfevents.%d.%s", now.Unix(), host)
	path := filepath.Join(dir, name)
	for i := 1; ; i++ {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
		path = filepath.Join(dir, fmt.Sprintf("%s.%d", name, i))
	}
	w := &Writer{Path: path}
	rec := appendRecord(nil, encodeEvent(wallTime(now), 0, FileVersion, nil))
	if err := os.WriteFile(path, rec, 0o644); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	return w, nil
}

func wallTime(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// WriteScalars appends one event at step holding every finite value of metrics as a simple_value
// scalar with the metric's name as tag (sorted by tag). Non-finite values are left out, as
// metrics.jsonl writes them as null.
func (w *Writer) WriteScalars(step int64, now time.Time, metrics map[string]float64) error {
	tags := make([]string, 0, len(metrics))
	for k, v := range metrics {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			tags = append(tags, k)
		}
	}
	sort.Strings(tags)
	scalars := make([]Scalar, len(tags))
	for i, k := range tags {
		scalars[i] = Scalar{Tag: k, Value: float32(metrics[k])}
	}
	rec := appendRecord(nil, encodeEvent(wallTime(now), step, "", scalars))
	f, err := os.OpenFile(w.Path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("tensorboard: %w", err)
	}
	if _, err := f.Write(rec); err != nil {
		f.Close()
		return fmt.Errorf("tensorboard: %w", err)
	}
	return f.Close()
}
