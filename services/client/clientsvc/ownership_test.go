package clientsvc_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// TestDuplicatesAndOwnership runs the registry's duplicate detection and
// the ownership commands over gRPC, each in a tenant of its own.
func TestDuplicatesAndOwnership(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	t.Run("duplicate registration", func(t *testing.T) {
		t.Parallel()
		testDuplicateRegistration(t, env, svc)
	})
	t.Run("ownership", func(t *testing.T) {
		t.Parallel()
		testOwnership(t, env, svc)
	})
}

// appendClientPolicy writes a tenant's client policy the way
// UpdateClientPolicy records it.
func (e *testEnv) appendClientPolicy(t *testing.T, tenant string, p *clientv1.ClientPolicy) {
	t.Helper()
	ref := eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "policy", ID: "client"}
	agg, err := e.Log.Load(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Log.Append(t.Context(), eventlog.AppendRequest{
		Ref: ref, After: agg.Position, RequestID: fmt.Sprintf("test-policy-%d", agg.Position.Version), ActorID: "ad-1",
		Payload: &clientv1.ClientPolicyUpdated{Policy: p, Reason: "test policy"},
	}); err != nil {
		t.Fatalf("append policy: %v", err)
	}
}

// ownerChange is what one CustomerOwnerChanged says, with its actor.
type ownerChange struct {
	Actor, From, To, Reason string
	Cause                   clientv1.OwnershipCause
}

// ownerChanges lists a customer's CustomerOwnerChanged events in order.
func (e *testEnv) ownerChanges(t *testing.T, tenant, id string) []ownerChange {
	t.Helper()
	var out []ownerChange
	for _, rec := range e.customerHistory(t, tenant, id) {
		if ev, ok := payloadOf(t, rec).(*clientv1.CustomerOwnerChanged); ok {
			if ev.GetCustomerId() != id {
				t.Errorf("CustomerOwnerChanged on %s names customer %s", id, ev.GetCustomerId())
			}
			out = append(out, ownerChange{
				Actor: rec.Envelope.GetActorId(), From: ev.GetPreviousOwnerId(), To: ev.GetNewOwnerId(),
				Reason: ev.GetReason(), Cause: ev.GetCause(),
			})
		}
	}
	return out
}

