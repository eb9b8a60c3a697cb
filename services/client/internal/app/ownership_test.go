package app_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// clock is a service clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is the client use cases over a real event log and a memory read
// model, projecting until the test ends, at a clock the test controls.
type fixture struct {
	uc    *app.App
	log   *eventlog.Log
	clock *clock
}

// start is far from the wall clock on purpose: anything stamped with
// time.Now instead of the service clock lands on another day.
var start = time.Date(2031, 5, 12, 10, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	_, log := testkit.StartEventLog(t)
	clk := &clock{t: start}
	uc := app.New(log, store.NewMemory(), slog.New(slog.DiscardHandler), clk.now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- uc.Project(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("project: %v", err)
		}
	})
	return &fixture{uc: uc, log: log, clock: clk}
}

func actor(tenant, id, role string) domain.Actor {
	return domain.Actor{Tenant: tenant, EmployeeID: id, Roles: []string{role}}
}

// setPolicy writes a tenant's client policy as UpdateClientPolicy would.
func (f *fixture) setPolicy(t *testing.T, tenant string, p *clientv1.ClientPolicy) {
	t.Helper()
	if p.TimeZone == "" {
		p.TimeZone = "Asia/Shanghai"
	}
	ref := eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "policy", ID: "client"}
	agg, err := f.log.Load(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Append(t.Context(), eventlog.AppendRequest{
		Ref: ref, After: agg.Position, RequestID: "policy-" + tenant, ActorID: "ad-1",
		Payload: &clientv1.ClientPolicyUpdated{Policy: p, Reason: "test policy"},
	}); err != nil {
		t.Fatalf("set policy: %v", err)
	}
}

// register registers a customer with its own phone as who.
func (f *fixture) register(t *testing.T, who domain.Actor, requestID, phone string) domain.Customer {
	t.Helper()
	c, _, err := f.uc.RegisterCustomer(t.Context(), who, requestID, domain.Registration{
		PersonName: "客户 " + requestID, Phones: []string{phone}, Source: domain.SourceWebsite,
	})
	if err != nil {
		t.Fatalf("RegisterCustomer %s: %v", requestID, err)
	}
	return c
}

