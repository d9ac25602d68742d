package distrib

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// pubAckTimeout bounds the wait for the acknowledgements of messages published together; the
// client's own synchronous Publish waits 5 s for one.
const pubAckTimeout = 10 * time.Second

// awaitPubAcks waits for the server's acknowledgement of every future (messages sent with
// PublishAsync / PublishMsgAsync: one round trip for all of them instead of one each). It returns
// the index of the first message not acknowledged and why; -1 and nil when all were.
func awaitPubAcks(ctx context.Context, futures []jetstream.PubAckFuture) (int, error) {
	deadline := time.NewTimer(pubAckTimeout)
	defer deadline.Stop()
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return i, err
		case <-ctx.Done():
			return i, ctx.Err()
		case <-deadline.C:
			return i, fmt.Errorf("no acknowledgement from the server within %s", pubAckTimeout)
		}
	}
	return -1, nil
}
