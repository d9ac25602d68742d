package distrib

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// An Object Store Get costs three round trips before the first byte (the object's info, an
// ordered consumer's creation, its first delivery). A version the prefetcher's watch announces
// comes with its info, so an object of one chunk (every tiny and small policy: chunks are up to
// 4 MiB) is read with one direct get of its chunk subject instead, checked against the info's
// size and SHA-256 digest exactly as Get checks it.

// chunkReader reads single-chunk objects of the policy bucket by direct get.
type chunkReader struct {
	stream jetstream.Stream // the bucket's stream, OBJ_<bucket>
}

// newChunkReader looks up the bucket's stream; nil when it cannot (then Get is used).
func newChunkReader(ctx context.Context, js jetstream.JetStream) *chunkReader {
	s, err := js.Stream(ctx, "OBJ_"+policyBucket)
	if err != nil || !s.CachedInfo().Config.AllowDirect {
		return nil
	}
	return &chunkReader{stream: s}
}

// read returns the object info describes when it is one chunk; ok is false for other objects
// and when the direct get fails (the caller then downloads it with Get).
func (c *chunkReader) read(ctx context.Context, info *jetstream.ObjectInfo) (buf []byte, ok bool, err error) {
	if c == nil || info.Chunks != 1 || info.NUID == "" {
		return nil, false, nil
	}
	msg, err := c.stream.GetLastMsgForSubject(ctx, fmt.Sprintf("$O.%s.C.%s", policyBucket, info.NUID))
	if err != nil {
		return nil, false, nil
	}
	if uint64(len(msg.Data)) != info.Size {
		return nil, false, fmt.Errorf("object %s: chunk of %d bytes, its info says %d", info.Name, len(msg.Data), info.Size)
	}
	sum := sha256.Sum256(msg.Data)
	if want := "SHA-256=" + base64.URLEncoding.EncodeToString(sum[:]); info.Digest != want {
		return nil, false, fmt.Errorf("object %s: %w", info.Name, jetstream.ErrDigestMismatch)
	}
	return msg.Data, true, nil
}
