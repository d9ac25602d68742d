package distrib

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"grit/policy"
)

// A one-chunk object read by direct get is byte for byte what was put; an object of several
// chunks is left to Get (ok false); an info whose digest or size does not match the chunk is an
// error, as Get's digest check is.
func TestChunkReaderOneChunk(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, js, obj := startTestStore(ctx, t)
	c := newChunkReader(ctx, js)
	if c == nil {
		t.Fatal("no direct get on the policy bucket's stream")
	}
	data := make([]byte, 100<<10+7)
	for i := range data {
		data[i] = byte(i*17 + i>>9)
	}
	put := func(name string, chunk uint32) *jetstream.ObjectInfo {
		info, err := obj.Put(ctx, jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: chunk}}, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	one, several := put("one", 1<<20), put("several", 64<<10)
	got, ok, err := c.read(ctx, one)
	if err != nil || !ok || !bytes.Equal(got, data) {
		t.Fatalf("one chunk: ok %v, %v, %d bytes (equal %v)", ok, err, len(got), bytes.Equal(got, data))
	}
	if several.Chunks < 2 {
		t.Fatalf("object of %d bytes in 64 KiB chunks has %d chunks", len(data), several.Chunks)
	}
	if _, ok, err := c.read(ctx, several); ok || err != nil {
		t.Fatalf("%d chunks: ok %v, %v; want Get's turn (false, nil)", several.Chunks, ok, err)
	}
	bad := *one
	bad.Digest = several.Digest[:len(several.Digest)-2] + "AA"
	if _, _, err := c.read(ctx, &bad); !errors.Is(err, jetstream.ErrDigestMismatch) {
		t.Fatalf("wrong digest: %v; want ErrDigestMismatch", err)
	}
	short := *one
	short.Size--
	if _, _, err := c.read(ctx, &short); err == nil {
		t.Fatal("size one less than the chunk's: no error")
	}
	var none *chunkReader
	if _, ok, err := none.read(ctx, one); ok || err != nil {
		t.Fatalf("nil reader: ok %v, %v; want Get's turn", ok, err)
	}
}

// A policy version is uploaded in full chunks: ceil(size / chunk size) of them (one for the tiny
// policy in the default 4 MiB chunks), however the bundle's parts are split, so a worker reads it
// in as few messages as possible (one: chunkReader).
func TestPolicyVersionFullChunks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _, obj := startTestStore(ctx, t)
	cfg := tinyConfig(t)
	pol, err := policy.LoadPolicy(cfg.Init)
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []uint32{4 << 20, 64 << 10} {
		pub, err := newPolicyPublisher(obj, nil, cfg, &jetstream.ObjectMetaOptions{ChunkSize: chunk})
		if err != nil {
			t.Fatal(err)
		}
		for v := 0; v < 2; v++ { // the first version from disk, the second from memory
			if err := pub.publish(ctx, v, pol, nil); err != nil {
				t.Fatal(err)
			}
			info, err := obj.GetInfo(ctx, versionDir(v))
			if err != nil {
				t.Fatal(err)
			}
			if want := uint32((info.Size + uint64(chunk) - 1) / uint64(chunk)); info.Chunks != want {
				t.Errorf("chunk size %d, version %d of %d bytes: %d chunks, want %d", chunk, v, info.Size, info.Chunks, want)
			}
		}
		if err := deleteVersions(ctx, obj, []int{0, 1}); err != nil {
			t.Fatal(err)
		}
	}
}

// The prefetcher waits for a version not yet put (a synchronous learner names it in tasks issued
// while its update makes it) and hands it over once put; it stops waiting, and reports the version
// missing, when a put of an older version shows a new learner on the server.
func TestPrefetcherWaitsForVersionToCome(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := newPrefetchFixture(ctx, t, false, true, nil)
	nc, obj, p, cfg, pol := f.nc, f.obj, f.p, f.cfg, f.pol
	put := func(v int) {
		if err := publishPolicy(ctx, obj, v, pol, cfg, chunkOptions(nc.MaxPayload())); err != nil {
			t.Error(err)
		}
	}
	type got struct {
		b   *policyBundle
		err error
	}
	wait := func(v int) chan got {
		ch := make(chan got, 1)
		go func() { b, err := p.get(ctx, v); ch <- got{b, err} }()
		return ch
	}
	put(3)
	ch := wait(4)
	select {
	case g := <-ch:
		t.Fatalf("version 4 before it was put: %v", g.err)
	case <-time.After(100 * time.Millisecond):
	}
	put(4)
	if g := <-ch; g.err != nil || g.b.Version != 4 {
		t.Fatalf("version 4 once put: %v", g.err)
	}
	ch = wait(6)
	time.Sleep(50 * time.Millisecond)
	put(2) // a new learner resumed at step 3
	select {
	case g := <-ch:
		if !errors.Is(g.err, errNoVersion) {
			t.Fatalf("version 6 after a put of version 2: %v; want errNoVersion", g.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still waiting for version 6 after a put of version 2")
	}
}
