package store

import (
	"os"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// FuzzDecodeIPC feeds corrupted step files to the reader: it must return an error or a valid
// record, never panic, and never leak Arrow buffers.
func FuzzDecodeIPC(f *testing.F) {
	mem := memory.NewGoAllocator()
	rec, err := StepRecord(mem, "fuzz", testSamples(1))
	if err != nil {
		f.Fatal(err)
	}
	good, err := EncodeIPC(rec)
	rec.Release()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	if v1, err := os.ReadFile(v1StepFile); err == nil { // a schema version 1 file goes through upgradeRecord
		f.Add(v1)
	} else {
		f.Fatal(err)
	}
	f.Add(good[:len(good)/2])
	f.Add([]byte("ARROW1\x00\x00"))
	flip := append([]byte(nil), good...)
	for i := 64; i < len(flip); i += 97 {
		flip[i] ^= 0x5a
	}
	f.Add(flip)
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		rec, err := DecodeIPC(mem, data)
		if err == nil {
			ro, err := NewRollouts(rec)
			if err != nil {
				t.Fatalf("DecodeIPC accepted a record NewRollouts rejects: %v", err)
			}
			rows := make([]int, ro.Len())
			for i := range rows {
				rows[i] = i
			}
			if _, err := ro.MiniBatch(rows); err != nil {
				t.Fatal(err)
			}
			if _, _, err := RecordSamples(rec); err != nil {
				_ = err // a valid layout may still break the turn order: an error is fine
			}
			ro.Release()
			rec.Release()
		}
		mem.AssertSize(t, 0)
	})
}
