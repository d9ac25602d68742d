package envs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const mixedJSONL = `{"prompt": "What is 2+2?", "answer": "4", "id": "q1", "data_source": "toy"}
{"prompt": "Natalia sold 48 clips, then half as many. Total?", "answer": "48/2 = 24\n#### 72"}

{"prompt": "bad json", "answer": }
{"answer": "5"}
{"prompt": 7, "answer": "7"}
{"prompt": "numeric answer", "answer": 1234}
{"prompt": "object answer", "answer": {"x": 1}}
{"prompt": "What is half?", "answer": "\\frac{1}{2}", "solution": "It is \\boxed{\\frac{1}{2}}"}
null
`

func TestDatasetJSONLSkipsBadLinesWithLineNumbers(t *testing.T) {
	path := writeFile(t, t.TempDir(), "train.jsonl", mixedJSONL)
	env := mustEnv(t, "dataset", Params{"path": path, "held_out_fraction": 0})
	d := env.(*Dataset)
	skipped := d.Skipped()
	wantLines := map[int]string{4: "bad JSON", 5: `missing column "prompt"`, 6: `"prompt" must be a string, got a number`,
		8: `"answer" must be a string or a number, got an object`, 10: "null"}
	if len(skipped) != len(wantLines) {
		t.Fatalf("skipped %v, want lines %v", skipped, wantLines)
	}
	for _, issue := range skipped {
		if issue.File != path || !strings.Contains(issue.Reason, wantLines[issue.Line]) {
			t.Errorf("issue %v: want line %d to say %q", issue, issue.Line, wantLines[issue.Line])
		}
	}
	tasks := d.train
	if len(tasks) != 4 {
		t.Fatalf("got %d tasks, want 4: %+v", len(tasks), tasks)
	}
	byPrompt := map[string]Task{}
	for _, task := range tasks {
		byPrompt[task.Prompt] = task
	}
	if q := byPrompt["What is 2+2?"]; q.ID != "q1" || q.Meta["data_source"] != "toy" || q.Answer != "4" {
		t.Errorf("first row read as %+v", q)
	}
	if g := byPrompt["Natalia sold 48 clips, then half as many. Total?"]; g.Answer != "72" || g.ID != path+":2" {
		t.Errorf("GSM8K answer should be reduced to 72 with a file:line ID: %+v", g)
	}
	if n := byPrompt["numeric answer"]; n.Answer != "1234" {
		t.Errorf("numeric answer read as %q", n.Answer)
	}
	half := byPrompt["What is half?"]
	if half.Solution == "" {
		t.Error("solution column not read")
	}
	for completion, want := range map[string]bool{`so \boxed{0.5}`: true, "<answer>1/2</answer>": true, "Answer: 0.5001": false, "": false} {
		if got := play(t, env, half, completion).Reward.Correct; got != want {
			t.Errorf("completion %q: correct %v, want %v", completion, got, want)
		}
	}
	if got := play(t, env, byPrompt["numeric answer"], "#### 1,234").Reward.Correct; !got {
		t.Error("1,234 should equal 1234")
	}
}

func TestDatasetStopOnError(t *testing.T) {
	path := writeFile(t, t.TempDir(), "train.jsonl", mixedJSONL)
	_, err := New("dataset", Params{"path": path, "on_error": "stop"})
	if err == nil || !strings.Contains(err.Error(), path+":4:") || !strings.Contains(err.Error(), "bad JSON") {
		t.Errorf("stop should fail at the first bad line with file:line: %v", err)
	}
}

func TestDatasetErrors(t *testing.T) {
	dir := t.TempDir()
	allBad := writeFile(t, dir, "bad.jsonl", "{\n[1]\n")
	cases := []struct {
		p    Params
		want string
	}{
		{Params{}, `"path": is required`},
		{Params{"path": filepath.Join(dir, "missing.jsonl")}, "no such file"},
		{Params{"path": allBad}, "no usable training rows (2 skipped"},
		{Params{"path": allBad, "on_error": "ignore"}, "skip or stop"},
		{Params{"path": writeFile(t, dir, "x.csv", "a,b\n")}, "set format"},
		{Params{"path": allBad, "promt_column": "q"}, "valid params:"},
	}
	for _, c := range cases {
		if _, err := New("dataset", c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %v: error %v should contain %q", c.p, err, c.want)
		}
	}
}

