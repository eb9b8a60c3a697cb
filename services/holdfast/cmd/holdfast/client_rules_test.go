package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestClientRiskScenarios drives S2, S3 and S8 and their look-alikes H3
// and H5 through the client and attendance services of a dev stack, with
// a clock tick appended to TICK as the clock would, and reads the alerts
// the risk service raised:
//
//   - e-neglect holds a customer, follows it up never, and talks to an
//     unregistered contact; a tick eight days on finds 5 idle working days (S2);
//   - e-leave does the same but is on approved leave all along (H3);
//   - e-late talks to a phone for five days before registering it (S8);
//   - e-leaver files a resignation notice, then requests an export and
//     deletes an interaction record (S3);
//   - e-proper files a notice and only reveals their own customer (H5).
func TestClientRiskScenarios(t *testing.T) {
	stack, dataDir := startDevStack(t)
	// The test drives acme's clock; claimed first, the live scheduler never ticks it.
	clock := testkit.ClaimClock(t, eventLog(t, stack.Endpoints.NATS), "acme", time.Now().Add(-time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(ed25519.PrivateKey(key))
	dial := func(addr, subject string, role auth.Role) *grpc.ClientConn {
		t.Helper()
		tok, err := issuer.Issue(auth.Principal{Tenant: "acme", Subject: subject, Roles: []auth.Role{role}}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(tok)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	seller := func(emp string) clientv1.ClientServiceClient {
		return clientv1.NewClientServiceClient(dial(stack.Endpoints.ClientGRPC, emp, auth.RoleSales))
	}
	admin := attendancev1.NewAttendanceServiceClient(dial(stack.Endpoints.AttendanceGRPC, "admin1", auth.RoleAdmin))
	hr := attendancev1.NewAttendanceServiceClient(dial(stack.Endpoints.AttendanceGRPC, "hr1", auth.RoleHR))
	risk := riskv1.NewRiskServiceClient(dial(stack.Endpoints.RiskGRPC, "hr1", auth.RoleHR))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var clientSeq, attendanceSeq uint64
	sawClient := func(seq uint64) { clientSeq = max(clientSeq, seq) }
	sawAttendance := func(seq uint64) { attendanceSeq = max(attendanceSeq, seq) }

	company, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{RequestId: "cr-company", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY, Name: "Acme"})
	must("CreateOrgUnit company", err)
	branch, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{
		RequestId: "cr-branch", ParentId: company.GetOrgUnit().GetOrgUnitId(), Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH, Name: "上海分公司",
		TimeZone: "Asia/Shanghai", WorkingWeekdays: []int32{1, 2, 3, 4, 5},
	})
	must("CreateOrgUnit branch", err)
	employees := []string{"e-neglect", "e-leave", "e-late", "e-leaver", "e-proper"}
	for _, emp := range employees {
		_, err := hr.HireEmployee(ctx, &attendancev1.HireEmployeeRequest{
			RequestId: "cr-hire-" + emp, EmployeeId: emp, Name: emp, OrgUnitId: branch.GetOrgUnit().GetOrgUnitId(), Role: "sales", StartDate: "2026-01-05",
		})
		must("HireEmployee "+emp, err)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	must("LoadLocation", err)
	now := time.Now()
	day := func(days int) string { return now.In(shanghai).AddDate(0, 0, days).Format(time.DateOnly) }

	register := func(emp, phone string) string {
		t.Helper()
		res, err := seller(emp).RegisterCustomer(ctx, &clientv1.RegisterCustomerRequest{
			RequestId: "cr-reg-" + emp, PersonName: emp + " 的客户", CompanyName: emp + " 贸易有限公司", Phones: []string{phone},
			SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_ASSIGNMENT,
		})
		must("RegisterCustomer "+emp, err)
		sawClient(res.GetSequence())
		return res.GetCustomer().GetCustomerId()
	}
	offBook := func(emp, contact string, at time.Time) {
		t.Helper()
		res, err := seller(emp).LogInteraction(ctx, &clientv1.LogInteractionRequest{
			RequestId: fmt.Sprintf("cr-off-%s-%d", emp, at.Unix()), Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT,
			Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: "王总您好，资料已发您", CounterpartyContact: contact,
			OccurredAt: timestamppb.New(at),
		})
		must("LogInteraction off the books by "+emp, err)
		sawClient(res.GetSequence())
	}
	// RISK_IN interleaves the streams it sources as their events arrive,
	// not in causal order across streams: where a rule needs one stream's
	// event judged before another's (a notice before the export that
	// follows it, every event before a tick), wait until risk has judged it.
	judged := func() {
		t.Helper()
		var at []*riskv1.StreamPosition
		if clientSeq > 0 {
			at = append(at, &riskv1.StreamPosition{Stream: eventlog.StreamClient, Sequence: clientSeq})
		}
		if attendanceSeq > 0 {
			at = append(at, &riskv1.StreamPosition{Stream: eventlog.StreamAttendance, Sequence: attendanceSeq})
		}
		_, err := risk.ListAlerts(ctx, &riskv1.ListAlertsRequest{PageSize: 1, ConsistentWith: at})
		must("ListAlerts consistent with what was written", err)
	}
	notice := func(emp string) {
		t.Helper()
		res, err := hr.NoticeResignation(ctx, &attendancev1.NoticeResignationRequest{RequestId: "cr-notice-" + emp, EmployeeId: emp, NoticeDate: day(0), PlannedLastDay: day(30)})
		must("NoticeResignation "+emp, err)
		sawAttendance(res.GetSequence())
	}

	// S2 and H3.
	register("e-neglect", "+8613800000101")
	register("e-leave", "+8613800000102")
	leave, err := hr.RecordLeave(ctx, &attendancev1.RecordLeaveRequest{
		RequestId: "cr-leave", EmployeeId: "e-leave", StartDate: day(0), EndDate: day(14), LeaveType: attendancev1.LeaveType_LEAVE_TYPE_ANNUAL,
	})
	must("RecordLeave", err)
	sawAttendance(leave.GetSequence())
	offBook("e-neglect", "+8613900000201", time.Now())
	offBook("e-leave", "+8613900000202", time.Now())

	// S8: five days of talks before the registration.
	offBook("e-late", "+8613900000301", now.AddDate(0, 0, -5))
	offBook("e-late", "+8613900000301", now.AddDate(0, 0, -3))
	register("e-late", "+8613900000301")

	// S3 and H5.
	leaverCustomer := register("e-leaver", "+8613800000401")
	properCustomer := register("e-proper", "+8613800000402")
	notice("e-leaver")
	notice("e-proper")
	judged()
	logged, err := seller("e-leaver").LogInteraction(ctx, &clientv1.LogInteractionRequest{
		RequestId: "cr-leaver-note", CustomerId: leaverCustomer, Kind: clientv1.InteractionKind_INTERACTION_KIND_VISIT_NOTE,
		Direction: clientv1.Direction_DIRECTION_NOTE, Text: "客户询价",
	})
	must("LogInteraction e-leaver", err)
	exp, err := seller("e-leaver").RequestExport(ctx, &clientv1.RequestExportRequest{
		RequestId: "cr-leaver-export", Filter: &clientv1.ExportFilter{OwnerEmployeeId: "e-leaver"}, Reason: "整理客户资料",
	})
	must("RequestExport e-leaver", err)
	sawClient(exp.GetSequence())
	del, err := seller("e-leaver").DeleteInteraction(ctx, &clientv1.DeleteInteractionRequest{
		RequestId: "cr-leaver-delete", InteractionId: logged.GetInteractionId(), Reason: "记错了",
	})
	must("DeleteInteraction e-leaver", err)
	sawClient(del.GetSequence())
	for i := range 3 {
		res, err := seller("e-proper").RevealContact(ctx, &clientv1.RevealContactRequest{
			RequestId: fmt.Sprintf("cr-proper-reveal-%d", i), CustomerId: properCustomer, Field: clientv1.ContactField_CONTACT_FIELD_PHONE, Reason: "交接前回访",
		})
		must("RevealContact e-proper", err)
		sawClient(res.GetSequence())
	}

	// Eight days on, the clock ticks: S2 is an absence, judged on ticks.
	judged()
	tickAt := now.Add(8 * 24 * time.Hour).Truncate(time.Hour)
	tick := clock.Tick(tickAt)

	list, err := risk.ListAlerts(ctx, &riskv1.ListAlertsRequest{PageSize: 100, ConsistentWith: []*riskv1.StreamPosition{
		{Stream: eventlog.StreamClient, Sequence: clientSeq},
		{Stream: eventlog.StreamAttendance, Sequence: attendanceSeq},
		{Stream: eventlog.StreamTick, Sequence: tick},
	}})
	must("ListAlerts", err)
	got := map[string][]string{}
	alerts := map[string]*riskv1.Alert{}
	for _, a := range list.GetAlerts() {
		got[a.GetEmployeeId()] = append(got[a.GetEmployeeId()], a.GetRuleId())
		alerts[a.GetRuleId()] = a
	}
	want := map[string][]string{
		"e-neglect": {"assigned_neglect"},
		"e-late":    {"late_registration"},
		"e-leaver":  {"departing_exfiltration"},
	}
	for _, emp := range employees {
		slices.Sort(got[emp])
		if !slices.Equal(got[emp], want[emp]) {
			t.Errorf("alerts of %s: %v, want %v", emp, got[emp], want[emp])
		}
	}
	if a := alerts["assigned_neglect"]; a != nil && !strings.Contains(a.GetExplanationEn(), "5 working day(s)") {
		t.Errorf("assigned_neglect explanation %q, want 5 working days", a.GetExplanationEn())
	}
	if a := alerts["late_registration"]; a != nil && !strings.Contains(a.GetExplanationEn(), "after 2 interaction(s)") {
		t.Errorf("late_registration explanation %q", a.GetExplanationEn())
	}
	if a := alerts["departing_exfiltration"]; a != nil {
		if a.GetSeverity() != riskv1.Severity_SEVERITY_HIGH || len(a.GetEvidence()) != 3 || a.GetEvidence()[0].GetStream() != eventlog.StreamAttendance {
			t.Errorf("departing_exfiltration: %v with %d evidence, want high with the notice, the export and the deletion: %v",
				a.GetSeverity(), len(a.GetEvidence()), a.GetEvidence())
		}
	}
}
