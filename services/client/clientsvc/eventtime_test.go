package clientsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
)

// TestEventTimeDatesCommands checks that a backfill-granted caller's
// holdfast-event-time is the command's "now": it becomes occurred_at, the
// bound that occurred_at may not pass, while recorded_at stays the real
// time of recording.
func TestEventTimeDatesCommands(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "backfill"
	granted := auth.Principal{Tenant: tenant, Subject: "e1", Roles: []auth.Role{auth.RoleSales}, Backfill: true}
	backfill := env.dial(t, svc, granted)
	plain := env.dial(t, svc, principal(tenant, "e1", auth.RoleSales))

	at := time.Now().Add(-40 * 24 * time.Hour).UTC().Truncate(time.Millisecond)
	ctx := auth.OutgoingEventTime(t.Context(), at)

	before := time.Now()
	reg, err := backfill.RegisterCustomer(ctx, registerRequest("r1", "张伟", "+8613800138000"))
	if err != nil {
		t.Fatalf("backfilled register: %v", err)
	}
	if got := reg.GetCustomer().GetRegisteredAt().AsTime(); !got.Equal(at) {
		t.Errorf("registered_at = %v, want the event time %v", got, at)
	}
	// The idle sweeper may already have returned the 40-day-old customer to
	// the pool, so the history's first event is the registration, and it
	// may not be the only one.
	hist := env.customerHistory(t, tenant, reg.GetCustomer().GetCustomerId())
	if len(hist) == 0 {
		t.Fatal("the customer has no history")
	}
	if _, ok := payloadOf(t, hist[0]).(*clientv1.CustomerRegistered); !ok {
		t.Fatalf("the history's first event is %T, want the registration", payloadOf(t, hist[0]))
	}
	envl := hist[0].Envelope
	if got := envl.GetOccurredAt().AsTime(); !got.Equal(at) {
		t.Errorf("envelope occurred_at = %v, want %v", got, at)
	}
	if got := envl.GetRecordedAt().AsTime(); got.Before(before.Add(-time.Second)) {
		t.Errorf("envelope recorded_at = %v, want the real recording time (after %v)", got, before)
	}

	// An occurred_at after the event time is "in the future" for the command.
	late := noteRequest("n1", reg.GetCustomer().GetCustomerId())
	late.OccurredAt = timestamppb.New(at.Add(time.Hour))
	_, err = backfill.LogInteraction(ctx, late)
	if got := violatedFields(t, err); len(got) != 1 || got[0] != "occurred_at" {
		t.Errorf("interaction after the event time: violations %v, want occurred_at", got)
	}

	// Without the grant the header is refused and nothing is written. (The
	// idle sweeper may meanwhile return the 40-day-old customer to the
	// pool, so count registrations, not every event of the tenant.)
	_, err = plain.RegisterCustomer(ctx, registerRequest("r2", "李娜", "+8613900139000"))
	wantCode(t, err, codes.PermissionDenied)
	registered := 0
	err = env.Log.Follow(t.Context(), eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
		if _, ok := payloadOf(t, rec).(*clientv1.CustomerRegistered); ok {
			registered++
		}
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true, Subjects: []string{"client." + tenant + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	if registered != 1 {
		t.Errorf("CLIENT holds %d registrations for the tenant, want 1", registered)
	}
}
