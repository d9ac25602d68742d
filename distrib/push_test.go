package distrib

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A version that fits in one message reaches a subscribed worker's prefetcher by the push, before
// and without a download: here the bucket's copy is deleted before the worker asks for it, and the
// worker still gets the version, byte for byte the bundle that was put.
func TestPushedVersionNeedsNoDownload(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newPrefetchFixture(ctx, t, true, false, nil)
	nc, obj, p, cfg, pol := f.nc, f.obj, f.p, f.cfg, f.pol
	pub, err := newPolicyPublisher(obj, nc, cfg, chunkOptions(nc.MaxPayload()))
	if err != nil {
		t.Fatal(err)
	}
	// a session, as the learner's: the watch's announcements of these puts are then skipped
	pub.session = "learner-a"
	for _, v := range []int{3, 4} { // version 3 is saved to disk first; 4 is encoded from memory
		if err := pub.publish(ctx, v, pol, nil); err != nil {
			t.Fatal(err)
		}
	}
	put, err := getObject(ctx, obj, versionDir(4))
	if err != nil {
		t.Fatal(err)
	}
	waitNewest(t, p, 4)
	if err := deleteVersions(ctx, obj, []int{3, 4}); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	pushed := p.pushed
	p.mu.Unlock()
	if pushed != 4 {
		t.Fatalf("the prefetcher's last push is version %d, want 4", pushed)
	}
	b, err := p.get(ctx, 4)
	if err != nil {
		t.Fatalf("version 4, pushed, then deleted from the bucket: %v", err)
	}
	if !sameFiles(b, put) {
		t.Fatal("the pushed version's files differ from the object that was put")
	}
}

// sameFiles reports whether bundle b's files, in manifest order, are the tail of object.
func sameFiles(b *policyBundle, object []byte) bool {
	var files bytes.Buffer
	for _, f := range b.Files {
		files.Write(b.data[f.Name])
	}
	return files.Len() > 0 && files.Len() < len(object) && bytes.Equal(files.Bytes(), object[len(object)-files.Len():])
}

// A push whose bytes fail the CRC-32C of its header, or whose header names no version, is
// ignored (logged): the prefetcher keeps what it had, and the version comes from the bucket.
func TestCorruptPushIsIgnored(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &syncWriter{w: &bytes.Buffer{}}
	f := newPrefetchFixture(ctx, t, true, false, log)
	nc, obj, p, cfg, pol := f.nc, f.obj, f.p, f.cfg, f.pol
	if err := publishPolicy(ctx, obj, 2, pol, cfg, chunkOptions(nc.MaxPayload())); err != nil {
		t.Fatal(err)
	}
	waitNewest(t, p, 2)
	bundle, err := getObject(ctx, obj, versionDir(2))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(bundle)
	bad[len(bad)-1] ^= 1 // one bit of the last weight
	msg := nats.NewMsg(pushSubject)
	msg.Data = bad
	msg.Header.Set(hdrVersion, "9")
	msg.Header.Set(hdrCRC32C, "12345")
	noVersion := nats.NewMsg(pushSubject)
	noVersion.Data = bundle
	for _, m := range []*nats.Msg{msg, noVersion} {
		if err := nc.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); strings.Count(log.String(), "ignoring a policy push") < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the corrupt pushes were not both reported; log:\n%s", log.String())
		}
	}
	if got := log.String(); !strings.Contains(got, "CRC-32C") || !strings.Contains(got, "without a version") {
		t.Fatalf("log does not say what was wrong with the pushes:\n%s", got)
	}
	p.mu.Lock()
	newest, pushed := p.newest, p.pushed
	p.mu.Unlock()
	if newest != 2 || pushed != -1 {
		t.Fatalf("after corrupt pushes: newest %d, pushed %d; want 2 and -1 (nothing taken)", newest, pushed)
	}
	b, err := p.get(ctx, 2)
	if err != nil {
		t.Fatalf("version 2 from the bucket after corrupt pushes: %v", err)
	}
	if !sameFiles(b, bundle) {
		t.Fatal("version 2 after corrupt pushes differs from the object that was put")
	}
}

