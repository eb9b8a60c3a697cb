package clientsvc_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// revealReason is the reason every test reveal gives.
const revealReason = "客户约了回电，核对号码"

// revealRequest asks for one contact of customerID with revealReason.
func revealRequest(requestID, customerID string, field clientv1.ContactField, index int32) *clientv1.RevealContactRequest {
	return &clientv1.RevealContactRequest{
		RequestId:  requestID,
		CustomerId: customerID,
		Field:      field,
		Index:      index,
		Reason:     revealReason,
	}
}

// storedEvent is one CLIENT event as read back through the event log.
type storedEvent struct {
	Subject  string
	Sequence uint64
	ActorID  string
	Payload  proto.Message
}

// clientEvents reads, through eventlog.Load, every aggregate on a CLIENT
// subject matching filter ("client.acme.reveals.>"), in stream order.
func (e *testEnv) clientEvents(t *testing.T, filter string) []storedEvent {
	t.Helper()
	s, err := e.NATS.JS.Stream(t.Context(), eventlog.StreamClient)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	info, err := s.Info(t.Context(), jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	var out []storedEvent
	for subject := range info.State.Subjects {
		ref, err := eventlog.ParseSubject(subject)
		if err != nil {
			t.Fatalf("parse subject %s: %v", subject, err)
		}
		agg, err := e.Log.Load(t.Context(), ref)
		if err != nil {
			t.Fatalf("load %s: %v", subject, err)
		}
		for _, rec := range agg.Records {
			msg, err := rec.Payload()
			if err != nil {
				t.Fatalf("payload of %s/%d: %v", subject, rec.Sequence, err)
			}
			out = append(out, storedEvent{Subject: rec.Subject, Sequence: rec.Sequence, ActorID: rec.Envelope.GetActorId(), Payload: msg})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sequence < out[j].Sequence })
	return out
}

// countEvents counts events of the same type as of.
func countEvents(events []storedEvent, of proto.Message) int {
	n := 0
	for _, ev := range events {
		if eventlog.Name(ev.Payload) == eventlog.Name(of) {
			n++
		}
	}
	return n
}

func TestRevealContact(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "reveal"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-owner": auth.RoleSales, "s-other": auth.RoleSales, "ss-1": auth.RoleSeniorSales, "m-1": auth.RoleManager, "m-fields": auth.RoleManager, "m-refused": auth.RoleManager})
	owner := env.dial(t, svc, principal(tenant, "s-owner", auth.RoleSales))
	id := registerZhangSan(t, owner, "reg-zhang", "s-owner").GetCustomer().GetCustomerId()
	phoneOnly, err := owner.RegisterCustomer(t.Context(), registerRequest("reg-phone-only", "李四", "13900139000"))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	phoneOnlyID := phoneOnly.GetCustomer().GetCustomerId()

	t.Run("the holder sees the phone and the stream records who and why", func(t *testing.T) {
		t.Parallel()
		holder := env.dial(t, svc, principal(tenant, "s-owner", auth.RoleSales))
		req := revealRequest("reveal-phone", id, clientv1.ContactField_CONTACT_FIELD_PHONE, 0)
		resp, err := holder.RevealContact(t.Context(), req)
		if err != nil {
			t.Fatalf("RevealContact: %v", err)
		}
		if resp.GetValue() != "+8613800138000" || resp.GetSequence() == 0 {
			t.Errorf("RevealContact = %v, want +8613800138000 and the sequence written", resp)
		}
		events := env.clientEvents(t, "client."+tenant+".reveals.>")
		i := slices.IndexFunc(events, func(ev storedEvent) bool { return ev.Sequence == resp.GetSequence() })
		if i < 0 {
			t.Fatalf("no reveal event at sequence %d among %v", resp.GetSequence(), events)
		}
		got := events[i]
		if !strings.HasPrefix(got.Subject, "client."+tenant+".reveals.s-owner-") || got.ActorID != "s-owner" {
			t.Errorf("reveal stored on %s by %q, want the reveals of s-owner by s-owner", got.Subject, got.ActorID)
		}
		want := &clientv1.ContactRevealed{
			CustomerId: id,
			EmployeeId: "s-owner",
			Field:      clientv1.ContactField_CONTACT_FIELD_PHONE,
			Reason:     revealReason,
			Assigned:   true,
		}
		if diff := cmp.Diff(want, got.Payload, protocmp.Transform()); diff != "" {
			t.Errorf("stored event mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("every field", func(t *testing.T) {
		t.Parallel()
		manager := env.dial(t, svc, principal(tenant, "m-fields", auth.RoleManager))
		tests := []struct {
			name  string
			field clientv1.ContactField
			index int32
			want  string
		}{
			{name: "first phone", field: clientv1.ContactField_CONTACT_FIELD_PHONE, want: "+8613800138000"},
			{name: "landline, index 1", field: clientv1.ContactField_CONTACT_FIELD_PHONE, index: 1, want: "+861065529988"},
			{name: "WeChat id", field: clientv1.ContactField_CONTACT_FIELD_WECHAT_ID, want: "wx_zhang01"},
			{name: "e-mail, normalised", field: clientv1.ContactField_CONTACT_FIELD_EMAIL, want: "zhang.san@example.com"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, err := manager.RevealContact(t.Context(), revealRequest(fmt.Sprintf("field-%d-%d", tt.field, tt.index), id, tt.field, tt.index))
				if err != nil {
					t.Fatalf("RevealContact: %v", err)
				}
				if resp.GetValue() != tt.want {
					t.Errorf("value = %q, want %q", resp.GetValue(), tt.want)
				}
			})
		}
	})

	t.Run("who may reveal", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name         string
			who          auth.Principal
			want         codes.Code
			wantAssigned bool
		}{
			{name: "holder", who: principal(tenant, "s-owner", auth.RoleSales), want: codes.OK, wantAssigned: true},
			{name: "another salesperson", who: principal(tenant, "s-other", auth.RoleSales), want: codes.PermissionDenied},
			{name: "senior_sales, not the holder", who: principal(tenant, "ss-1", auth.RoleSeniorSales), want: codes.PermissionDenied},
			{name: "manager", who: principal(tenant, "m-1", auth.RoleManager), want: codes.OK},
			{name: "hr", who: principal(tenant, "hr-1", auth.RoleHR), want: codes.OK},
			{name: "auditor", who: principal(tenant, "au-1", auth.RoleAuditor), want: codes.OK},
			// Admin may reveal, but the default quota gives admin none.
			{name: "admin, default quota 0", who: principal(tenant, "ad-1", auth.RoleAdmin), want: codes.ResourceExhausted},
			{name: "service", who: principal(tenant, "svc-1", auth.RoleService), want: codes.PermissionDenied},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				c := env.dial(t, svc, tt.who)
				resp, err := c.RevealContact(t.Context(), revealRequest("who-"+tt.who.Subject, id, clientv1.ContactField_CONTACT_FIELD_WECHAT_ID, 0))
				if got := status.Code(err); got != tt.want {
					t.Fatalf("RevealContact as %s: status %v (%v), want %v", tt.who.Subject, got, err, tt.want)
				}
				events := env.clientEvents(t, "client."+tenant+".reveals.>")
				if tt.want != codes.OK {
					if tt.want == codes.PermissionDenied && slices.ContainsFunc(events, func(ev storedEvent) bool { return ev.ActorID == tt.who.Subject }) {
						t.Errorf("a refused caller's reveal was recorded")
					}
					return
				}
				if resp.GetValue() != "wx_zhang01" {
					t.Errorf("value = %q, want wx_zhang01", resp.GetValue())
				}
				i := slices.IndexFunc(events, func(ev storedEvent) bool { return ev.Sequence == resp.GetSequence() })
				if i < 0 {
					t.Fatalf("no reveal event at sequence %d", resp.GetSequence())
				}
				if ev, ok := events[i].Payload.(*clientv1.ContactRevealed); !ok || ev.GetEmployeeId() != tt.who.Subject || ev.GetAssigned() != tt.wantAssigned {
					t.Errorf("stored %v, want a ContactRevealed by %s with assigned %v", events[i].Payload, tt.who.Subject, tt.wantAssigned)
				}
			})
		}
	})

	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		manager := env.dial(t, svc, principal(tenant, "m-refused", auth.RoleManager))
		reveal := func(change func(*clientv1.RevealContactRequest)) func() error {
			return func() error {
				req := revealRequest("refused", id, clientv1.ContactField_CONTACT_FIELD_PHONE, 0)
				change(req)
				_, err := manager.RevealContact(t.Context(), req)
				return err
			}
		}
		invalid := []struct {
			name       string
			call       func() error
			wantFields []string
		}{
			{name: "no reason", call: reveal(func(r *clientv1.RevealContactRequest) { r.Reason = "" }), wantFields: []string{"reason"}},
			{name: "blank reason", call: reveal(func(r *clientv1.RevealContactRequest) { r.Reason = "   " }), wantFields: []string{"reason"}},
			{name: "reason of 501 characters", call: reveal(func(r *clientv1.RevealContactRequest) { r.Reason = strings.Repeat("因", 501) }), wantFields: []string{"reason"}},
			{name: "no field", call: reveal(func(r *clientv1.RevealContactRequest) { r.Field = 0 }), wantFields: []string{"field"}},
			{name: "phone index out of range", call: reveal(func(r *clientv1.RevealContactRequest) { r.Index = 2 }), wantFields: []string{"index"}},
			{name: "negative index", call: reveal(func(r *clientv1.RevealContactRequest) { r.Index = -1 }), wantFields: []string{"index"}},
			{name: "index on an e-mail", call: reveal(func(r *clientv1.RevealContactRequest) {
				r.Field, r.Index = clientv1.ContactField_CONTACT_FIELD_EMAIL, 1
			}), wantFields: []string{"index"}},
			{name: "every bad field at once", call: reveal(func(r *clientv1.RevealContactRequest) {
				r.RequestId, r.CustomerId, r.Field, r.Reason = "a b", "x.y", 0, ""
			}), wantFields: []string{"customer_id", "field", "reason", "request_id"}},
		}
		for _, tt := range invalid {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.wantFields, violatedFields(t, tt.call())); diff != "" {
					t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
				}
			})
		}
		others := []struct {
			name string
			call func() error
			want codes.Code
		}{
			{name: "unknown customer", call: reveal(func(r *clientv1.RevealContactRequest) { r.CustomerId = "no-such-customer" }), want: codes.NotFound},
			{name: "customer without a WeChat id", call: reveal(func(r *clientv1.RevealContactRequest) {
				r.CustomerId, r.Field = phoneOnlyID, clientv1.ContactField_CONTACT_FIELD_WECHAT_ID
			}), want: codes.FailedPrecondition},
			{name: "customer without an e-mail", call: reveal(func(r *clientv1.RevealContactRequest) {
				r.CustomerId, r.Field = phoneOnlyID, clientv1.ContactField_CONTACT_FIELD_EMAIL
			}), want: codes.FailedPrecondition},
		}
		for _, tt := range others {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, tt.call(), tt.want)
			})
		}
		// Nothing half-written: none of these counted or was recorded.
		for _, ev := range env.clientEvents(t, "client."+tenant+".reveals.>") {
			if ev.ActorID == "m-refused" {
				t.Errorf("refused request recorded: %s %v", ev.Subject, ev.Payload)
			}
		}
	})

	t.Run("a request id reused for another phone is refused", func(t *testing.T) {
		t.Parallel()
		holder := env.dial(t, svc, principal(tenant, "s-owner", auth.RoleSales))
		if _, err := holder.RevealContact(t.Context(), revealRequest("reveal-reused", id, clientv1.ContactField_CONTACT_FIELD_PHONE, 0)); err != nil {
			t.Fatalf("RevealContact: %v", err)
		}
		_, err := holder.RevealContact(t.Context(), revealRequest("reveal-reused", id, clientv1.ContactField_CONTACT_FIELD_PHONE, 1))
		wantCode(t, err, codes.FailedPrecondition)
	})

	t.Run("unauthenticated", func(t *testing.T) {
		t.Parallel()
		_, err := dialWith(t, svc).RevealContact(t.Context(), revealRequest("reveal-anon", id, clientv1.ContactField_CONTACT_FIELD_PHONE, 0))
		wantCode(t, err, codes.Unauthenticated)
	})

	t.Run("quota", func(t *testing.T) {
		t.Parallel()
		testRevealQuota(t, env, svc)
	})

	t.Run("concurrent reveals never exceed the quota", func(t *testing.T) {
		t.Parallel()
		testConcurrentReveals(t, env, svc)
	})
}

