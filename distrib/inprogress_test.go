package distrib

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A task whose worker keeps reporting progress is not redelivered past the ack wait; once the
// reports stop (the worker died), it is.
func TestInProgressHoldsTaskUntilWorkerStops(t *testing.T) {
	ctx := context.Background()
	srv, err := StartEmbedded("127.0.0.1:-1", t.TempDir(), Auth{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	nc, js, err := connect(srv.URL, Auth{}, "t")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	const ackWait = 400 * time.Millisecond
	if _, _, err := setupStreams(ctx, js, ackWait); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, tasksSubject, []byte("task")); err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(ctx, tasksStream, workersConsumer)
	if err != nil {
		t.Fatal(err)
	}
	first := fetchOneT(t, cons, time.Second)
	if first == nil {
		t.Fatal("no task")
	}
	stop := keepInProgress(first, ackWait/4)
	if again := fetchOneT(t, cons, 3*ackWait); again != nil {
		t.Fatal("the task was redelivered while its worker reported progress")
	}
	stop()
	again := fetchOneT(t, cons, 3*ackWait)
	if again == nil {
		t.Fatal("the task was not redelivered after its worker stopped reporting")
	}
	if meta, err := again.Metadata(); err != nil || meta.NumDelivered != 2 {
		t.Fatalf("redelivery metadata %+v, %v; want delivery 2", meta, err)
	}
}

func fetchOneT(t *testing.T, c jetstream.Consumer, wait time.Duration) jetstream.Msg {
	t.Helper()
	batch, err := c.Fetch(1, jetstream.FetchMaxWait(wait))
	if err != nil {
		t.Fatal(err)
	}
	for msg := range batch.Messages() {
		return msg
	}
	return nil
}
