package bpe

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// BenchmarkEncodeQwen3 encodes the parity corpus (about 3 KB of mixed text) with the real Qwen3
// tokenizer and reports tokens per second: "warm" with the word cache filled by earlier iterations,
// as when tokenizing a data set, and "cold" with the cache emptied before each iteration.
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
	for _, cold := range []bool{false, true} {
		name := "warm"
		if cold {
			name = "cold"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			tokens := 0
			for b.Loop() {
				if cold {
					tok.model.mu.Lock()
					clear(tok.model.cache)
					tok.model.mu.Unlock()
				}
				tokens += len(tok.Encode(text))
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
