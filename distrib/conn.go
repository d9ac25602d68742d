package distrib

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of what the learner creates on the server. One run per server (or account) at a time.
const (
	tasksStream     = "GRIT_TASKS"
	tasksSubject    = "grit.tasks"
	resultsStream   = "GRIT_RESULTS"
	resultsSubject  = "grit.results"
	workersConsumer = "workers" // shared pull consumer of the tasks: a work queue
	learnerConsumer = "learner" // the learner's pull consumer of the results
	policyBucket    = "grit_policy"
)

// Auth is how a client proves itself to the server: user/password, a token, or nothing.
type Auth struct {
	User, Password, Token string
}

func (a Auth) options() []nats.Option {
	switch {
	case a.Token != "":
		return []nats.Option{nats.Token(a.Token)}
	case a.User != "":
		return []nats.Option{nats.UserInfo(a.User, a.Password)}
	}
	return nil
}

// ErrUnreachable wraps a failure to connect to the NATS server.
var ErrUnreachable = errors.New("NATS server unreachable")

// connect opens a connection and its JetStream context. name identifies the client on the server.
func connect(url string, auth Auth, name string) (*nats.Conn, jetstream.JetStream, error) {
	opts := append([]nats.Option{nats.Name(name), nats.Timeout(5 * time.Second), nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond)}, auth.options()...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: cannot connect to %s (%v); start a nats-server with JetStream (nats-server -js) there, fix the address, or check the credentials", ErrUnreachable, url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// setupStreams creates (or updates) the learner's streams, consumers and bucket and empties them:
// whatever an earlier learner left (tasks of an interrupted step, late results, old policy
// versions) is gone before the first task of this one is published.
func setupStreams(ctx context.Context, js jetstream.JetStream, ackWait time.Duration) (jetstream.Consumer, jetstream.ObjectStore, error) {
	for _, sc := range []jetstream.StreamConfig{
		{Name: tasksStream, Subjects: []string{tasksSubject}, Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage},
		{Name: resultsStream, Subjects: []string{resultsSubject}, Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage},
	} {
		s, err := js.CreateOrUpdateStream(ctx, sc)
		if err != nil {
			return nil, nil, fmt.Errorf("creating stream %s: %w", sc.Name, err)
		}
		if err := s.Purge(ctx); err != nil {
			return nil, nil, fmt.Errorf("purging stream %s: %w", sc.Name, err)
		}
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, tasksStream, jetstream.ConsumerConfig{
		Durable: workersConsumer, AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait, MaxDeliver: -1,
		MaxAckPending: 4096,
	}); err != nil {
		return nil, nil, fmt.Errorf("creating the workers' consumer: %w", err)
	}
	results, err := js.CreateOrUpdateConsumer(ctx, resultsStream, jetstream.ConsumerConfig{
		Durable: learnerConsumer, AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute, MaxDeliver: -1,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("creating the learner's consumer: %w", err)
	}
	// Policy versions are republished by a resumed learner, so they need not survive the server:
	// memory storage moves them several times faster than the file store.
	obj, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: policyBucket, Storage: jetstream.MemoryStorage})
	if err != nil {
		return nil, nil, fmt.Errorf("creating object store %s: %w", policyBucket, err)
	}
	if err := deleteAllObjects(ctx, obj); err != nil {
		return nil, nil, err
	}
	return results, obj, nil
}

// Ping connects to url and disconnects: a learner checks an external server this way before it
// writes anything.
func Ping(url string, auth Auth) error {
	nc, _, err := connect(url, auth, "grit-ping")
	if err != nil {
		return err
	}
	nc.Close()
	return nil
}
