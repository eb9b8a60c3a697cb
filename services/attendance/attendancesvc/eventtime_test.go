package attendancesvc_test

import (
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// TestEventTimeJudgesDeviceTime checks that a backfill-granted check-in's
// device time is judged against its holdfast-event-time rather than the
// server clock, which would refuse a visit from weeks ago.
func TestEventTimeJudgesDeviceTime(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "backfill"
	ctx := t.Context()
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	tree := createTree(t, admin, tenant)
	for _, h := range []*attendancev1.HireEmployeeRequest{
		hireRequest("hire-m1", "m1", tree.branch, "", "manager"),
		hireRequest("hire-e1", "e1", tree.team, "m1", "sales"),
	} {
		if _, err := hr.HireEmployee(ctx, h); err != nil {
			t.Fatalf("hire %s: %v", h.GetEmployeeId(), err)
		}
	}
	at := time.Now().Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	backfill := env.dial(t, svc, auth.Principal{Tenant: tenant, Subject: "e1", Roles: []auth.Role{auth.RoleSales}, Backfill: true})

	_, err := backfill.CheckIn(ctx, visitAt("k1", "", 31.2304, 121.4737, at.Add(-2*time.Minute)))
	if got := violatedFields(t, err); len(got) != 1 || got[0] != "device_time" {
		t.Fatalf("month-old device time without event time: violations %v, want device_time", got)
	}
	res, err := backfill.CheckIn(auth.OutgoingEventTime(ctx, at), visitAt("k1", "", 31.2304, 121.4737, at.Add(-2*time.Minute)))
	if err != nil {
		t.Fatalf("backfilled check-in: %v", err)
	}
	if got := res.GetCheckIn().GetDeviceTime().AsTime(); !got.Equal(at.Add(-2 * time.Minute)) {
		t.Errorf("device_time = %v, want %v", got, at.Add(-2*time.Minute))
	}
	// Device time is still bounded: 11 minutes before the event time is refused.
	_, err = backfill.CheckIn(auth.OutgoingEventTime(ctx, at), visitAt("k2", "", 31.2304, 121.4737, at.Add(-11*time.Minute)))
	if got := violatedFields(t, err); len(got) != 1 || got[0] != "device_time" {
		t.Errorf("device time 11 min before the event time: violations %v, want device_time", got)
	}
}