// events returns a customer's history.
func (f *fixture) events(t *testing.T, tenant, id string) []eventlog.Record {
	t.Helper()
	agg, err := f.log.Load(t.Context(), eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return agg.Records
}

// read returns a customer from the read model once it holds everything
// CLIENT holds now.
func (f *fixture) read(t *testing.T, tenant, id string) domain.Customer {
	t.Helper()
	last, err := f.log.LastSequence(t.Context(), eventlog.StreamClient)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.uc.GetCustomer(t.Context(), actor(tenant, "hr-1", "hr"), id, last)
	if err != nil {
		t.Fatalf("GetCustomer %s: %v", id, err)
	}
	return c
}

func (f *fixture) lastSequence(t *testing.T) uint64 {
	t.Helper()
	last, err := f.log.LastSequence(t.Context(), eventlog.StreamClient)
	if err != nil {
		t.Fatal(err)
	}
	return last
}

func TestReturnIdleCustomers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const tenant = "acme"
	f.setPolicy(t, tenant, &clientv1.ClientPolicy{ClaimQuotaPerDay: 5, MaxCustomersHeld: 300, PoolReturnAfterDays: 3})
	// A tenant that turned the return off keeps its idle customers.
	f.setPolicy(t, "patient", &clientv1.ClientPolicy{ClaimQuotaPerDay: 5, MaxCustomersHeld: 300, PoolReturnAfterDays: 0})
	sales := actor(tenant, "s-1", "sales")
	idle := f.register(t, sales, "idle", "13800138001")
	busy := f.register(t, sales, "busy", "13800138002")
	kept := f.register(t, actor("patient", "s-1", "sales"), "kept", "13800138003")

	f.clock.advance(2 * 24 * time.Hour)
	if _, _, err := f.uc.LogInteraction(t.Context(), sales, "follow-up", domain.Interaction{
		CustomerID: busy.ID, Kind: domain.InteractionKind(clientv1.InteractionKind_INTERACTION_KIND_CALL),
		Direction: domain.Direction(clientv1.Direction_DIRECTION_OUTBOUND), Text: "回访", Duration: time.Minute,
	}); err != nil {
		t.Fatalf("LogInteraction: %v", err)
	}

	// Three days after registration, less a minute: nobody is idle yet.
	f.clock.advance(24*time.Hour - time.Minute)
	if n, err := f.uc.ReturnIdleCustomers(t.Context()); err != nil || n != 0 {
		t.Fatalf("ReturnIdleCustomers before the limit = %d, %v; want 0", n, err)
	}

	f.clock.advance(2 * time.Minute)
	n, err := f.uc.ReturnIdleCustomers(t.Context())
	if err != nil {
		t.Fatalf("ReturnIdleCustomers: %v", err)
	}
	if n != 1 {
		t.Errorf("ReturnIdleCustomers returned %d customers, want 1", n)
	}
	history := f.events(t, tenant, idle.ID)
	last := history[len(history)-1]
	msg, err := eventlog.Payload(last.Envelope)
	if err != nil {
		t.Fatal(err)
	}
	want := &clientv1.CustomerOwnerChanged{
		CustomerId: idle.ID, PreviousOwnerId: "s-1", NewOwnerId: "",
		Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_RETURNED_IDLE, Reason: "no follow-up for 3 days",
	}
	if diff := cmp.Diff(want, msg, protocmp.Transform()); diff != "" {
		t.Errorf("last event of the idle customer mismatch (-want, +got):\n%s", diff)
	}
	if got := last.Envelope.GetActorId(); got != "holdfast-system" {
		t.Errorf("actor_id = %q, want holdfast-system", got)
	}
	if got := last.Envelope.GetOccurredAt().AsTime(); !got.Equal(f.clock.now()) {
		t.Errorf("occurred_at = %v, want the service clock's %v", got, f.clock.now())
	}

	if c := f.read(t, tenant, idle.ID); c.OwnerID != "" {
		t.Errorf("idle customer held by %q after the sweep, want the pool", c.OwnerID)
	}
	for _, c := range []struct{ tenant, id string }{{tenant, busy.ID}, {"patient", kept.ID}} {
		if got := f.read(t, c.tenant, c.id); got.OwnerID != "s-1" {
			t.Errorf("customer %s of %s held by %q, want s-1 still", c.id, c.tenant, got.OwnerID)
		}
	}
	pool, err := f.uc.ListCustomers(t.Context(), actor(tenant, "m-1", "manager"), store.ListFilter{InPool: true, Limit: 10}, "", 0, f.lastSequence(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(pool) != 1 || pool[0].ID != idle.ID {
		t.Errorf("pool = %v, want only the idle customer", pool)
	}

	// A second sweep, even a day later, finds nothing to do and writes nothing.
	before := f.lastSequence(t)
	f.clock.advance(24 * time.Hour)
	if n, err := f.uc.ReturnIdleCustomers(t.Context()); err != nil || n != 0 {
		t.Errorf("second ReturnIdleCustomers = %d, %v; want 0", n, err)
	}
	if after := f.lastSequence(t); after != before {
		t.Errorf("the second sweep wrote %d events, want none", after-before)
	}

	// The busy customer's follow-up ages too: four days after it, it goes.
	f.clock.advance(24 * time.Hour)
	if n, err := f.uc.ReturnIdleCustomers(t.Context()); err != nil || n != 1 {
		t.Errorf("ReturnIdleCustomers three days after the follow-up = %d, %v; want 1", n, err)
	}
	if got := f.read(t, tenant, busy.ID); got.OwnerID != "" {
		t.Errorf("busy customer held by %q after its follow-up aged, want the pool", got.OwnerID)
	}
}

func TestClaimQuotaFollowsTheServiceClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const tenant = "acme"
	f.setPolicy(t, tenant, &clientv1.ClientPolicy{ClaimQuotaPerDay: 2, MaxCustomersHeld: 300, PoolReturnAfterDays: 30})
	owner, claimer := actor(tenant, "s-owner", "sales"), actor(tenant, "s-claimer", "sales")
	var pooled []string
	for i, phone := range []string{"13800138011", "13800138012", "13800138013"} {
		c := f.register(t, owner, "pooled-"+string(rune('a'+i)), phone)
		if _, err := f.uc.ReleaseCustomer(t.Context(), owner, "release-"+c.ID, c.ID, "不跟了"); err != nil {
			t.Fatalf("ReleaseCustomer: %v", err)
		}
		pooled = append(pooled, c.ID)
	}

	first, err := f.uc.ClaimCustomer(t.Context(), claimer, "claim-1", pooled[0])
	if err != nil {
		t.Fatalf("first claim: %v", err)
	}
	if first.ClaimsLeftToday != 1 || first.Customer.OwnerID != "s-claimer" {
		t.Errorf("first claim left %d claims and gave the customer to %q; want 1 and s-claimer", first.ClaimsLeftToday, first.Customer.OwnerID)
	}
	if !first.Customer.HeldSince.Equal(f.clock.now()) {
		t.Errorf("claimed customer held since %v, want the service clock's %v", first.Customer.HeldSince, f.clock.now())
	}
	second, err := f.uc.ClaimCustomer(t.Context(), claimer, "claim-2", pooled[1])
	if err != nil {
		t.Fatalf("second claim: %v", err)
	}
	if second.ClaimsLeftToday != 0 {
		t.Errorf("second claim left %d claims, want 0", second.ClaimsLeftToday)
	}
	before := f.lastSequence(t)
	retry, err := f.uc.ClaimCustomer(t.Context(), claimer, "claim-2", pooled[1])
	if err != nil {
		t.Fatalf("retried claim: %v", err)
	}
	if diff := cmp.Diff(second, retry); diff != "" {
		t.Errorf("retried claim mismatch (-first, +retry):\n%s", diff)
	}
	if after := f.lastSequence(t); after != before {
		t.Errorf("the retried claim wrote %d events, want none", after-before)
	}
	if _, err := f.uc.ClaimCustomer(t.Context(), claimer, "claim-3", pooled[2]); !errors.Is(err, domain.ErrQuotaExhausted) {
		t.Fatalf("third claim of the day: err = %v, want ErrQuotaExhausted", err)
	}

	// The tenant's next day (Asia/Shanghai) gives a fresh quota.
	f.clock.advance(24 * time.Hour)
	third, err := f.uc.ClaimCustomer(t.Context(), claimer, "claim-3", pooled[2])
	if err != nil {
		t.Fatalf("claim on the next day: %v", err)
	}
	if third.ClaimsLeftToday != 1 {
		t.Errorf("first claim of the next day left %d claims, want 1", third.ClaimsLeftToday)
	}
}

func TestDuplicateAttemptIsStampedByTheServiceClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	held := f.register(t, actor("acme", "s-owner", "sales"), "first", "13800138000")
	f.clock.advance(time.Hour)
	_, _, err := f.uc.RegisterCustomer(t.Context(), actor("acme", "s-other", "sales"), "again", domain.Registration{
		PersonName: "另一个名字", Phones: []string{"+86 138-0013-8000"}, Source: domain.SourcePersonal,
	})
	if !errors.Is(err, domain.ErrPrecondition) {
		t.Fatalf("duplicate registration: err = %v, want ErrPrecondition", err)
	}
	history := f.events(t, "acme", held.ID)
	if len(history) != 2 {
		t.Fatalf("customer has %d events, want registration and the attempt", len(history))
	}
	if got := history[1].Envelope.GetOccurredAt().AsTime(); !got.Equal(f.clock.now()) {
		t.Errorf("attempt occurred_at = %v, want the service clock's %v", got, f.clock.now())
	}
}
