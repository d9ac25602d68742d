package distrib

import (
	"fmt"
	"hash/crc32"
	"io"
	"strconv"

	"github.com/nats-io/nats.go"
)

// A policy version that fits in one message also travels as a plain NATS message on pushSubject,
// sent by the learner right before its Object Store put: every worker subscribed gets it in one
// hop from the server, without the put's and the download's round trips and SHA-256 digests. The
// Object Store stays where versions live (a worker that starts or reconnects later, or misses a
// push, downloads from there); the push only gets a connected worker there first. Its bytes are
// the version's object (the bundle, policystore.go), checked with a CRC-32C (Castagnoli, hardware
// accelerated) against the header the learner computed; a push that fails the check is ignored.
const (
	pushSubject = "grit.policy.push"
	hdrVersion  = "Grit-Version" // the pushed bundle's policy version
	hdrCRC32C   = "Grit-CRC32C"  // CRC-32C of the bundle, decimal; the learner's session is hdrSession
	metaSession = "grit-session" // an Object Store version's metadata key naming the learner session that put it
)

// pushHeadroom is room left in a push message for its headers under the server's max_payload.
const pushHeadroom = 4 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// pushable reports whether a bundle of size bytes fits in one push message.
func pushable(nc *nats.Conn, size int64) bool {
	return nc != nil && size+pushHeadroom <= nc.MaxPayload()
}

// readBundle reads a whole bundle of size bytes from its parts.
func readBundle(size int64, parts io.Reader) ([]byte, error) {
	buf := make([]byte, size)
	if _, err := io.ReadFull(parts, buf); err != nil {
		return nil, err
	}
	var extra [1]byte
	if n, _ := parts.Read(extra[:]); n > 0 {
		return nil, fmt.Errorf("the bundle's parts are longer than its %d bytes", size)
	}
	return buf, nil
}

// pushVersion publishes bundle as policy version v of the learner session on pushSubject (no
// acknowledgement: a worker that misses it downloads the version).
func pushVersion(nc *nats.Conn, v int, session string, bundle []byte) error {
	if err := nc.PublishMsg(pushMsg(v, session, bundle)); err != nil {
		return fmt.Errorf("pushing policy version %d: %w", v, err)
	}
	return nil
}

// pushMsg is the push message of bundle as policy version v of the learner session.
func pushMsg(v int, session string, bundle []byte) *nats.Msg {
	msg := nats.NewMsg(pushSubject)
	msg.Data = bundle
	msg.Header.Set(hdrVersion, strconv.Itoa(v))
	msg.Header.Set(hdrSession, session)
	msg.Header.Set(hdrCRC32C, strconv.FormatUint(uint64(crc32.Checksum(bundle, castagnoli)), 10))
	return msg
}

// decodePush checks a push message and splits it into its version's bundle; session is the
// learner that pushed it ("" when the header is missing).
func decodePush(msg *nats.Msg) (b *policyBundle, session string, err error) {
	v, err := strconv.Atoi(msg.Header.Get(hdrVersion))
	if err != nil || v < 0 {
		return nil, "", fmt.Errorf("policy push without a version (header %s %q)", hdrVersion, msg.Header.Get(hdrVersion))
	}
	want, err := strconv.ParseUint(msg.Header.Get(hdrCRC32C), 10, 32)
	if err != nil {
		return nil, "", fmt.Errorf("policy push of version %d without a checksum (header %s %q)", v, hdrCRC32C, msg.Header.Get(hdrCRC32C))
	}
	if got := crc32.Checksum(msg.Data, castagnoli); uint64(got) != want {
		return nil, "", fmt.Errorf("policy push of version %d: CRC-32C %d, the header says %d", v, got, want)
	}
	if b, err = parseBundle(v, msg.Data); err != nil {
		return nil, "", err
	}
	if b.Version != v {
		return nil, "", fmt.Errorf("policy push of version %d holds version %d", v, b.Version)
	}
	return b, msg.Header.Get(hdrSession), nil
}
