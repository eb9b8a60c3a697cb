// Package natsembed runs a nats-server with JetStream inside the process:
// for `holdfast dev` and for tests, so neither depends on whatever NATS the
// machine happens to run (often Debian's 2.9, too old for Holdfast).
package natsembed

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Config says where the embedded server listens and stores.
type Config struct {
	// Host defaults to 127.0.0.1: the dev server is never exposed.
	Host string
	// Port 0 picks a free port (tests); the dev stack uses 4322.
	Port int
	// HTTPPort enables the monitoring endpoint when > 0 (dev: 8322).
	HTTPPort int
	// StoreDir holds JetStream's file store.
	StoreDir string
	// SyncAlways fsyncs every write (production-like durability, slower).
	SyncAlways bool
}

// Server is a running embedded nats-server.
type Server struct {
	*server.Server
}

// Start starts the server and waits until it accepts connections.
func Start(cfg Config) (*Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("natsembed: StoreDir is required")
	}
	host := cfg.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{
		ServerName:         "holdfast-embedded",
		Host:               host,
		Port:               port,
		HTTPHost:           host,
		HTTPPort:           cfg.HTTPPort,
		JetStream:          true,
		StoreDir:           cfg.StoreDir,
		NoSigs:             true,
		NoLog:              true,
		MaxPayload:         8 << 20,
		JetStreamMaxMemory: 256 << 20,
	}
	if cfg.SyncAlways {
		opts.SyncAlways = true
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("natsembed: server not ready after 10s")
	}
	return &Server{Server: s}, nil
}

// Connect opens a client connection to the embedded server.
func (s *Server) Connect(name string) (*nats.Conn, error) {
	nc, err := nats.Connect(s.ClientURL(), nats.Name(name), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("natsembed: connect: %w", err)
	}
	return nc, nil
}

// Stop shuts the server down and waits for it to finish.
func (s *Server) Stop() {
	s.Shutdown()
	s.WaitForShutdown()
}
