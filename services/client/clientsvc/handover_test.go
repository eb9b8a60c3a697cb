package clientsvc_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/clientsvc"
)

// startWithHandoverProgress starts the service as start does, with the
// departure handover worker reporting its ATTENDANCE progress to p.
func (e *testEnv) startWithHandoverProgress(t *testing.T, p *eventlog.Progress) *runningService {
	t.Helper()
	return e.StartService(t, nil, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return clientsvc.Mount(ctx, a, ep, rt, time.Now, clientsvc.WithHandoverProgress(p))
	})
}

// appendAttendance writes an attendance event as the attendance service would.
func (e *testEnv) appendAttendance(t *testing.T, tenant, employee, requestID string, ev proto.Message) eventlog.Appended {
	t.Helper()
	ref := eventlog.AggregateRef{Context: "attendance", Tenant: tenant, Type: "employee", ID: employee}
	agg, err := e.Log.Load(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Log.Append(t.Context(), eventlog.AppendRequest{
		Ref: ref, After: agg.Position, RequestID: requestID, ActorID: "hr-1", Payload: ev,
	})
	if err != nil {
		t.Fatalf("append attendance: %v", err)
	}
	return res
}

// waitHandover waits until the handover worker has finished with seq.
func waitHandover(t *testing.T, p *eventlog.Progress, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := p.Wait(ctx, seq); err != nil {
		t.Fatalf("handover worker at %d, want %d: %v", p.Applied(), seq, err)
	}
}

func TestDepartureHandover(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	progress := eventlog.NewProgress(0)
	svc := env.startWithHandoverProgress(t, progress)
	clientMessages := func(tenant string) uint64 { return env.streamMessages(t, "client."+tenant+".>") }

	register := func(c clientv1.ClientServiceClient, requestID string, n int) string {
		t.Helper()
		resp, err := c.RegisterCustomer(t.Context(), registerRequest(requestID, "客户 "+requestID, fmt.Sprintf("1371013%04d", n)))
		if err != nil {
			t.Fatalf("RegisterCustomer %s: %v", requestID, err)
		}
		return resp.GetCustomer().GetCustomerId()
	}
	hire := func(tenant, employee, manager string) {
		t.Helper()
		env.appendAttendance(t, tenant, employee, "hire-"+employee, &attendancev1.EmployeeHired{
			EmployeeId: employee, Name: employee, OrgUnitId: "ou-1", ManagerId: manager, Role: "sales", StartDate: "2026-01-05",
		})
	}
	depart := func(tenant, employee string) eventlog.Appended {
		t.Helper()
		res := env.appendAttendance(t, tenant, employee, "depart-"+employee, &attendancev1.EmployeeDeparted{
			EmployeeId: employee, LastDay: "2026-11-20",
		})
		waitHandover(t, progress, res.Sequence)
		return res
	}
	// listHeld lists, as hr, the customers owner holds ("" = the pool) once
	// the read model has applied everything in CLIENT.
	listHeld := func(tenant, owner string) []string {
		t.Helper()
		last, err := env.Log.LastSequence(t.Context(), eventlog.StreamClient)
		if err != nil {
			t.Fatal(err)
		}
		hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
		resp, err := hr.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{
			PageSize: 500, OwnerEmployeeId: owner, InPool: owner == "", MinSequence: last,
		})
		if err != nil {
			t.Fatalf("ListCustomers: %v", err)
		}
		var ids []string
		for _, c := range resp.GetCustomers() {
			ids = append(ids, c.GetCustomerId())
		}
		slices.Sort(ids)
		return ids
	}

	t.Run("to the manager", func(t *testing.T) {
		const tenant = "handover-manager"
		hire(tenant, "m1", "")
		hire(tenant, "e1", "m1")
		e1 := env.dial(t, svc, principal(tenant, "e1", auth.RoleSales))
		var ids []string
		for i := range 3 {
			ids = append(ids, register(e1, fmt.Sprintf("e1-%d", i), i))
		}
		slices.Sort(ids)
		departure := depart(tenant, "e1")

		if diff := cmp.Diff(ids, listHeld(tenant, "m1")); diff != "" {
			t.Errorf("m1's customers mismatch (-want, +got):\n%s", diff)
		}
		if got := listHeld(tenant, "e1"); len(got) != 0 {
			t.Errorf("e1 still holds %v", got)
		}
		for _, id := range ids {
			var changes []eventlog.Record
			for _, rec := range env.customerHistory(t, tenant, id) {
				if _, ok := payloadOf(t, rec).(*clientv1.CustomerOwnerChanged); ok {
					changes = append(changes, rec)
				}
			}
			if len(changes) != 1 {
				t.Fatalf("customer %s: %d ownership changes, want 1", id, len(changes))
			}
			if got := changes[0].Envelope.GetCausationId(); got != departure.EventID {
				t.Errorf("customer %s: causation_id = %q, want the departure %q", id, got, departure.EventID)
			}
			want := []ownerChange{{
				Actor: "holdfast-system", From: "e1", To: "m1",
				Reason: "handover: e1 departed (last day 2026-11-20)", Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_HANDOVER,
			}}
			if diff := cmp.Diff(want, env.ownerChanges(t, tenant, id)); diff != "" {
				t.Errorf("customer %s ownership mismatch (-want, +got):\n%s", id, diff)
			}
		}
	})

	t.Run("manager departed first goes to the pool", func(t *testing.T) {
		const tenant = "handover-gone"
		hire(tenant, "m2", "")
		hire(tenant, "e2", "m2")
		e2 := env.dial(t, svc, principal(tenant, "e2", auth.RoleSales))
		id := register(e2, "e2-0", 100)
		depart(tenant, "m2")
		depart(tenant, "e2")
		if diff := cmp.Diff([]string{id}, listHeld(tenant, "")); diff != "" {
			t.Errorf("pool mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("to the manager a transfer named", func(t *testing.T) {
		const tenant = "handover-moved"
		hire(tenant, "m-old", "")
		hire(tenant, "m-new", "")
		hire(tenant, "e5", "m-old")
		env.appendAttendance(t, tenant, "e5", "move-e5", &attendancev1.EmployeeTransferred{
			EmployeeId: "e5", FromOrgUnitId: "ou-1", ToOrgUnitId: "ou-2", FromManagerId: "m-old", ToManagerId: "m-new", EffectiveDate: "2026-11-01",
		})
		e5 := env.dial(t, svc, principal(tenant, "e5", auth.RoleSales))
		id := register(e5, "e5-0", 200)
		depart(tenant, "e5")
		if diff := cmp.Diff([]string{id}, listHeld(tenant, "m-new")); diff != "" {
			t.Errorf("m-new's customers mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("policy pool", func(t *testing.T) {
		const tenant = "handover-pool"
		env.appendClientPolicy(t, tenant, &clientv1.ClientPolicy{
			ClaimQuotaPerDay: 5, MaxCustomersHeld: 300, PoolReturnAfterDays: 30, TimeZone: "Asia/Shanghai",
			DepartureHandover: clientv1.DepartureHandover_DEPARTURE_HANDOVER_POOL,
		})
		hire(tenant, "m3", "")
		hire(tenant, "e3", "m3")
		e3 := env.dial(t, svc, principal(tenant, "e3", auth.RoleSales))
		var ids []string
		for i := range 2 {
			ids = append(ids, register(e3, fmt.Sprintf("e3-%d", i), 200+i))
		}
		slices.Sort(ids)
		depart(tenant, "e3")
		if diff := cmp.Diff(ids, listHeld(tenant, "")); diff != "" {
			t.Errorf("pool mismatch (-want, +got):\n%s", diff)
		}
		for _, id := range ids {
			got := env.ownerChanges(t, tenant, id)
			if len(got) != 1 || got[0].Cause != clientv1.OwnershipCause_OWNERSHIP_CAUSE_HANDOVER || got[0].To != "" {
				t.Errorf("customer %s ownership changes = %+v, want one handover to the pool", id, got)
			}
		}
	})

	t.Run("no customers writes nothing", func(t *testing.T) {
		const tenant = "handover-empty"
		hire(tenant, "m4", "")
		hire(tenant, "e4", "m4")
		before := clientMessages(tenant)
		depart(tenant, "e4")
		if got := clientMessages(tenant); got != before {
			t.Errorf("CLIENT messages for %s: %d, want %d", tenant, got, before)
		}
	})

	t.Run("restart appends nothing", func(t *testing.T) {
		svc.Stop()
		before := clientMessages("*")
		last, err := env.Log.LastSequence(t.Context(), eventlog.StreamAttendance)
		if err != nil {
			t.Fatal(err)
		}
		again := eventlog.NewProgress(0)
		env.startWithHandoverProgress(t, again)
		waitHandover(t, again, last)
		if got := clientMessages("*"); got != before {
			t.Errorf("CLIENT messages after restart: %d, want %d", got, before)
		}
	})
}
