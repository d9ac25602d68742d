package bpe

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// BenchmarkEncodeQwen3 encodes the parity corpus (about 3 KB of mixed text) with the real Qwen3
// tokenizer and reports tokens per second. The word cache is warm after the first iteration, as it
// is when tokenizing a data set.
func BenchmarkEncodeQwen3(b *testing.B) {
	tok := loadJS(b, "tokenizer-qwen3")
	raw, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		b.Fatal(err)
	}
	var corpus []string
	if err := json.Unmarshal(raw, &corpus); err != nil {
		b.Fatal(err)
	}
	text := strings.Join(corpus, "\n")
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	tokens := 0
	for b.Loop() {
		tokens += len(tok.Encode(text))
	}
	b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
}
