package trainers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// Metrics is one line of metrics.jsonl. Keys are flat; timing fields end in _s or _per_s so that
// reproducibility checks can ignore them.
type Metrics map[string]float64

// MarshalJSON writes keys sorted (stable files that diff cleanly), "step" first, and non-finite
// values as null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "step" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if _, ok := m[keyStep]; ok {
		keys = append([]string{"step"}, keys...)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		v := m[k]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteString("null")
			continue
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// IsTimingKey reports whether a metric is a timing field (excluded from reproducibility checks).
func IsTimingKey(k string) bool { return strings.HasSuffix(k, "_s") || strings.HasSuffix(k, "_per_s") }

// appendMetrics appends one line to path and syncs it, so a crash loses nothing already logged.
func appendMetrics(path string, m Metrics) error {
	line, err := json.Marshal(m)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// truncateMetrics keeps only the lines of completed steps 1..done, so a resumed run continues the
// file exactly where its checkpoint left off: a crash may have logged steps after the last
// checkpoint, and a kill during a write leaves a last line without its newline, which is dropped
// too. It returns the number of lines dropped.
func truncateMetrics(path string, done int) (dropped int, err error) {
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	torn := len(raw) > 0 && raw[len(raw)-1] != '\n'
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
	if len(raw) == 0 {
		lines = nil
	}
	var keep bytes.Buffer
	for i, line := range lines {
		var m struct {
			Step *float64 `json:"step"`
		}
		if err := json.Unmarshal(line, &m); err != nil || m.Step == nil {
			if torn && i == len(lines)-1 {
				dropped++ // cut short by a kill while it was written
				continue
			}
			return 0, fmt.Errorf("%s line %d: not a metrics line (%v); fix or remove it before resuming", path, i+1, err)
		}
		if int(*m.Step) > done {
			dropped++
			continue
		}
		keep.Write(line)
		keep.WriteByte('\n')
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, keep.Bytes(), 0o644); err != nil {
		return 0, err
	}
	return dropped, os.Rename(tmp, path)
}
