package distrib

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// prefetcher downloads each policy version as soon as the learner puts it in the bucket, so a
// worker idle between steps holds the next version before the step's first task reaches it; a
// version the learner pushes (push.go) it takes from the push and does not download. It keeps
// the newest version only; a version it does not hold is downloaded on demand.
type prefetcher struct {
	obj     jetstream.ObjectStore
	mu      sync.Mutex
	newest  int           // version of the last put or push seen; -1 = none
	pushed  int           // version of the last push taken; -1 = none
	session string        // the learner (session) that made newest; "" = unknown
	ready   chan struct{} // closed when newest's download ended
	bundle  *policyBundle // newest's bundle once downloaded (nil if that failed)
	seen    chan struct{} // closed (and replaced) at every put seen
	stop    func()
}

// startPrefetch watches obj for new versions and takes the learner's pushes on nc (nil: none)
// until ctx ends. chunks (nil: none) reads a version of one chunk in one request (directget.go).
// log (nil: none) hears of pushes that fail their checks.
func startPrefetch(ctx context.Context, obj jetstream.ObjectStore, nc *nats.Conn, chunks *chunkReader, log io.Writer) (*prefetcher, error) {
	ctx, cancel := context.WithCancel(ctx)
	w, err := obj.Watch(ctx, jetstream.UpdatesOnly(), jetstream.IgnoreDeletes())
	if err != nil {
		cancel()
		return nil, fmt.Errorf("watching %s for policy versions: %w", policyBucket, err)
	}
	p := &prefetcher{obj: obj, newest: -1, pushed: -1, seen: make(chan struct{})}
	var sub *nats.Subscription
	if nc != nil {
		if sub, err = nc.Subscribe(pushSubject, func(msg *nats.Msg) { p.takePush(msg, log) }); err != nil {
			cancel()
			_ = w.Stop()
			return nil, fmt.Errorf("subscribing to policy pushes: %w", err)
		}
	}
	p.stop = func() {
		cancel()
		_ = w.Stop()
		if sub != nil {
			_ = sub.Unsubscribe()
		}
	}
	go func() {
		for info := range w.Updates() {
			p.announced(ctx, chunks, info)
		}
	}()
	return p, nil
}

// announced handles the watch's announcement of a put: it makes the version the newest and
// downloads it, unless the same learner (session) pushed or put this version or a newer one
// already. A push comes before its put's announcement, and an announcement that arrives after a
// later version's push is stale; a version of another learner is taken even when older (a new
// learner numbers from its own start; awaitPut sees the change).
func (p *prefetcher) announced(ctx context.Context, chunks *chunkReader, info *jetstream.ObjectInfo) {
	var v int
	if info == nil || info.Deleted {
		return
	}
	if _, err := fmt.Sscanf(info.Name, "v%06d", &v); err != nil || info.Name != versionDir(v) {
		return
	}
	session := info.Metadata[metaSession]
	ready := make(chan struct{})
	p.mu.Lock()
	if session != "" && session == p.session && v <= p.newest {
		p.mu.Unlock()
		return
	}
	p.newest, p.session, p.ready, p.bundle = v, session, ready, nil
	close(p.seen)
	p.seen = make(chan struct{})
	p.mu.Unlock()
	b, err := prefetchVersion(ctx, p.obj, chunks, info, v)
	p.mu.Lock()
	if p.newest == v && err == nil {
		p.bundle = b
	}
	p.mu.Unlock()
	close(ready)
}

// takePush makes a pushed version the newest, ready at once (the put that follows is not
// downloaded: announced). A push older than the newest version of the same learner is ignored.
func (p *prefetcher) takePush(msg *nats.Msg, log io.Writer) {
	b, session, err := decodePush(msg)
	if err != nil {
		if log != nil {
			fmt.Fprintf(log, "worker: ignoring a policy push (the version is downloaded instead): %v\n", err)
		}
		return
	}
	ready := make(chan struct{})
	close(ready)
	p.mu.Lock()
	defer p.mu.Unlock()
	if session != "" && session == p.session && b.Version < p.newest {
		return
	}
	p.newest, p.pushed, p.session, p.ready, p.bundle = b.Version, b.Version, session, ready, b
	close(p.seen)
	p.seen = make(chan struct{})
}

// recheckPut is how often awaitPut asks the bucket for the version it waits for.
const recheckPut = time.Second

// get returns version v: the prefetched download (waiting for it if it is under way) or, for
// another version, a download of its own. A version not yet in the bucket is waited for
// (awaitPut).
func (p *prefetcher) get(ctx context.Context, v int) (*policyBundle, error) {
	if err := p.awaitPut(ctx, v); err != nil {
		return nil, err
	}
	p.mu.Lock()
	newest, ready := p.newest, p.ready
	p.mu.Unlock()
	if newest == v {
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		p.mu.Lock()
		b := p.bundle
		if p.newest == v {
			p.bundle = nil // used once: the worker loads it now
		}
		p.mu.Unlock()
		if b != nil {
			return b, nil
		}
	}
	return downloadVersion(ctx, p.obj, v)
}

// prefetchVersion downloads version v, announced by info: by direct get when it is one chunk,
// else (or when that fails) with the Object Store's Get.
func prefetchVersion(ctx context.Context, obj jetstream.ObjectStore, chunks *chunkReader, info *jetstream.ObjectInfo, v int) (*policyBundle, error) {
	buf, ok, err := chunks.read(ctx, info)
	if err != nil {
		return nil, fmt.Errorf("downloading policy version %d: %w", v, err)
	}
	if !ok {
		return downloadVersion(ctx, obj, v)
	}
	return parseBundle(v, buf)
}

// awaitPut waits until version v is put or pushed, when it is neither announced nor in the
// bucket: a synchronous learner issues a step's tasks naming the version its update is still
// making (Learner.StepSampled). It stops waiting when a put of a version no newer than the newest
// seen before shows a new learner on the server (one learner puts versions in increasing order);
// get then finds v missing and the task is dropped as stale. The bucket is asked whether v is
// there before any version was seen (put before the watch started; after that the watch
// announces every put) and then every recheckPut while waiting, in case the watch stalled.
func (p *prefetcher) awaitPut(ctx context.Context, v int) error {
	p.mu.Lock()
	newest, seen := p.newest, p.seen
	p.mu.Unlock()
	if newest >= v {
		return nil
	}
	inBucket := func() bool {
		_, err := p.obj.GetInfo(ctx, versionDir(v))
		return !errors.Is(err, jetstream.ErrObjectNotFound) // there, or an error the download reports
	}
	if newest < 0 && inBucket() {
		return nil
	}
	recheck := time.NewTicker(recheckPut)
	defer recheck.Stop()
	for highest := newest; ; {
		select {
		case <-seen:
		case <-recheck.C:
			if inBucket() {
				return nil
			}
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		p.mu.Lock()
		newest, seen = p.newest, p.seen
		p.mu.Unlock()
		if newest >= v || newest <= highest {
			return nil
		}
		highest = newest
	}
}
