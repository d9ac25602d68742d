package distrib

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// chunkOptions follows the server's max_payload: half of it, at most maxChunk, at least 64 KiB.
func TestChunkOptions(t *testing.T) {
	for _, c := range []struct {
		maxPayload int64
		want       uint32
	}{{8 << 20, 4 << 20}, {1 << 20, 512 << 10}, {64 << 20, 4 << 20}, {100 << 10, 64 << 10}} {
		if got := chunkOptions(c.maxPayload).ChunkSize; got != c.want {
			t.Errorf("chunkOptions(%d) = %d, want %d", c.maxPayload, got, c.want)
		}
	}
}

// getObject returns an object of several chunks (the last one short) byte for byte, and an empty
// object as empty.
func TestGetObjectChunks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _, obj := startTestStore(ctx, t)
	data := make([]byte, 3*(64<<10)+123)
	for i := range data {
		data[i] = byte(i*31 + i>>8)
	}
	opts := &jetstream.ObjectMetaOptions{ChunkSize: 64 << 10}
	if _, err := obj.Put(ctx, jetstream.ObjectMeta{Name: "x", Opts: opts}, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if _, err := obj.Put(ctx, jetstream.ObjectMeta{Name: "empty", Opts: opts}, bytes.NewReader(nil)); err != nil {
		t.Fatal(err)
	}
	got, err := getObject(ctx, obj, "x")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes differing from the %d put", len(got), len(data))
	}
	if got, err := getObject(ctx, obj, "empty"); err != nil || len(got) != 0 {
		t.Fatalf("empty object: %d bytes, %v", len(got), err)
	}
}
