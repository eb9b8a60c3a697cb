package risksvc_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestListAlertsAndCasesFilter raises alerts for employees across an org
// tree and reads them back through every ListAlerts and ListCases filter,
// as hr and as a manager, page by page.
func TestListAlertsAndCasesFilter(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	const tenant = "q"
	testkit.WriteAttendance(t, env.log, tenant,
		testkit.AttendanceEvent{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "north", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "north", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "team-n", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "team-n", ParentId: "north"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "south", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "south", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "m-north", Payload: &attendancev1.EmployeeHired{EmployeeId: "m-north", OrgUnitId: "north", Role: "manager"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s-n1", Payload: &attendancev1.EmployeeHired{EmployeeId: "s-n1", OrgUnitId: "team-n", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s-n2", Payload: &attendancev1.EmployeeHired{EmployeeId: "s-n2", OrgUnitId: "north", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s-s1", Payload: &attendancev1.EmployeeHired{EmployeeId: "s-s1", OrgUnitId: "south", Role: "sales"}},
	)
	hrq := env.riskAs(t, stack, principal(tenant, "hr-q", auth.RoleHR))
	before := time.Now().Add(-time.Minute)
	var last uint64
	for _, e := range []struct{ employee, text string }{
		{"s-n1", privateDeal}, {"s-n2", privateDeal}, {"s-s1", cardTalk},
	} {
		cc := env.clientAs(t, stack, principal(tenant, e.employee, auth.RoleSales))
		last = logChat(t, cc, "chat-"+e.employee, registerCustomer(t, cc, "reg-"+e.employee), e.text)
	}
	all := alertsAfter(t, hrq, last)
	alertOf := map[string]*riskv1.Alert{}
	for _, a := range all {
		alertOf[a.GetEmployeeId()] = a
	}
	if len(all) != 3 || len(alertOf) != 3 {
		t.Fatalf("got %d alerts for %d employees, want one each for 3", len(all), len(alertOf))
	}
	if alertOf["s-s1"].GetSeverity() >= riskv1.Severity_SEVERITY_HIGH || alertOf["s-n1"].GetSeverity() != riskv1.Severity_SEVERITY_HIGH {
		t.Fatalf("severities %s and %s: the test needs one high and one lower", alertOf["s-n1"].GetSeverity(), alertOf["s-s1"].GetSeverity())
	}

	employeesOf := func(alerts []*riskv1.Alert) []string {
		out := []string{}
		for _, a := range alerts {
			out = append(out, a.GetEmployeeId())
		}
		slices.Sort(out)
		return out
	}
	list := func(rc riskv1.RiskServiceClient, req *riskv1.ListAlertsRequest) []string {
		t.Helper()
		resp, err := rc.ListAlerts(t.Context(), req)
		if err != nil {
			t.Fatalf("list alerts %v: %v", req, err)
		}
		return employeesOf(resp.GetAlerts())
	}
	m := env.riskAs(t, stack, principal(tenant, "m-north", auth.RoleManager))
	future := timestamppb.New(time.Now().Add(time.Hour))
	tests := []struct {
		name string
		as   riskv1.RiskServiceClient
		req  *riskv1.ListAlertsRequest
		want []string
	}{
		{"hr, everything", hrq, &riskv1.ListAlertsRequest{}, []string{"s-n1", "s-n2", "s-s1"}},
		{"hr, org unit north and below", hrq, &riskv1.ListAlertsRequest{OrgUnitId: "north"}, []string{"s-n1", "s-n2"}},
		{"hr, a leaf org unit", hrq, &riskv1.ListAlertsRequest{OrgUnitId: "team-n"}, []string{"s-n1"}},
		{"hr, high severity", hrq, &riskv1.ListAlertsRequest{MinSeverity: riskv1.Severity_SEVERITY_HIGH}, []string{"s-n1", "s-n2"}},
		{"hr, raised in the last minute", hrq, &riskv1.ListAlertsRequest{RaisedAfter: timestamppb.New(before), RaisedBefore: future}, []string{"s-n1", "s-n2", "s-s1"}},
		{"hr, raised in the future", hrq, &riskv1.ListAlertsRequest{RaisedAfter: future}, []string{}},
		{"hr, rule and status", hrq, &riskv1.ListAlertsRequest{RuleId: "sensitive_words", Status: riskv1.AlertStatus_ALERT_STATUS_RAISED, OrgUnitId: "south"}, []string{"s-s1"}},
		{"manager, their subtree", m, &riskv1.ListAlertsRequest{}, []string{"s-n1", "s-n2"}},
		{"manager, a unit outside it", m, &riskv1.ListAlertsRequest{OrgUnitId: "south"}, []string{}},
		{"manager, the whole company is cut to their subtree", m, &riskv1.ListAlertsRequest{OrgUnitId: "co"}, []string{"s-n1", "s-n2"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, list(tc.as, tc.req)); diff != "" {
			t.Errorf("%s: employees mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
	_, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{OrgUnitId: "nowhere"})
	wantCode(t, err, codes.NotFound)

	// Pages of one walk every alert once, newest first.
	var paged []*riskv1.Alert
	token := ""
	for range 4 {
		resp, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, resp.GetAlerts()...)
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"s-n1", "s-n2", "s-s1"}, employeesOf(paged)); diff != "" || paged[0].GetEmployeeId() != "s-s1" {
		t.Errorf("paged alerts mismatch (-want, +got), newest %s first:\n%s", paged[0].GetEmployeeId(), diff)
	}

	// Cases: s-n1's alert is confirmed and stays open; s-s1's is resolved.
	step := func(seq uint64, err error) uint64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	c1, err := hrq.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "c1", AlertId: alertOf["s-n1"].GetAlertId()})
	step(c1.GetSequence(), err)
	c2, err := hrq.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "c2", AlertId: alertOf["s-s1"].GetAlertId()})
	step(c2.GetSequence(), err)
	r2, err := hrq.ResolveCase(t.Context(), &riskv1.ResolveCaseRequest{RequestId: "r2", AlertId: alertOf["s-s1"].GetAlertId(), Outcome: riskv1.CaseOutcome_CASE_OUTCOME_NO_DIVERSION})
	seq := step(r2.GetSequence(), err)
	cases := func(rc riskv1.RiskServiceClient, req *riskv1.ListCasesRequest) []string {
		t.Helper()
		req.MinSequence = seq
		resp, err := rc.ListCases(t.Context(), req)
		if err != nil {
			t.Fatalf("list cases %v: %v", req, err)
		}
		out := []string{}
		for _, c := range resp.GetCases() {
			out = append(out, c.GetEmployeeId()+" "+c.GetStatus().String()+" "+c.GetOutcome().String())
			if c.GetOpenedAt() == nil || (c.GetStatus() == riskv1.AlertStatus_ALERT_STATUS_RESOLVED) != (c.GetResolvedAt() != nil) {
				t.Errorf("case %s: opened %v, resolved %v", c.GetAlertId(), c.GetOpenedAt(), c.GetResolvedAt())
			}
		}
		return out
	}
	open, resolved := "s-n1 ALERT_STATUS_CONFIRMED CASE_OUTCOME_UNSPECIFIED", "s-s1 ALERT_STATUS_RESOLVED CASE_OUTCOME_NO_DIVERSION"
	caseTests := []struct {
		name string
		as   riskv1.RiskServiceClient
		req  *riskv1.ListCasesRequest
		want []string
	}{
		{"hr, every case, newest first", hrq, &riskv1.ListCasesRequest{}, []string{resolved, open}},
		{"hr, open", hrq, &riskv1.ListCasesRequest{Status: riskv1.AlertStatus_ALERT_STATUS_CONFIRMED}, []string{open}},
		{"hr, cleared", hrq, &riskv1.ListCasesRequest{Outcome: riskv1.CaseOutcome_CASE_OUTCOME_NO_DIVERSION}, []string{resolved}},
		{"hr, one employee", hrq, &riskv1.ListCasesRequest{EmployeeId: "s-s1"}, []string{resolved}},
		{"hr, opened in the future", hrq, &riskv1.ListCasesRequest{OpenedAfter: future}, []string{}},
		{"manager, their subtree", m, &riskv1.ListCasesRequest{}, []string{open}},
	}
	for _, tc := range caseTests {
		if diff := cmp.Diff(tc.want, cases(tc.as, tc.req)); diff != "" {
			t.Errorf("%s: cases mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
	page, err := hrq.ListCases(t.Context(), &riskv1.ListCasesRequest{PageSize: 1})
	if err != nil || len(page.GetCases()) != 1 || page.GetNextPageToken() == "" {
		t.Fatalf("first page of cases: %v, %v", page, err)
	}
	next, err := hrq.ListCases(t.Context(), &riskv1.ListCasesRequest{PageSize: 1, PageToken: page.GetNextPageToken()})
	if err != nil || len(next.GetCases()) != 1 || next.GetCases()[0].GetEmployeeId() != "s-n1" || next.GetNextPageToken() != "" {
		t.Errorf("second page of cases: %v, %v", next, err)
	}
	_, err = m.ListCases(t.Context(), &riskv1.ListCasesRequest{EmployeeId: "s-s1"})
	wantCode(t, err, codes.PermissionDenied)

	// The outcomes feed the rule's effectiveness: 3 raised, 2 actioned
	// (both confirmed), confirmed ÷ actioned = 1000‰.
	// (The alert view has applied seq: the case lists above waited for it.)
	rule, err := hrq.GetRule(t.Context(), &riskv1.GetRuleRequest{RuleId: "sensitive_words"})
	if err != nil {
		t.Fatal(err)
	}
	if o := rule.GetRule().GetOutcomes(); o.GetRaised() != 3 || o.GetActioned() != 2 || o.GetConfirmed() != 2 || o.GetOpen() != 1 || o.GetConfirmedPermille() != 1000 {
		t.Errorf("sensitive_words outcomes = %v", o)
	}

	t.Run("highest risk first", func(t *testing.T) {
		// Page one alert at a time in severity order: every alert once,
		// never a higher severity after a lower, newest first within one.
		all, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		var got []*riskv1.Alert
		token := ""
		for range len(all.GetAlerts()) + 1 {
			page, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageSize: 1, PageToken: token, Order: riskv1.AlertOrder_ALERT_ORDER_SEVERITY})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page.GetAlerts()...)
			if token = page.GetNextPageToken(); token == "" {
				break
			}
		}
		if len(got) != len(all.GetAlerts()) || len(got) < 2 {
			t.Fatalf("severity order listed %d alerts, newest first %d", len(got), len(all.GetAlerts()))
		}
		seen := map[string]bool{}
		for i, a := range got {
			seen[a.GetAlertId()] = true
			if i == 0 {
				continue
			}
			prev := got[i-1]
			if a.GetSeverity() > prev.GetSeverity() || (a.GetSeverity() == prev.GetSeverity() && a.GetRaisedAt().AsTime().After(prev.GetRaisedAt().AsTime())) {
				t.Errorf("alert %d (%v, %v) follows (%v, %v)", i, a.GetSeverity(), a.GetRaisedAt().AsTime(), prev.GetSeverity(), prev.GetRaisedAt().AsTime())
			}
		}
		if got[0].GetSeverity() == got[len(got)-1].GetSeverity() {
			t.Errorf("the alerts are all %v: the order is not tested", got[0].GetSeverity())
		}
		if len(seen) != len(got) {
			t.Errorf("an alert was listed twice: %d distinct of %d", len(seen), len(got))
		}
		// A token continues only the order it was issued for.
		newest, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageSize: 1})
		if err != nil || newest.GetNextPageToken() == "" {
			t.Fatalf("first page newest first: %v, %v", newest, err)
		}
		_, err = hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageToken: newest.GetNextPageToken(), Order: riskv1.AlertOrder_ALERT_ORDER_SEVERITY})
		wantCode(t, err, codes.InvalidArgument)
		_, err = hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{Order: 7})
		if got := violatedFields(t, err); !slices.Equal(got, []string{"order"}) {
			t.Errorf("unknown order: violations %v", got)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		bad := &timestamppb.Timestamp{Seconds: -1 << 40}
		alertToken := page.GetNextPageToken() // a case list's token
		tests := []struct {
			name string
			call func() error
			want []string
		}{
			{"alerts", func() error {
				_, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
					MinSeverity: 9, OrgUnitId: "no such/unit", RaisedAfter: bad, RaisedBefore: bad, PageToken: alertToken,
				})
				return err
			}, []string{"min_severity", "org_unit_id", "page_token", "raised_after", "raised_before"}},
			{"alerts, empty period", func() error {
				_, err := hrq.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{RaisedAfter: future, RaisedBefore: future})
				return err
			}, []string{"raised_before"}},
			{"cases", func() error {
				_, err := hrq.ListCases(t.Context(), &riskv1.ListCasesRequest{
					Status: riskv1.AlertStatus_ALERT_STATUS_RAISED, Outcome: 7, EmployeeId: "a b", PageSize: -1,
					OpenedAfter: future, OpenedBefore: timestamppb.New(before), PageToken: "x",
				})
				return err
			}, []string{"employee_id", "opened_before", "outcome", "page_size", "page_token", "status"}},
			{"cases, invalid times", func() error {
				_, err := hrq.ListCases(t.Context(), &riskv1.ListCasesRequest{OpenedAfter: bad, OpenedBefore: bad})
				return err
			}, []string{"opened_after", "opened_before"}},
		}
		for _, tc := range tests {
			if diff := cmp.Diff(tc.want, violatedFields(t, tc.call())); diff != "" {
				t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tc.name, diff)
			}
		}
	})
}
