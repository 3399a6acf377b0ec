// Package demo runs the --demo workspace: cubeserver in-process on free loopback ports, a
// seeded set of colleagues, dialogs and history, and peers that answer like people would.
// The data directory is reused, so the workspace survives restarts.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// Login and Password are the demo user's credentials. They exist only on the demo server.
const (
	Login    = "dana"
	Password = "cubechat-demo"
)

// Demo is a running demo workspace.
type Demo struct {
	Server *cubeserver.Server
	peers  *peers
}

// Start starts the embedded server with its data under dir, seeds it on first start and
// connects the answering peers.
func Start(ctx context.Context, dir string, logger *slog.Logger) (*Demo, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv, err := cubeserver.Start(ctx, cubeserver.Config{
		DataDir: filepath.Join(dir, "server"),
		// The demo's passwords are public and it listens on loopback only: strong hashing
		// would only slow its first start (about 0.6 s a user).
		PasswordPolicy: new(store.CheapPasswordPolicy()),
		HTTPAddr:       "127.0.0.1:0",
		XMPPAddr:       "127.0.0.1:0",
		XMPPTLSAddr:    "127.0.0.1:0",
		Logger:         logger.With("component", "cubeserver"),
	})
	if err != nil {
		return nil, fmt.Errorf("demo: start server: %w", err)
	}
	ws, err := seed(ctx, srv.Store(), srv.AppID(), srv.Domain())
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("demo: seed workspace: %w", err)
	}
	p, err := startPeers(ctx, srv, ws, logger.With("component", "demo-peers"))
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("demo: connect peers: %w", err)
	}
	return &Demo{Server: srv, peers: p}, nil
}

// Close disconnects the peers and stops the server.
func (d *Demo) Close() error {
	d.peers.stop()
	return errors.Join(d.Server.Close())
}