// waitNewest waits (up to 10 s) until the prefetcher's newest version is v and ready.
func waitNewest(t *testing.T, p *prefetcher, v int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		p.mu.Lock()
		newest, ready := p.newest, p.ready
		p.mu.Unlock()
		if newest == v {
			<-ready
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the prefetcher's newest version is %d, want %d", newest, v)
		}
	}
}

// A worker without a prefetcher (its bucket watch could not start) finds the tasks of the next
// step, issued while the update still makes their version, naming a version not yet put: it
// gives them back with a delay and takes them again until the version is there. The run is the
// single process's.
func TestWorkerWithoutPrefetcherWaitsForIssuedAheadVersions(t *testing.T) {
	want := singleRun(t)
	log := &syncWriter{w: &bytes.Buffer{}}
	start := func(ctx context.Context, url string) func() {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := RunWorker(ctx, WorkerOptions{URL: url, ID: "nopre", CacheDir: t.TempDir(), Log: log, noPrefetch: true})
			if err != nil && ctx.Err() == nil {
				t.Errorf("worker: %v", err)
			}
		}()
		return wg.Wait
	}
	got, _ := workerRun(t, tinyConfig(t, workerSets...), start)
	assertSameRun(t, want, got)
	if n := strings.Count(log.String(), "still to come; taking them again"); n == 0 {
		t.Fatalf("the worker never waited for a version still to come, so this test shows nothing; its log:\n%s", log.String())
	}
}

// The watch's announcement of a put that arrives after a newer push of the same learner is stale
// and changes nothing (taking it would make the older version the newest, and a worker waiting
// for the pushed one would take it for a new learner's); so is a push older than the newest of its
// learner. An older version of another learner is taken, by announcement or push, since a new
// learner numbers its versions from its own start. The prefetcher here is fed by hand (no watch,
// no subscription), so the order of events is the test's.
func TestStaleAnnouncementIgnoredNewLearnerTaken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newPrefetchFixture(ctx, t, false, false, nil)
	pub, err := newPolicyPublisher(f.obj, nil, f.cfg, chunkOptions(f.nc.MaxPayload()))
	if err != nil {
		t.Fatal(err)
	}
	pub.session = "learner-a"
	infos := map[int]*jetstream.ObjectInfo{}
	for _, v := range []int{1, 2} {
		if err := pub.publish(ctx, v, f.pol, nil); err != nil {
			t.Fatal(err)
		}
		if infos[v], err = f.obj.GetInfo(ctx, versionDir(v)); err != nil {
			t.Fatal(err)
		}
	}
	if got := infos[1].Metadata[metaSession]; got != "learner-a" {
		t.Fatalf("version 1's metadata names session %q, want learner-a", got)
	}
	bundle1, err := getObject(ctx, f.obj, versionDir(1))
	if err != nil {
		t.Fatal(err)
	}
	p := &prefetcher{obj: f.obj, newest: -1, pushed: -1, seen: make(chan struct{})}
	expect := func(what string, v int, session string) {
		t.Helper()
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.newest != v || p.session != session {
			t.Fatalf("after %s: newest %d of %q, want %d of %q", what, p.newest, p.session, v, session)
		}
	}
	p.announced(ctx, nil, infos[2])
	expect("version 2's announcement", 2, "learner-a")
	p.announced(ctx, nil, infos[1])
	expect("a late announcement of version 1", 2, "learner-a")
	p.takePush(pushMsg(1, "learner-a", bundle1), nil)
	expect("a late push of version 1", 2, "learner-a")
	other := *infos[1]
	other.Metadata = map[string]string{metaSession: "learner-b"}
	p.announced(ctx, nil, &other)
	expect("another learner's version 1", 1, "learner-b")
	p.takePush(pushMsg(0, "learner-c", bundle1[:0:0]), nil) // fails its checks: ignored
	expect("a push that fails its checks", 1, "learner-b")
	p.takePush(pushMsg(1, "learner-c", bundle1), nil)
	expect("a third learner's push of version 1", 1, "learner-c")
}
