package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/natsembed"
)

// NATS is an embedded nats-server for one test, with a client connection.
type NATS struct {
	Server *natsembed.Server
	Conn   *nats.Conn
	JS     jetstream.JetStream
}

// StartNATS starts a nats-server with JetStream on a free loopback port and a
// store under t.TempDir(); it is shut down in t.Cleanup.
func StartNATS(t testing.TB) *NATS {
	t.Helper()
	s, err := natsembed.Start(natsembed.Config{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatalf("start nats-server: %v", err)
	}
	nc, err := s.Connect(t.Name())
	if err != nil {
		s.Stop()
		t.Fatalf("connect: %v", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		s.Stop()
		t.Fatalf("jetstream: %v", err)
	}
	t.Cleanup(func() {
		nc.Close()
		s.Stop()
	})
	return &NATS{Server: s, Conn: nc, JS: js}
}

// StartEventLog starts NATS, provisions every Holdfast stream (RISK_IN
// included) and returns an event log over it.
func StartEventLog(t testing.TB) (*NATS, *eventlog.Log) {
	t.Helper()
	n := StartNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := eventlog.Provision(ctx, n.JS, eventlog.DefaultProvisionConfig(), eventlog.AllStreams()...); err != nil {
		t.Fatalf("provision streams: %v", err)
	}
	return n, eventlog.New(n.JS)
}