// setSalesRevealQuota makes tenant's sales reveal quota n, as its admin.
func setSalesRevealQuota(t *testing.T, env *testEnv, svc *runningService, tenant string, n int32) {
	t.Helper()
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	got, err := admin.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
	if err != nil {
		t.Fatalf("GetClientPolicy: %v", err)
	}
	p := got.GetPolicy()
	for _, q := range p.GetRevealQuotas() {
		if q.GetRole() == "sales" {
			q.PerDay = n
		}
	}
	if _, err := admin.UpdateClientPolicy(t.Context(), &clientv1.UpdateClientPolicyRequest{
		RequestId: "sales-quota", Policy: p, Reason: "reveals are counted tighter this quarter",
	}); err != nil {
		t.Fatalf("UpdateClientPolicy: %v", err)
	}
}

// testRevealQuota spends a salesperson's quota of 2 and checks the third
// reveal is refused and recorded, and that retries count nothing.
func testRevealQuota(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "reveal-quota"
	setSalesRevealQuota(t, env, svc, tenant, 2)
	sales := env.dial(t, svc, principal(tenant, "s-q", auth.RoleSales))
	id := registerZhangSan(t, sales, "reg-zhang", "s-q").GetCustomer().GetCustomerId()
	phone := clientv1.ContactField_CONTACT_FIELD_PHONE

	first, err := sales.RevealContact(t.Context(), revealRequest("q-1", id, phone, 0))
	if err != nil {
		t.Fatalf("first reveal: %v", err)
	}
	if first.GetRevealsLeftToday() != 1 {
		t.Errorf("after the first reveal reveals_left_today = %d, want 1", first.GetRevealsLeftToday())
	}
	retry, err := sales.RevealContact(t.Context(), revealRequest("q-1", id, phone, 0))
	if err != nil {
		t.Fatalf("retried reveal: %v", err)
	}
	if diff := cmp.Diff(first, retry, protocmp.Transform()); diff != "" {
		t.Errorf("retried reveal mismatch (-first, +retry):\n%s", diff)
	}
	// The retry used nothing: a second reveal is still allowed.
	second, err := sales.RevealContact(t.Context(), revealRequest("q-2", id, phone, 1))
	if err != nil {
		t.Fatalf("second reveal: %v", err)
	}
	if second.GetValue() != "+861065529988" || second.GetRevealsLeftToday() != 0 {
		t.Errorf("second reveal = %v, want +861065529988 with 0 left", second)
	}
	_, err = sales.RevealContact(t.Context(), revealRequest("q-3", id, phone, 0))
	wantCode(t, err, codes.ResourceExhausted)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "2 of 2") {
		t.Errorf("ResourceExhausted message %q does not name the quota", msg)
	}
	_, err = sales.RevealContact(t.Context(), revealRequest("q-3", id, phone, 0))
	wantCode(t, err, codes.ResourceExhausted)

	events := env.clientEvents(t, "client."+tenant+".reveals.>")
	if got := countEvents(events, &clientv1.ContactRevealed{}); got != 2 {
		t.Errorf("%d ContactRevealed stored, want 2", got)
	}
	var denied []proto.Message
	for _, ev := range events {
		if _, ok := ev.Payload.(*clientv1.RevealDenied); ok {
			denied = append(denied, ev.Payload)
		}
	}
	want := []proto.Message{&clientv1.RevealDenied{
		CustomerId: id, EmployeeId: "s-q", Field: phone, Reason: revealReason, Quota: 2,
	}}
	if diff := cmp.Diff(want, denied, protocmp.Transform()); diff != "" {
		t.Errorf("RevealDenied events mismatch (-want, +got; a retried refusal records nothing new):\n%s", diff)
	}
}

