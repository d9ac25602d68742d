package distrib

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// maxPayload is the embedded server's message size limit: one group's result or one chunk of a
// policy file must fit. (A stand-alone nats-server defaults to 1 MiB; set max_payload there.)
const maxPayload = 8 << 20

// Embedded is a NATS server with JetStream run inside the learner process.
type Embedded struct {
	srv *server.Server
	URL string // nats://host:port clients connect to
}

// StartEmbedded starts a JetStream server listening on listen (host:port; port -1 = any free
// port) with its store in storeDir. With auth set, clients must present it.
func StartEmbedded(listen, storeDir string, auth Auth) (*Embedded, error) {
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("workers.listen: %q is not host:port: %w", listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("workers.listen: port %q is not a number", portText)
	}
	opts := &server.Options{
		ServerName: "grit-learner", Host: host, Port: port, JetStream: true, StoreDir: storeDir,
		MaxPayload: maxPayload, NoSigs: true, NoLog: true,
		Username: auth.User, Password: auth.Password, Authorization: auth.Token,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS server on %s did not start within 10 s (is the port taken? set workers.listen)", listen)
	}
	return &Embedded{srv: srv, URL: srv.ClientURL()}, nil
}

// Close shuts the server down and waits for it.
func (e *Embedded) Close() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
