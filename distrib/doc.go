// Package distrib runs a training run's rollout sampling on worker processes over NATS JetStream.
package distrib

import (
	_ "github.com/nats-io/nats-server/v2/server"
	_ "github.com/nats-io/nats.go/jetstream"
)
