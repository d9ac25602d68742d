package envs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// LoadIssue is a dataset record that could not be used.
type LoadIssue struct {
	File   string
	Line   int // line in a JSONL file, row (from 1) in a Parquet file
	Reason string
}

func (i LoadIssue) Error() string { return fmt.Sprintf("%s:%d: %s", i.File, i.Line, i.Reason) }

// IssueReporter is implemented by envs that skipped bad input records while loading; trainers
// report the count and the first few.
type IssueReporter interface {
	// Skipped lists the skipped records; nil means the env read no dataset at all.
	Skipped() []LoadIssue
}

// Columns names the dataset fields.
type Columns struct {
	Prompt, Answer, ID, DataSource, Solution string
}

// defaultColumns are the Hugging Face math dataset names.
var defaultColumns = Columns{Prompt: "prompt", Answer: "answer", ID: "id", DataSource: "data_source", Solution: "solution"}

// record is one usable dataset row.
type record struct {
	line                                     int
	prompt, answer, id, dataSource, solution string
}

// loadResult collects the records of one file and the rows that were skipped.
type loadResult struct {
	records []record
	issues  []LoadIssue
}

// errStop is returned when a bad row is met and skipping is off.
func stopAt(issue LoadIssue) error {
	return fmt.Errorf("%w (set on_error: skip to skip bad rows)", issue)
}

// loadDataset reads a JSONL (.jsonl, .json) or Parquet (.parquet) file by its extension, or by
// format when it is not "auto".
func loadDataset(path, format string, cols Columns, skip bool) (res loadResult, err error) {
	if format == "auto" {
		switch {
		case strings.HasSuffix(path, ".parquet"):
			format = "parquet"
		case strings.HasSuffix(path, ".jsonl"), strings.HasSuffix(path, ".json"), strings.HasSuffix(path, ".ndjson"):
			format = "jsonl"
		default:
			return res, fmt.Errorf("cannot tell the format of %s from its extension; set format: jsonl or parquet", path)
		}
	}
	switch format {
	case "jsonl":
		return loadJSONL(path, cols, skip)
	case "parquet":
		return loadParquet(path, cols, skip)
	}
	return res, fmt.Errorf("unknown format %q; valid formats: auto, jsonl, parquet", format)
}

// loadJSONL reads one JSON object per line; blank lines are ignored. A required column that no
// object in the file has is a file-level error (missingColumn, as for Parquet), not one skipped
// row per line; otherwise a bad line is skipped (skip) or stops the load at the first one.
func loadJSONL(path string, cols Columns, skip bool) (loadResult, error) {
	var res loadResult
	f, err := os.Open(path)
	if err != nil {
		return res, fmt.Errorf("open dataset: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	seen := map[string]bool{} // columns of any object in the file
	objects := 0
	for line := 1; ; line++ {
		text, readErr := r.ReadBytes('\n')
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return res, fmt.Errorf("%s:%d: read: %w", path, line, readErr)
		}
		if len(bytes.TrimSpace(text)) > 0 {
			rec, reason, keys := parseJSONLine(text, cols)
			if keys != nil {
				objects++
				for _, k := range keys {
					seen[k] = true
				}
			}
			if reason == "" {
				rec.line = line
				res.records = append(res.records, rec)
			} else {
				res.issues = append(res.issues, LoadIssue{File: path, Line: line, Reason: reason})
			}
		}
		if readErr != nil {
			break
		}
	}
	if objects > 0 {
		found := slices.Sorted(maps.Keys(seen))
		for _, c := range requiredColumns(cols) {
			if !seen[c.name] {
				return loadResult{}, missingColumn(path, c, found)
			}
		}
	}
	if !skip && len(res.issues) > 0 {
		return loadResult{}, stopAt(res.issues[0])
	}
	return res, nil
}

// requiredColumn is a column every row needs, with the env_args key that renames it.
type requiredColumn struct{ name, key string }

func requiredColumns(cols Columns) []requiredColumn {
	return []requiredColumn{{cols.Prompt, "prompt_column"}, {cols.Answer, "answer_column"}}
}

// missingColumn is the error for a required column that a file lacks altogether; JSONL and
// Parquet files give the same one. found lists the file's columns (sorted).
func missingColumn(path string, c requiredColumn, found []string) error {
	return fmt.Errorf("%s: missing column %q (columns: %s); set env_args.%s to the column that holds it",
		path, c.name, strings.Join(found, ", "), c.key)
}

// parseJSONLine decodes one line; a non-empty reason says why it is unusable. keys lists the
// object's columns (nil when the line is not a JSON object).
func parseJSONLine(text []byte, cols Columns) (rec record, reason string, keys []string) {
	rec, reason, row := parseJSONObject(text, cols)
	if row != nil {
		keys = make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
	}
	return rec, reason, keys
}

// parseJSONObject decodes one line into rec and returns the decoded object (nil if it is none).
func parseJSONObject(text []byte, cols Columns) (rec record, reason string, row map[string]any) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&row); err != nil {
		return rec, "bad JSON: " + err.Error(), nil
	}
	if dec.More() {
		return rec, "bad JSON: more than one value on the line", nil
	}
	if row == nil {
		return rec, "bad JSON: the line is null, not an object", nil
	}
	rec, reason = recordOf(row, cols)
	return rec, reason, row
}