func TestDatasetSplits(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 400 {
		b.WriteString(`{"prompt": "p` + strings.Repeat("x", i%7) + string(rune('A'+i%26)) + `-` + strconv.Itoa(i) + `", "answer": "` + strconv.Itoa(i) + "\"}\n")
	}
	path := writeFile(t, dir, "all.jsonl", b.String())
	env := mustEnv(t, "dataset", Params{"path": path, "held_out_fraction": 0.25, "split_seed": 3})
	d := env.(*Dataset)
	if n := len(d.heldOut); n < 70 || n > 130 {
		t.Errorf("held out %d of 400 at fraction 0.25", n)
	}
	held := map[string]bool{}
	for _, task := range d.HeldOut() {
		held[task.Prompt] = true
	}
	for _, task := range d.train {
		if held[task.Prompt] {
			t.Fatalf("task %q is in both splits", task.Prompt)
		}
	}
	if len(d.train)+len(d.heldOut) != 400 {
		t.Errorf("splits lost rows: %d + %d", len(d.train), len(d.heldOut))
	}
	// a separate held-out file: its prompts never train, even if the training file has them
	heldPath := writeFile(t, dir, "held.jsonl", `{"prompt": "p`+string(rune('A'))+`-0", "answer": "0"}`+"\n")
	env2 := mustEnv(t, "dataset", Params{"path": path, "held_out_path": heldPath})
	d2 := env2.(*Dataset)
	if len(d2.HeldOut()) != 1 || len(d2.train) != 399 {
		t.Errorf("held-out file: %d held out, %d train; want 1 and 399", len(d2.HeldOut()), len(d2.train))
	}
}

// writeParquet writes columns of equal length; a nil entry in a string column is a null.
func writeParquet(t *testing.T, path string, fields []arrow.Field, columns ...[]any) {
	t.Helper()
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema(fields, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	for c, values := range columns {
		for _, v := range values {
			switch b := rb.Field(c).(type) {
			case *array.StringBuilder:
				if v == nil {
					b.AppendNull()
				} else {
					b.Append(v.(string))
				}
			case *array.Int64Builder:
				b.Append(v.(int64))
			}
		}
	}
	rec := rb.NewRecord()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDatasetParquet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "train.parquet")
	writeParquet(t, path,
		[]arrow.Field{{Name: "prompt", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "answer", Type: arrow.PrimitiveTypes.Int64}, {Name: "data_source", Type: arrow.BinaryTypes.String, Nullable: true}},
		[]any{"1+1=", nil, "2*3=", ""},
		[]any{int64(2), int64(5), int64(6), int64(0)},
		[]any{"toy", "toy", nil, "toy"},
	)
	env := mustEnv(t, "dataset", Params{"path": path, "held_out_fraction": 0})
	d := env.(*Dataset)
	if len(d.train) != 2 {
		t.Fatalf("got %d tasks: %+v", len(d.train), d.train)
	}
	skipped := d.Skipped()
	if len(skipped) != 2 || skipped[0].Line != 2 || !strings.Contains(skipped[0].Reason, "null") ||
		skipped[1].Line != 4 || !strings.Contains(skipped[1].Reason, "empty") {
		t.Errorf("skipped %v, want row 2 (null prompt) and row 4 (empty prompt)", skipped)
	}
	first, second := d.train[0], d.train[1]
	if first.Prompt != "1+1=" || first.Answer != "2" || first.Meta["data_source"] != "toy" || first.ID != path+":1" {
		t.Errorf("row 1 read as %+v", first)
	}
	if second.Prompt != "2*3=" || second.Answer != "6" || second.Meta["data_source"] != "" {
		t.Errorf("row 3 read as %+v", second)
	}
	if !play(t, env, second, "6").Reward.Correct || play(t, env, second, "7").Reward.Correct {
		t.Error("parquet task verified wrongly")
	}

	// a prompt column of the wrong type makes the file unusable, with the column named
	bad := filepath.Join(dir, "bad.parquet")
	writeParquet(t, bad, []arrow.Field{{Name: "prompt", Type: arrow.PrimitiveTypes.Int64}, {Name: "answer", Type: arrow.BinaryTypes.String}},
		[]any{int64(1)}, []any{"1"})
	if _, err := New("dataset", Params{"path": bad}); err == nil || !strings.Contains(err.Error(), `column "prompt"`) {
		t.Errorf("int prompt column: %v", err)
	}
	noAnswer := filepath.Join(dir, "noanswer.parquet")
	writeParquet(t, noAnswer, []arrow.Field{{Name: "prompt", Type: arrow.BinaryTypes.String}}, []any{"x"})
	if _, err := New("dataset", Params{"path": noAnswer}); err == nil || !strings.Contains(err.Error(), `missing column "answer"`) {
		t.Errorf("missing answer column: %v", err)
	}
	garbage := writeFile(t, dir, "garbage.parquet", "not a parquet file at all")
	if _, err := New("dataset", Params{"path": garbage}); err == nil {
		t.Error("a corrupt Parquet file should be an error")
	}
}
