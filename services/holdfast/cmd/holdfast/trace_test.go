package main

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// TestTraceContextReachesTheStream: a caller's W3C traceparent travels
// through the gRPC call into the stored event's NATS headers, so one trace
// spans the caller, the service and every consumer of the event.
func TestTraceContextReachesTheStream(t *testing.T) {
	stack, dataDir := startDevStack(t)

	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.NewIssuer(ed25519.PrivateKey(key)).Issue(auth.Principal{Tenant: "acme", Subject: "e1", Roles: []auth.Role{auth.RoleSales}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(stack.Endpoints.ClientGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(tok)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	callCtx := metadata.AppendToOutgoingContext(t.Context(), "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := clientv1.NewClientServiceClient(conn).RegisterCustomer(callCtx, &clientv1.RegisterCustomerRequest{
		RequestId: "trace-1", PersonName: "Li Na", Phones: []string{"13900001111"}, SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
	})
	if err != nil {
		t.Fatal(err)
	}

	nc, err := nats.Connect(stack.Endpoints.NATS)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(t.Context(), "CLIENT")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.GetMsg(t.Context(), resp.GetSequence())
	if err != nil {
		t.Fatal(err)
	}
	tp := msg.Header.Get("traceparent")
	if !strings.Contains(tp, traceID) {
		t.Errorf("stored event traceparent = %q, want trace id %s", tp, traceID)
	}
}
