package envs

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

// With the default column names absent, JSONL and Parquet fail alike, naming the missing column
// and the columns the file has (on_error skip or stop: the whole file is unusable, not each row).
func TestDatasetMissingDefaultColumnSameMessage(t *testing.T) {
	dir := t.TempDir()
	jsonl := writeFile(t, dir, "q.jsonl", `{"question": "1+1=", "final": "2"}`+"\n"+`{"question": "2+2=", "final": "4"}`+"\n")
	pq := filepath.Join(dir, "q.parquet")
	writeParquet(t, pq, []arrow.Field{{Name: "question", Type: arrow.BinaryTypes.String}, {Name: "final", Type: arrow.BinaryTypes.String}},
		[]any{"1+1=", "2+2="}, []any{"2", "4"})
	for _, onError := range []string{"skip", "stop"} {
		_, errJ := New("dataset", Params{"path": jsonl, "on_error": onError})
		_, errP := New("dataset", Params{"path": pq, "on_error": onError})
		if errJ == nil || errP == nil {
			t.Fatalf("on_error %s: want errors, got %v and %v", onError, errJ, errP)
		}
		j := strings.ReplaceAll(errJ.Error(), jsonl, "FILE")
		p := strings.ReplaceAll(errP.Error(), pq, "FILE")
		if j != p {
			t.Errorf("on_error %s: messages differ:\n jsonl:   %s\n parquet: %s", onError, j, p)
		}
		for _, want := range []string{`missing column "prompt"`, "final, question", "prompt_column"} {
			if !strings.Contains(j, want) {
				t.Errorf("on_error %s: %q lacks %q", onError, j, want)
			}
		}
	}
}
