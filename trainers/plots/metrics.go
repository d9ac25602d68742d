package plots

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
)

// series is one metric over steps; a step where the metric is absent, null or non-finite is a gap.
type series struct {
	steps  []float64
	values []float64 // NaN marks a gap
}

// table is metrics.jsonl by step: a later line for the same step wins (a resumed run may repeat a
// step); keys lists every numeric key seen.
type table struct {
	steps []float64
	rows  []map[string]any
	keys  []string
}

// loadTable reads metrics.jsonl (one JSON object per step, with a numeric "step"). An unfinished
// last line (a run killed mid-write) is ignored.
func loadTable(path string) (*table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	byStep := map[float64]map[string]any{}
	keys := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			if isLastLine(data, lineNo) && !bytes.HasSuffix(data, []byte("\n")) {
				break
			}
			return nil, fmt.Errorf("%s line %d is not a JSON object: %v", path, lineNo, err)
		}
		step, ok := rec["step"].(float64)
		if !ok {
			return nil, fmt.Errorf("%s line %d has no numeric \"step\"", path, lineNo)
		}
		byStep[step] = rec
		for k, v := range rec {
			if _, num := v.(float64); num && k != "step" {
				keys[k] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	t := &table{keys: sortedKeys(keys)}
	for s := range byStep {
		t.steps = append(t.steps, s)
	}
	sort.Float64s(t.steps)
	for _, s := range t.steps {
		t.rows = append(t.rows, byStep[s])
	}
	return t, nil
}

// series is one key over the table's steps; absent, null or infinite values are gaps (NaN).
func (t *table) series(key string) series {
	var s series
	for i, step := range t.steps {
		v, ok := t.rows[i][key].(float64)
		if !ok || math.IsInf(v, 0) {
			v = math.NaN()
		}
		s.steps = append(s.steps, step)
		s.values = append(s.values, v)
	}
	return s
}

// readMetrics returns the requested keys of metrics.jsonl as series ordered by step.
func readMetrics(path string, keys ...string) (map[string]series, error) {
	t, err := loadTable(path)
	if err != nil {
		return nil, err
	}
	out := map[string]series{}
	for _, key := range keys {
		out[key] = t.series(key)
	}
	return out, nil
}

func isLastLine(data []byte, lineNo int) bool {
	return bytes.Count(bytes.TrimRight(data, "\n"), []byte("\n"))+1 == lineNo
}

// segments splits a series at its gaps into runs of consecutive present points.
func (s series) segments() [][2][]float64 {
	var out [][2][]float64
	var xs, ys []float64
	flush := func() {
		if len(xs) > 0 {
			out = append(out, [2][]float64{xs, ys})
		}
		xs, ys = nil, nil
	}
	for i, v := range s.values {
		if math.IsNaN(v) {
			flush()
			continue
		}
		xs = append(xs, s.steps[i])
		ys = append(ys, v)
	}
	flush()
	return out
}

// present drops the gaps: for sparse series such as periodic evaluations.
func (s series) present() (xs, ys []float64) {
	for i, v := range s.values {
		if !math.IsNaN(v) {
			xs = append(xs, s.steps[i])
			ys = append(ys, v)
		}
	}
	return xs, ys
}
