package risksvc_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// exportSizeRule is a tenant's own rule: an export request of at least
// min_customers customers.
func exportSizeRule(minCustomers int64) *riskv1.RuleDefinition {
	return &riskv1.RuleDefinition{
		RuleId:        "export_size",
		DescriptionEn: "an export of at least min_customers customers",
		DescriptionZh: "一次导出至少 min_customers 个客户",
		Severity:      riskv1.Severity_SEVERITY_MEDIUM,
		Trigger:       `event.type == "export_requested" && event.customer_count >= params.min_customers`,
		Parameters: []*riskv1.RuleParameter{{
			Name: "min_customers", Value: &riskv1.RuleParameter_IntValue{IntValue: minCustomers},
		}},
		Window:        durationpb.New(time.Hour),
		ExplanationEn: "export of {{.event.customer_count}} customers",
		ExplanationZh: "导出 {{.event.customer_count}} 个客户",
	}
}

// TestBacktestMeasuresDraftsAgainstHROutcomes builds a history by hand:
// four salespeople export 5, 4, 3 and 2 customers under export_size at
// threshold 3; HR confirms the first, dismisses the second and resolves
// the third as diversion confirmed. Backtests of the rule as it is, of a
// lower and of a higher threshold then raise what each would have, with
// the precision and recall HR's outcomes give them, and write nothing.
// The same history gives each employee an explained, repeatable score.
func TestBacktestMeasuresDraftsAgainstHROutcomes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	const tenant = "bt"
	adm := env.riskAs(t, stack, principal(tenant, "adm", auth.RoleAdmin))
	// The tenant's clock is external from the start (the live scheduler
	// never claims it); scores are measured at its one tick.
	clock, err := adm.AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{To: timestamppb.Now()})
	if err != nil {
		t.Fatalf("claim the clock: %v", err)
	}
	testkit.WriteAttendance(t, env.log, tenant,
		testkit.AttendanceEvent{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "team", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "team", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "boss", Payload: &attendancev1.EmployeeHired{EmployeeId: "boss", OrgUnitId: "team", Role: "manager"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s1", Payload: &attendancev1.EmployeeHired{EmployeeId: "s1", OrgUnitId: "team", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s2", Payload: &attendancev1.EmployeeHired{EmployeeId: "s2", OrgUnitId: "team", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s3", Payload: &attendancev1.EmployeeHired{EmployeeId: "s3", OrgUnitId: "team", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s4", Payload: &attendancev1.EmployeeHired{EmployeeId: "s4", OrgUnitId: "team", Role: "sales"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "other", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "other", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "boss2", Payload: &attendancev1.EmployeeHired{EmployeeId: "boss2", OrgUnitId: "other", Role: "manager"}},
	)
	hrc := env.riskAs(t, stack, principal(tenant, "hr", auth.RoleHR))
	if _, err := adm.UpsertRule(t.Context(), &riskv1.UpsertRuleRequest{RequestId: "create", Definition: exportSizeRule(3)}); err != nil {
		t.Fatalf("create export_size: %v", err)
	}
	on, err := adm.EnableRule(t.Context(), &riskv1.EnableRuleRequest{RequestId: "on", RuleId: "export_size"})
	if err != nil {
		t.Fatalf("enable export_size: %v", err)
	}
	getRule(t, adm, "export_size", on.GetSequence()) // in force from here on

	from := time.Now().Add(-time.Minute)
	var last uint64
	for i, n := range []int{5, 4, 3, 2} {
		emp := fmt.Sprintf("s%d", i+1)
		cc := env.clientAs(t, stack, principal(tenant, emp, auth.RoleSales))
		for j := range n {
			registerCustomer(t, cc, fmt.Sprintf("reg-%s-%d", emp, j))
		}
		resp, err := cc.RequestExport(t.Context(), &clientv1.RequestExportRequest{RequestId: "export-" + emp, Reason: "review"})
		if err != nil {
			t.Fatalf("%s requests an export: %v", emp, err)
		}
		last = resp.GetSequence()
	}
	alertOf := map[string]string{}
	for _, a := range alertsAfter(t, hrc, last) {
		if a.GetRuleId() == "export_size" {
			alertOf[a.GetEmployeeId()] = a.GetAlertId()
		}
	}
	if len(alertOf) != 3 || alertOf["s4"] != "" {
		t.Fatalf("export_size alerts for %v, want s1, s2 and s3", alertOf)
	}
	if _, err := hrc.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "c1", AlertId: alertOf["s1"]}); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if _, err := hrc.DismissAlert(t.Context(), &riskv1.DismissAlertRequest{RequestId: "d2", AlertId: alertOf["s2"], Reason: "routine"}); err != nil {
		t.Fatalf("dismiss: %v", err)
	}
	if _, err := hrc.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "c3", AlertId: alertOf["s3"]}); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	res, err := hrc.ResolveCase(t.Context(), &riskv1.ResolveCaseRequest{RequestId: "r3", AlertId: alertOf["s3"], Outcome: riskv1.CaseOutcome_CASE_OUTCOME_DIVERSION_CONFIRMED})
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if _, err := hrc.GetAlert(t.Context(), &riskv1.GetAlertRequest{AlertId: alertOf["s3"], MinSequence: res.GetSequence()}); err != nil {
		t.Fatalf("wait for the view: %v", err)
	}
	to := time.Now().Add(time.Minute)
	day := time.Now().UTC().Format(time.DateOnly)
	messages := env.riskMessages(t)

	type outcome struct {
		Total     int32
		Employees []string
		Quality   *riskv1.BacktestQuality
	}
	backtest := func(rc riskv1.RiskServiceClient, req *riskv1.BacktestRuleRequest) outcome {
		t.Helper()
		req.From, req.To = timestamppb.New(from), timestamppb.New(to)
		resp, err := rc.BacktestRule(t.Context(), req)
		if err != nil {
			t.Fatalf("backtest %v: %v", req, err)
		}
		var employees []string
		for _, c := range resp.GetCounts() {
			if c.GetDay() != day || c.GetAlerts() != 1 {
				t.Errorf("count %v, want one alert on %s", c, day)
			}
			employees = append(employees, c.GetEmployeeId())
		}
		if len(resp.GetAlerts()) != int(resp.GetTotal()) || resp.GetTruncated() {
			t.Errorf("%d alerts listed (truncated %v) of %d", len(resp.GetAlerts()), resp.GetTruncated(), resp.GetTotal())
		}
		for _, a := range resp.GetAlerts() {
			if a.GetRuleId() != "export_size" || a.GetRuleVersion() != 2 || !strings.HasPrefix(a.GetExplanationEn(), "export of ") {
				t.Errorf("would-be alert %v: want export_size v2 (the draft), explained", a)
			}
		}
		return outcome{resp.GetTotal(), employees, resp.GetQuality()}
	}
	param := func(n int64) []*riskv1.RuleParameter {
		return []*riskv1.RuleParameter{{Name: "min_customers", Value: &riskv1.RuleParameter_IntValue{IntValue: n}}}
	}
	for _, tc := range []struct {
		name string
		req  *riskv1.BacktestRuleRequest
		want outcome
	}{
		{"the rule in force", &riskv1.BacktestRuleRequest{RuleId: "export_size"}, outcome{3, []string{"s1", "s2", "s3"}, &riskv1.BacktestQuality{
			Positives: 2, Negatives: 1, TruePositives: 2, FalsePositives: 1, PositivesCaught: 2, PrecisionPermille: 666, RecallPermille: 1000,
		}}},
		{"a lower threshold catches s4 too, unlabelled", &riskv1.BacktestRuleRequest{RuleId: "export_size", Parameters: param(2)}, outcome{4, []string{"s1", "s2", "s3", "s4"}, &riskv1.BacktestQuality{
			Positives: 2, Negatives: 1, TruePositives: 2, FalsePositives: 1, Unlabelled: 1, PositivesCaught: 2, PrecisionPermille: 666, RecallPermille: 1000,
		}}},
		{"a higher threshold misses s3's diversion", &riskv1.BacktestRuleRequest{Definition: exportSizeRule(5)}, outcome{1, []string{"s1"}, &riskv1.BacktestQuality{
			Positives: 2, Negatives: 1, TruePositives: 1, PositivesCaught: 1, PrecisionPermille: 1000, RecallPermille: 500,
		}}},
		{"threshold 4 misses s3 and keeps the dismissed s2", &riskv1.BacktestRuleRequest{RuleId: "export_size", Parameters: param(4)}, outcome{2, []string{"s1", "s2"}, &riskv1.BacktestQuality{
			Positives: 2, Negatives: 1, TruePositives: 1, FalsePositives: 1, PositivesCaught: 1, PrecisionPermille: 500, RecallPermille: 500,
		}}},
	} {
		for _, who := range []auth.Role{auth.RoleHR, auth.RoleAuditor} {
			got := backtest(env.riskAs(t, stack, principal(tenant, "x", who)), tc.req)
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s as %s: mismatch (-want, +got):\n%s", tc.name, who, diff)
			}
		}
	}
	if n := env.riskMessages(t); n != messages {
		t.Errorf("backtests wrote to RISK: %d messages, was %d", n, messages)
	}

	// A span before the history holds nothing, and measures nothing.
	early, err := hrc.BacktestRule(t.Context(), &riskv1.BacktestRuleRequest{
		RuleId: "export_size", From: timestamppb.New(from.Add(-48 * time.Hour)), To: timestamppb.New(from.Add(-24 * time.Hour)),
	})
	if err != nil || early.GetTotal() != 0 || early.GetQuality().GetPositives() != 0 || early.GetEventsReplayed() == 0 {
		t.Errorf("backtest before the history: %v, %v; want nothing raised after replaying the history", early, err)
	}

	span := func(from, to time.Time) *riskv1.BacktestRuleRequest {
		return &riskv1.BacktestRuleRequest{RuleId: "export_size", From: timestamppb.New(from), To: timestamppb.New(to)}
	}
	badTrigger := exportSizeRule(3)
	badTrigger.Trigger = "event.type ==\n  "
	withBad := span(from, to)
	withBad.Definition = badTrigger
	unknownParam := span(from, to)
	unknownParam.Parameters = []*riskv1.RuleParameter{{Name: "max_customers", Value: &riskv1.RuleParameter_IntValue{IntValue: 1}}}
	wrongKind := span(from, to)
	wrongKind.Parameters = []*riskv1.RuleParameter{{Name: "min_customers", Value: &riskv1.RuleParameter_StringValue{StringValue: "3"}}}
	for _, tc := range []struct {
		name   string
		req    *riskv1.BacktestRuleRequest
		fields []string
	}{
		{"no span", &riskv1.BacktestRuleRequest{RuleId: "export_size"}, []string{"from", "to"}},
		{"to before from", span(to, from), []string{"to"}},
		{"over 366 days", span(from.Add(-367*24*time.Hour), from), []string{"to"}},
		{"no rule", &riskv1.BacktestRuleRequest{From: timestamppb.New(from), To: timestamppb.New(to)}, []string{"rule_id"}},
		{"bad expression", withBad, []string{"definition.trigger"}},
		{"unknown parameter", unknownParam, []string{"parameters[0].name"}},
		{"parameter of another kind", wrongKind, []string{"parameters[0]"}},
	} {
		_, err := hrc.BacktestRule(t.Context(), tc.req)
		if diff := cmp.Diff(tc.fields, violatedFields(t, err)); diff != "" {
			t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tc.name, diff)
		}
		if tc.name == "bad expression" {
			if v := platform.Violations(err); len(v) == 0 || !strings.HasPrefix(v[0].Description, "line ") {
				t.Errorf("bad expression: violation %v does not name the position", v)
			}
		}
	}
	if _, err = hrc.BacktestRule(t.Context(), span(from, to)); err != nil {
		t.Errorf("a good request after bad ones: %v", err)
	}
	unknownRule := span(from, to)
	unknownRule.RuleId = "no_such_rule"
	_, err = hrc.BacktestRule(t.Context(), unknownRule)
	wantCode(t, err, codes.NotFound)

	checkScores(t, env, stack, tenant, clock.GetLastTickAt().AsTime())
}
