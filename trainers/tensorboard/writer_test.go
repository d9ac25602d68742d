package tensorboard

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The bitwise reference CRC matches the published CRC-32C check value of "123456789".
func TestReferenceCRC32C(t *testing.T) {
	if got := crc32cBitwise([]byte("123456789")); got != 0xE3069283 {
		t.Fatalf("crc32c(123456789) = %08x, want e3069283", got)
	}
}

func TestEventFileReadsBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tb")
	t0 := time.Unix(1700000000, 250_000_000)
	w, err := Create(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if base := filepath.Base(w.Path); !strings.HasPrefix(base, "events.out.tfevents.1700000000.") || (host != "" && !strings.HasSuffix(base, "."+host)) {
		t.Fatalf("file name %s, want events.out.tfevents.1700000000.<host>", base)
	}
	steps := []map[string]float64{
		{"reward_mean": 0.5, "reward/correct_mean": 0.25, "loss": -1.5, "kl": math.NaN()},
		{"reward_mean": 0.75, "eval_accuracy": 0.9, "lr": 3e-4},
	}
	for i, m := range steps {
		if err := w.WriteScalars(int64(i), t0.Add(time.Duration(i+1)*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := readRecords(w.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3 (file_version + 2 steps)", len(recs))
	}
	first, err := decodeEvent(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	if first.fileVersion != "brain.Event:2" || first.wallTime != 1700000000.25 || first.scalars != nil {
		t.Fatalf("first event %+v, want file_version brain.Event:2 at 1700000000.25", first)
	}
	for i, m := range steps {
		e, err := decodeEvent(recs[i+1])
		if err != nil {
			t.Fatal(err)
		}
		if e.step != int64(i) || e.wallTime != 1700000000.25+float64(i+1) {
			t.Errorf("event %d: step %d wall %v", i, e.step, e.wallTime)
		}
		finite := 0
		for k, v := range m {
			if math.IsNaN(v) {
				if _, ok := e.scalars[k]; ok {
					t.Errorf("step %d: NaN %s written; metrics.jsonl has null there", i, k)
				}
				continue
			}
			finite++
			if got, ok := e.scalars[k]; !ok || got != float32(v) {
				t.Errorf("step %d: %s = %v (present %v), want %v", i, k, got, ok, float32(v))
			}
		}
		if len(e.scalars) != finite {
			t.Errorf("step %d: %d scalars, want %d", i, len(e.scalars), finite)
		}
	}
}

// A flipped byte in the data or in the length is caught by the reader's CRC check: the writer's
// CRCs are real, not placeholders.
func TestCorruptionIsDetected(t *testing.T) {
	w, err := Create(t.TempDir(), time.Unix(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteScalars(3, time.Unix(2, 0), map[string]float64{"a": 1}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(w.Path)
	firstLen := int(binary.LittleEndian.Uint64(raw))
	second := 12 + firstLen + 4
	for _, at := range []int{second + 2, second + 12 + 3} { // length byte, data byte
		bad := append([]byte(nil), raw...)
		bad[at] ^= 0x40
		p := filepath.Join(t.TempDir(), "bad")
		os.WriteFile(p, bad, 0o644)
		if _, err := readRecords(p); err == nil {
			t.Errorf("flipping byte %d went unnoticed", at)
		}
	}
}

func TestSecondFileInSameSecondGetsOwnName(t *testing.T) {
	dir := t.TempDir()
	a, err := Create(dir, time.Unix(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(dir, time.Unix(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	if a.Path == b.Path {
		t.Fatalf("both writers use %s", a.Path)
	}
}