// recordOf reads the configured columns of one decoded object.
func recordOf(row map[string]any, cols Columns) (rec record, reason string) {
	var ok bool
	if rec.prompt, reason, ok = jsonField(row, cols.Prompt, true, false); !ok {
		return rec, reason
	}
	if rec.answer, reason, ok = jsonField(row, cols.Answer, true, true); !ok {
		return rec, reason
	}
	if rec.id, reason, ok = jsonField(row, cols.ID, false, true); !ok {
		return rec, reason
	}
	if rec.dataSource, reason, ok = jsonField(row, cols.DataSource, false, false); !ok {
		return rec, reason
	}
	if rec.solution, reason, ok = jsonField(row, cols.Solution, false, false); !ok {
		return rec, reason
	}
	return rec, ""
}

// jsonField reads a string column (numbers too when numeric is set, written as in the file).
func jsonField(row map[string]any, name string, required, numeric bool) (string, string, bool) {
	v, present := row[name]
	if !present || v == nil {
		if required {
			return "", fmt.Sprintf("missing column %q", name), false
		}
		return "", "", true
	}
	switch x := v.(type) {
	case string:
		if required && strings.TrimSpace(x) == "" {
			return "", fmt.Sprintf("column %q is empty", name), false
		}
		return x, "", true
	case json.Number:
		if numeric {
			return x.String(), "", true
		}
	}
	want := "a string"
	if numeric {
		want = "a string or a number"
	}
	return "", fmt.Sprintf("column %q must be %s, got %s", name, want, jsonType(v)), false
}

func jsonType(v any) string {
	switch v.(type) {
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// loadParquet reads the file as an Arrow table. A missing or ill-typed column makes the whole
// file unusable (an error naming the column); a null in a required column skips that row.
func loadParquet(path string, cols Columns, skip bool) (res loadResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: the Parquet reader failed (corrupt file?): %v", path, p)
		}
	}()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return res, fmt.Errorf("open Parquet dataset %s: %w", path, err)
	}
	defer pf.Close()
	reader, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return res, fmt.Errorf("read Parquet dataset %s: %w", path, err)
	}
	table, err := reader.ReadTable(context.Background())
	if err != nil {
		return res, fmt.Errorf("read Parquet dataset %s: %w", path, err)
	}
	defer table.Release()

	type column struct {
		name     string
		required bool
		numeric  bool
		values   []string
		valid    []bool
	}
	columns := []*column{
		{name: cols.Prompt, required: true},
		{name: cols.Answer, required: true, numeric: true},
		{name: cols.ID, numeric: true},
		{name: cols.DataSource},
		{name: cols.Solution},
	}
	rows := int(table.NumRows())
	for i, c := range columns {
		idx := table.Schema().FieldIndices(c.name)
		if len(idx) == 0 {
			if c.required {
				return res, missingColumn(path, requiredColumns(cols)[i], fieldNames(table.Schema()))
			}
			continue
		}
		c.values, c.valid, err = readStringColumn(table.Column(idx[0]), c.numeric)
		if err != nil {
			return res, fmt.Errorf("%s: column %q: %w", path, c.name, err)
		}
	}
	for row := 0; row < rows; row++ {
		reason := ""
		for _, c := range columns[:2] {
			if !c.valid[row] {
				reason = fmt.Sprintf("column %q is null", c.name)
				break
			}
			if strings.TrimSpace(c.values[row]) == "" {
				reason = fmt.Sprintf("column %q is empty", c.name)
				break
			}
		}
		if reason != "" {
			issue := LoadIssue{File: path, Line: row + 1, Reason: reason}
			if !skip {
				return res, stopAt(issue)
			}
			res.issues = append(res.issues, issue)
			continue
		}
		value := func(c *column) string {
			if c.values == nil || !c.valid[row] {
				return ""
			}
			return c.values[row]
		}
		res.records = append(res.records, record{
			line: row + 1, prompt: value(columns[0]), answer: value(columns[1]),
			id: value(columns[2]), dataSource: value(columns[3]), solution: value(columns[4]),
		})
	}
	return res, nil
}

// readStringColumn flattens a chunked column of strings (or integers and floats when numeric).
func readStringColumn(col *arrow.Column, numeric bool) (values []string, valid []bool, err error) {
	for _, chunk := range col.Data().Chunks() {
		for i := 0; i < chunk.Len(); i++ {
			if chunk.IsNull(i) {
				values, valid = append(values, ""), append(valid, false)
				continue
			}
			var s string
			switch a := chunk.(type) {
			case *array.String:
				s = a.Value(i)
			case *array.LargeString:
				s = a.Value(i)
			case *array.Int64:
				if !numeric {
					return nil, nil, fmt.Errorf("must be a string column, got %s", col.DataType())
				}
				s = fmt.Sprint(a.Value(i))
			case *array.Int32:
				if !numeric {
					return nil, nil, fmt.Errorf("must be a string column, got %s", col.DataType())
				}
				s = fmt.Sprint(a.Value(i))
			case *array.Float64:
				if !numeric {
					return nil, nil, fmt.Errorf("must be a string column, got %s", col.DataType())
				}
				s = fmt.Sprint(a.Value(i))
			default:
				return nil, nil, fmt.Errorf("must be a string column, got %s", col.DataType())
			}
			values, valid = append(values, s), append(valid, true)
		}
	}
	return values, valid, nil
}

// fieldNames lists a schema's column names, sorted.
func fieldNames(s *arrow.Schema) []string {
	names := make([]string, 0, s.NumFields())
	for _, f := range s.Fields() {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}