// testConcurrentReveals fires more reveals at once than one employee's
// quota allows: exactly the quota succeed, the others are refused.
func testConcurrentReveals(t *testing.T, env *testEnv, svc *runningService) {
	const (
		tenant = "reveal-race"
		quota  = 2
		calls  = 6
	)
	setSalesRevealQuota(t, env, svc, tenant, quota)
	sales := env.dial(t, svc, principal(tenant, "s-race", auth.RoleSales))
	id := registerZhangSan(t, sales, "reg-zhang", "s-race").GetCustomer().GetCustomerId()

	codesSeen := make([]codes.Code, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			req := revealRequest(fmt.Sprintf("race-%d", i), id, clientv1.ContactField_CONTACT_FIELD_EMAIL, 0)
			_, err := sales.RevealContact(t.Context(), req)
			codesSeen[i] = status.Code(err)
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codesSeen {
		switch c {
		case codes.OK:
			ok++
		case codes.ResourceExhausted, codes.Aborted:
		default:
			t.Errorf("concurrent reveal answered %v", c)
		}
	}
	if ok != quota {
		t.Errorf("%d of %d concurrent reveals succeeded (%v), want exactly the quota %d", ok, calls, codesSeen, quota)
	}
	if got := countEvents(env.clientEvents(t, "client."+tenant+".reveals.>"), &clientv1.ContactRevealed{}); got != quota {
		t.Errorf("%d ContactRevealed stored, want %d", got, quota)
	}
}