func testOwnership(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "pool"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-seller": auth.RoleSales, "s-claimer": auth.RoleSales, "s-busy": auth.RoleSales, "s-new": auth.RoleSales, "m-1": auth.RoleManager})
	env.appendClientPolicy(t, tenant, &clientv1.ClientPolicy{
		ClaimQuotaPerDay: 2, MaxCustomersHeld: 2, PoolReturnAfterDays: 30, TimeZone: "Asia/Shanghai",
	})
	seller := env.dial(t, svc, principal(tenant, "s-seller", auth.RoleSales))
	claimer := env.dial(t, svc, principal(tenant, "s-claimer", auth.RoleSales))
	busy := env.dial(t, svc, principal(tenant, "s-busy", auth.RoleSales))
	manager := env.dial(t, svc, principal(tenant, "m-1", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	messages := func() uint64 { return env.streamMessages(t, "client."+tenant+".>") }

	register := func(c clientv1.ClientServiceClient, requestID string, n int) string {
		t.Helper()
		resp, err := c.RegisterCustomer(t.Context(), registerRequest(requestID, "客户 "+requestID, fmt.Sprintf("1360013%04d", n)))
		if err != nil {
			t.Fatalf("RegisterCustomer %s: %v", requestID, err)
		}
		return resp.GetCustomer().GetCustomerId()
	}
	// Five customers of s-seller go to the pool; s-busy holds two, its cap.
	var pooled []string
	var lastSeq uint64
	for i := range 5 {
		id := register(seller, fmt.Sprintf("pooled-%d", i), i)
		resp, err := seller.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{
			RequestId: "release-" + id, CustomerId: id, Reason: "跟进不了，放回公海",
		})
		if err != nil {
			t.Fatalf("ReleaseCustomer: %v", err)
		}
		if !resp.GetCustomer().GetInPool() {
			t.Errorf("released customer = %v, want it in the pool", resp.GetCustomer())
		}
		pooled, lastSeq = append(pooled, id), resp.GetSequence()
	}
	busyOwn := []string{register(busy, "busy-1", 100), register(busy, "busy-2", 101)}

	t.Run("claim within the quota and the cap", func(t *testing.T) {
		first, err := claimer.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-0", CustomerId: pooled[0]})
		if err != nil {
			t.Fatalf("ClaimCustomer: %v", err)
		}
		if first.GetClaimsLeftToday() != 1 || first.GetCustomer().GetOwnerEmployeeId() != "s-claimer" || first.GetCustomer().GetInPool() {
			t.Errorf("claim = %v, want the customer held by s-claimer and 1 claim left", first)
		}
		before := messages()
		retry, err := claimer.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-0", CustomerId: pooled[0]})
		if err != nil {
			t.Fatalf("retried ClaimCustomer: %v", err)
		}
		if diff := cmp.Diff(first, retry, protocmp.Transform()); diff != "" {
			t.Errorf("retried claim mismatch (-first, +retry):\n%s", diff)
		}
		if after := messages(); after != before {
			t.Errorf("a retried claim wrote %d events, want none", after-before)
		}
		second, err := claimer.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-1", CustomerId: pooled[1]})
		if err != nil {
			t.Fatalf("second ClaimCustomer: %v", err)
		}
		if second.GetClaimsLeftToday() != 0 {
			t.Errorf("claims_left_today = %d after the second claim, want 0", second.GetClaimsLeftToday())
		}
		_, err = claimer.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-2", CustomerId: pooled[2]})
		wantCode(t, err, codes.ResourceExhausted)
		_, err = busy.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-busy", CustomerId: pooled[2]})
		wantCode(t, err, codes.FailedPrecondition)
		_, err = claimer.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-held", CustomerId: busyOwn[0]})
		wantCode(t, err, codes.FailedPrecondition)
		_, err = hr.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "claim-hr", CustomerId: pooled[2]})
		wantCode(t, err, codes.PermissionDenied)
	})

	t.Run("assign needs a manager and a reason", func(t *testing.T) {
		_, err := seller.AssignCustomer(t.Context(), &clientv1.AssignCustomerRequest{
			RequestId: "assign-by-sales", CustomerId: pooled[2], EmployeeId: "s-seller", Reason: "我自己来",
		})
		wantCode(t, err, codes.PermissionDenied)
		_, err = manager.AssignCustomer(t.Context(), &clientv1.AssignCustomerRequest{
			RequestId: "assign-no-reason", CustomerId: pooled[2], EmployeeId: "s-new",
		})
		if diff := cmp.Diff([]string{"reason"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		_, err = manager.AssignCustomer(t.Context(), &clientv1.AssignCustomerRequest{
			RequestId: "assign-over-cap", CustomerId: pooled[2], EmployeeId: "s-busy", Reason: "熟悉这个行业",
		})
		wantCode(t, err, codes.FailedPrecondition)
		assign := &clientv1.AssignCustomerRequest{RequestId: "assign-2", CustomerId: pooled[2], EmployeeId: "s-new", Reason: "新人练手"}
		first, err := manager.AssignCustomer(t.Context(), assign)
		if err != nil {
			t.Fatalf("AssignCustomer: %v", err)
		}
		if first.GetCustomer().GetOwnerEmployeeId() != "s-new" {
			t.Errorf("assigned customer held by %q, want s-new", first.GetCustomer().GetOwnerEmployeeId())
		}
		before := messages()
		retry, err := manager.AssignCustomer(t.Context(), assign)
		if err != nil {
			t.Fatalf("retried AssignCustomer: %v", err)
		}
		if retry.GetSequence() != first.GetSequence() || messages() != before {
			t.Errorf("retried assign answered sequence %d (first %d) and wrote %d events; want the first sequence and none",
				retry.GetSequence(), first.GetSequence(), messages()-before)
		}
	})

	t.Run("reassign moves held customers only", func(t *testing.T) {
		_, err := manager.ReassignCustomer(t.Context(), &clientv1.ReassignCustomerRequest{
			RequestId: "reassign-pooled", CustomerId: pooled[3], EmployeeId: "s-new", Reason: "调整",
		})
		wantCode(t, err, codes.FailedPrecondition)
		resp, err := hr.ReassignCustomer(t.Context(), &clientv1.ReassignCustomerRequest{
			RequestId: "reassign-2", CustomerId: pooled[2], EmployeeId: "s-claimer-2", Reason: "s-new 离职交接",
		})
		if err != nil {
			t.Fatalf("ReassignCustomer: %v", err)
		}
		if resp.GetCustomer().GetOwnerEmployeeId() != "s-claimer-2" {
			t.Errorf("reassigned customer held by %q, want s-claimer-2", resp.GetCustomer().GetOwnerEmployeeId())
		}
	})

	t.Run("release by the holder or a manager", func(t *testing.T) {
		_, err := seller.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{
			RequestId: "release-not-mine", CustomerId: pooled[0], Reason: "帮他放掉",
		})
		wantCode(t, err, codes.PermissionDenied)
		_, err = claimer.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "release-no-reason", CustomerId: pooled[0]})
		if diff := cmp.Diff([]string{"reason"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		_, err = manager.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "release-pooled", CustomerId: pooled[4], Reason: "重复放回"})
		wantCode(t, err, codes.FailedPrecondition)
		resp, err := manager.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{
			RequestId: "release-1", CustomerId: pooled[1], Reason: "s-claimer 一直没跟进",
		})
		if err != nil {
			t.Fatalf("ReleaseCustomer by a manager: %v", err)
		}
		lastSeq = resp.GetSequence()
	})

	t.Run("the pool lists", func(t *testing.T) {
		resp, err := manager.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{InPool: true, MinSequence: lastSeq})
		if err != nil {
			t.Fatalf("ListCustomers in_pool: %v", err)
		}
		var ids []string
		for _, c := range resp.GetCustomers() {
			if !c.GetInPool() || c.GetOwnerEmployeeId() != "" {
				t.Errorf("pool lists %s held by %q", c.GetCustomerId(), c.GetOwnerEmployeeId())
			}
			ids = append(ids, c.GetCustomerId())
		}
		want := []string{pooled[1], pooled[3], pooled[4]}
		slices.Sort(want)
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("pool mismatch (-want, +got):\n%s", diff)
		}
		// Sales see the pool too (that is where they claim from), masked.
		salesView, err := claimer.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{InPool: true, MinSequence: lastSeq})
		if err != nil {
			t.Fatalf("ListCustomers in_pool by sales: %v", err)
		}
		if diff := cmp.Diff(resp.GetCustomers(), salesView.GetCustomers(), protocmp.Transform()); diff != "" {
			t.Errorf("pool as sales sees it mismatch (-manager, +sales):\n%s", diff)
		}
		_, err = manager.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{InPool: true, OwnerEmployeeId: "s-seller"})
		if diff := cmp.Diff([]string{"in_pool"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		// Every bad field is named at once.
		_, err = manager.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{
			InPool: true, OwnerEmployeeId: "s-seller", PageSize: -1, SourceChannel: clientv1.SourceChannel(99),
		})
		if diff := cmp.Diff([]string{"in_pool", "page_size", "source_channel"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("every change is a CustomerOwnerChanged with its actor and reason", func(t *testing.T) {
		released := ownerChange{Actor: "s-seller", From: "s-seller", Reason: "跟进不了，放回公海", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_RELEASED}
		want := map[string][]ownerChange{
			pooled[0]: {released, {Actor: "s-claimer", To: "s-claimer", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_CLAIMED}},
			pooled[1]: {
				released,
				{Actor: "s-claimer", To: "s-claimer", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_CLAIMED},
				{Actor: "m-1", From: "s-claimer", Reason: "s-claimer 一直没跟进", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_RELEASED},
			},
			pooled[2]: {
				released,
				{Actor: "m-1", To: "s-new", Reason: "新人练手", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_ASSIGNED},
				{Actor: "hr-1", From: "s-new", To: "s-claimer-2", Reason: "s-new 离职交接", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_REASSIGNED},
			},
			pooled[3]:  {released},
			pooled[4]:  {released},
			busyOwn[0]: nil,
		}
		for id, w := range want {
			if diff := cmp.Diff(w, env.ownerChanges(t, tenant, id)); diff != "" {
				t.Errorf("ownership history of %s mismatch (-want, +got):\n%s", id, diff)
			}
		}
	})
}
