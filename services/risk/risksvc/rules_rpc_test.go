package risksvc_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

var admin = principal("acme", "admin-1", auth.RoleAdmin)

// getRule reads one rule once the engine has applied RISK sequence seq.
func getRule(t *testing.T, rc riskv1.RiskServiceClient, id string, seq uint64) *riskv1.Rule {
	t.Helper()
	resp, err := rc.GetRule(t.Context(), &riskv1.GetRuleRequest{RuleId: id, MinSequence: seq})
	if err != nil {
		t.Fatalf("get rule %s: %v", id, err)
	}
	return resp.GetRule()
}

// TestRulesOverGRPC walks a rule through its life: the built-in pack,
// a rejected expression, a tenant's stricter version that then judges new
// events, retries, a stale version, disabling, and a rule of the tenant's own.
func TestRulesOverGRPC(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	rc := env.riskAs(t, stack, admin)

	list, err := rc.ListRules(t.Context(), &riskv1.ListRulesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	packVersion := map[string]uint32{}
	for _, r := range pack.Rules {
		packVersion[r.Definition.ID] = r.Version
	}
	var ids []string
	for _, r := range list.GetRules() {
		id := r.GetDefinition().GetRuleId()
		ids = append(ids, id)
		if r.GetVersion() != packVersion[id] || !r.GetEnabled() || !r.GetBuiltin() {
			t.Errorf("built-in %s: v%d enabled %v builtin %v, want the pack's v%d", id, r.GetVersion(), r.GetEnabled(), r.GetBuiltin(), packVersion[id])
		}
	}
	if diff := cmp.Diff([]string{
		"assigned_neglect", "bulk_export", "conversion_drop", "customer_churn_cluster", "departing_exfiltration",
		"duplicate_customer", "impossible_travel", "late_registration", "personal_collection", "reveal_spike",
		"sensitive_words", "source_contradiction", "unbacked_order", "unregistered_visit",
	}, ids); diff != "" {
		t.Errorf("rules mismatch (-want, +got):\n%s", diff)
	}

	builtin := getRule(t, rc, "sensitive_words", 0)
	bad := proto.Clone(builtin.GetDefinition()).(*riskv1.RuleDefinition)
	bad.Trigger = "event.type == \"interaction\" &&\n  event.matches >"
	_, err = rc.UpsertRule(t.Context(), &riskv1.UpsertRuleRequest{RequestId: "bad-1", Definition: bad})
	if diff := cmp.Diff([]string{"definition.trigger"}, violatedFields(t, err)); diff != "" {
		t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
	}
	if v := platform.Violations(err); len(v) == 0 || !strings.HasPrefix(v[0].Description, "line 2, column ") {
		t.Errorf("violation %v does not name the line and column", v)
	}

	strict := proto.Clone(builtin.GetDefinition()).(*riskv1.RuleDefinition)
	strict.Parameters[0].Value = &riskv1.RuleParameter_IntValue{IntValue: 1}
	upsert := &riskv1.UpsertRuleRequest{RequestId: "strict-1", Definition: strict, ExpectedVersion: 1, Reason: "one hit is enough"}
	first, err := rc.UpsertRule(t.Context(), upsert)
	if err != nil {
		t.Fatalf("upsert: %v", err)
	}
	if r := first.GetRule(); r.GetVersion() != 2 || !r.GetEnabled() || r.GetBuiltin() || r.GetUpdatedBy() != admin.Subject {
		t.Errorf("upserted rule v%d enabled %v builtin %v by %q; want v2, enabled, own, by %s",
			r.GetVersion(), r.GetEnabled(), r.GetBuiltin(), r.GetUpdatedBy(), admin.Subject)
	}
	messages := env.riskMessages(t)
	again, err := rc.UpsertRule(t.Context(), upsert)
	if err != nil {
		t.Fatalf("retried upsert: %v", err)
	}
	if again.GetSequence() != first.GetSequence() || env.riskMessages(t) != messages {
		t.Errorf("retry wrote again: sequence %d vs %d, RISK %d vs %d messages", again.GetSequence(), first.GetSequence(), env.riskMessages(t), messages)
	}
	reused := proto.Clone(upsert).(*riskv1.UpsertRuleRequest)
	reused.Reason = "something else"
	_, err = rc.UpsertRule(t.Context(), reused)
	wantCode(t, err, codes.FailedPrecondition)
	stale := proto.Clone(upsert).(*riskv1.UpsertRuleRequest)
	stale.RequestId = "strict-2"
	_, err = rc.UpsertRule(t.Context(), stale)
	wantCode(t, err, codes.FailedPrecondition)

	if got := getRule(t, rc, "sensitive_words", first.GetSequence()); !proto.Equal(got, first.GetRule()) {
		t.Errorf("GetRule after the engine applied it = %v, want %v", got, first.GetRule())
	}

	// One phrase is now high, in an alert of rule version 2.
	cc := env.clientAs(t, stack, sales)
	customer := registerCustomer(t, cc, "reg-1")
	seq := logChat(t, cc, "chat-1", customer, cardTalk)
	a := onlyAlert(t, alertsAfter(t, env.riskAs(t, stack, hr), seq))
	if a.GetRuleVersion() != 2 || a.GetSeverity() != riskv1.Severity_SEVERITY_HIGH || !strings.Contains(a.GetExplanationEn(), "1 or more") {
		t.Errorf("alert v%d %s %q; want rule v2, HIGH, threshold 1", a.GetRuleVersion(), a.GetSeverity(), a.GetExplanationEn())
	}

	_, err = rc.DisableRule(t.Context(), &riskv1.DisableRuleRequest{RequestId: "off-1", RuleId: "sensitive_words"})
	if diff := cmp.Diff([]string{"reason"}, violatedFields(t, err)); diff != "" {
		t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
	}
	off, err := rc.DisableRule(t.Context(), &riskv1.DisableRuleRequest{RequestId: "off-1", RuleId: "sensitive_words", Reason: "tuning"})
	if err != nil || off.GetRule().GetEnabled() || off.GetRule().GetVersion() != 2 {
		t.Fatalf("disable: %v, %v", off, err)
	}
	if r := getRule(t, rc, "sensitive_words", off.GetSequence()); r.GetEnabled() {
		t.Error("the engine still has the rule enabled")
	}
	seq = logChat(t, cc, "chat-2", customer, privateDeal)
	if diff := cmp.Diff([]*riskv1.Alert{a}, alertsAfter(t, env.riskAs(t, stack, hr), seq), protocmp.Transform()); diff != "" {
		t.Errorf("a disabled rule changed the alerts (-want, +got):\n%s", diff)
	}

	// A rule of the tenant's own starts disabled until enabled.
	own := proto.Clone(builtin.GetDefinition()).(*riskv1.RuleDefinition)
	own.RuleId = "chat_language"
	created, err := rc.UpsertRule(t.Context(), &riskv1.UpsertRuleRequest{RequestId: "own-1", Definition: own})
	if err != nil || created.GetRule().GetEnabled() || created.GetRule().GetVersion() != 1 {
		t.Fatalf("create own rule: %v, %v; want version 1, disabled", created, err)
	}
	on, err := rc.EnableRule(t.Context(), &riskv1.EnableRuleRequest{RequestId: "on-1", RuleId: "chat_language"})
	if err != nil || !on.GetRule().GetEnabled() {
		t.Fatalf("enable: %v, %v", on, err)
	}
	if r := getRule(t, rc, "chat_language", on.GetSequence()); !r.GetEnabled() || r.GetBuiltin() {
		t.Errorf("own rule in force: enabled %v builtin %v", r.GetEnabled(), r.GetBuiltin())
	}
	_, err = rc.EnableRule(t.Context(), &riskv1.EnableRuleRequest{RequestId: "on-2", RuleId: "no_such_rule"})
	wantCode(t, err, codes.NotFound)
	_, err = rc.GetRule(t.Context(), &riskv1.GetRuleRequest{RuleId: "Bad.Id"})
	wantCode(t, err, codes.InvalidArgument)
}

// TestRiskAuthorisationMatrix covers every RiskService RPC for every role:
// admins change rules; hr handles alerts; hr, auditors, managers and
// admins read; sales, senior sales and services do none of it.
func TestRiskAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	roles := []auth.Role{auth.RoleSales, auth.RoleSeniorSales, auth.RoleManager, auth.RoleHR, auth.RoleAuditor, auth.RoleAdmin, auth.RoleService}
	readers := []auth.Role{auth.RoleManager, auth.RoleHR, auth.RoleAuditor, auth.RoleAdmin}
	hrOnly, adminOnly := []auth.Role{auth.RoleHR}, []auth.Role{auth.RoleAdmin}
	clockMovers := []auth.Role{auth.RoleAdmin, auth.RoleService}
	evidenceTakers := []auth.Role{auth.RoleHR, auth.RoleAuditor, auth.RoleAdmin}
	def := getRule(t, env.riskAs(t, stack, principal("matrix", "a", auth.RoleAdmin)), "bulk_export", 0).GetDefinition()
	// The tenant's clock is external from the start, so the live scheduler
	// never claims it while the test runs.
	clockAt := timestamppb.New(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	if _, err := env.riskAs(t, stack, principal("matrix", "a", auth.RoleAdmin)).AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{To: clockAt}); err != nil {
		t.Fatalf("claim the clock: %v", err)
	}

	// The manager ("m-manager") manages the branch of the team the two
	// salespeople are in; m-other manages another branch.
	testkit.WriteAttendance(t, env.log, "matrix",
		testkit.AttendanceEvent{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "branch", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "branch", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "team", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "team", ParentId: "branch"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "elsewhere", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "elsewhere", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "m-manager", Payload: &attendancev1.EmployeeHired{EmployeeId: "m-manager", OrgUnitId: "branch", Role: "manager"}},
		testkit.AttendanceEvent{Type: "employee", ID: "m-other", Payload: &attendancev1.EmployeeHired{EmployeeId: "m-other", OrgUnitId: "elsewhere", Role: "manager"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s-walked", Payload: &attendancev1.EmployeeHired{EmployeeId: "s-walked", OrgUnitId: "team", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s-dismissed", Payload: &attendancev1.EmployeeHired{EmployeeId: "s-dismissed", OrgUnitId: "team", Role: "sales"}},
	)

	// Two alerts to handle: one walked to a resolved case, one dismissed.
	alertOf := func(employee string) string {
		t.Helper()
		cc := env.clientAs(t, stack, principal("matrix", employee, auth.RoleSales))
		seq := logChat(t, cc, "chat", registerCustomer(t, cc, "reg-"+employee), privateDeal)
		for _, a := range alertsAfter(t, env.riskAs(t, stack, principal("matrix", "h", auth.RoleHR)), seq) {
			if a.GetEmployeeId() == employee {
				return a.GetAlertId()
			}
		}
		t.Fatalf("no alert for %s", employee)
		return ""
	}
	walked, dismissed := alertOf("s-walked"), alertOf("s-dismissed")

	type call func(rc riskv1.RiskServiceClient, rid string) error
	rpcs := []struct {
		name    string
		allowed []auth.Role
		call    call
	}{
		{"UpsertRule", adminOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			own := proto.Clone(def).(*riskv1.RuleDefinition)
			own.RuleId = "matrix_" + strings.ToLower(strings.ReplaceAll(rid, "-", "_"))
			_, err := rc.UpsertRule(t.Context(), &riskv1.UpsertRuleRequest{RequestId: rid, Definition: own})
			return err
		}},
		{"EnableRule", adminOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.EnableRule(t.Context(), &riskv1.EnableRuleRequest{RequestId: rid, RuleId: "reveal_spike"})
			return err
		}},
		{"DisableRule", adminOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.DisableRule(t.Context(), &riskv1.DisableRuleRequest{RequestId: rid, RuleId: "bulk_export", Reason: "matrix"})
			return err
		}},
		{"ListRules", readers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.ListRules(t.Context(), &riskv1.ListRulesRequest{})
			return err
		}},
		{"GetRule", readers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.GetRule(t.Context(), &riskv1.GetRuleRequest{RuleId: "sensitive_words"})
			return err
		}},
		{"ListAlerts", readers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{EmployeeId: "s-walked"})
			return err
		}},
		{"GetAlert", readers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.GetAlert(t.Context(), &riskv1.GetAlertRequest{AlertId: walked})
			return err
		}},
		{"AcknowledgeAlert", hrOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.AcknowledgeAlert(t.Context(), &riskv1.AcknowledgeAlertRequest{RequestId: rid, AlertId: walked})
			return err
		}},
		{"ConfirmAlert", hrOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: rid, AlertId: walked})
			return err
		}},
		{"AddCaseNote", hrOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.AddCaseNote(t.Context(), &riskv1.AddCaseNoteRequest{RequestId: rid, AlertId: walked, Note: "matrix"})
			return err
		}},
		{"ResolveCase", hrOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.ResolveCase(t.Context(), &riskv1.ResolveCaseRequest{RequestId: rid, AlertId: walked, Outcome: riskv1.CaseOutcome_CASE_OUTCOME_INCONCLUSIVE})
			return err
		}},
		{"DismissAlert", hrOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.DismissAlert(t.Context(), &riskv1.DismissAlertRequest{RequestId: rid, AlertId: dismissed, Reason: "matrix"})
			return err
		}},
		{"SuppressRule", hrOnly, func(rc riskv1.RiskServiceClient, rid string) error {
			_, err := rc.SuppressRule(t.Context(), &riskv1.SuppressRuleRequest{
				RequestId: rid, RuleId: "reveal_spike", EmployeeId: "s-walked", Until: timestamppb.New(time.Now().Add(time.Hour)), Reason: "matrix",
			})
			return err
		}},
		{"GetCase", readers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: walked})
			return err
		}},
		{"ListCases", readers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.ListCases(t.Context(), &riskv1.ListCasesRequest{})
			return err
		}},
		{"ExportEvidence", evidenceTakers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.ExportEvidence(t.Context(), &riskv1.ExportEvidenceRequest{AlertId: walked, Language: "zh"})
			return err
		}},
		{"GetEvidenceKey", roles, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.GetEvidenceKey(t.Context(), &riskv1.GetEvidenceKeyRequest{})
			return err
		}},
		{"BacktestRule", []auth.Role{auth.RoleHR, auth.RoleAuditor, auth.RoleAdmin}, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.BacktestRule(t.Context(), &riskv1.BacktestRuleRequest{
				RuleId: "sensitive_words", From: timestamppb.New(time.Now().Add(-time.Hour)), To: timestamppb.New(time.Now().Add(time.Hour)),
			})
			return err
		}},
		// m-manager manages s-walked; every other caller is someone else.
		{"GetEmployeeRisk", []auth.Role{auth.RoleHR, auth.RoleAuditor, auth.RoleManager}, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.GetEmployeeRisk(t.Context(), &riskv1.GetEmployeeRiskRequest{EmployeeId: "s-walked"})
			return err
		}},
		{"ListEmployeeRisk", []auth.Role{auth.RoleHR, auth.RoleAuditor, auth.RoleManager}, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.ListEmployeeRisk(t.Context(), &riskv1.ListEmployeeRiskRequest{OrgUnitId: "team"})
			return err
		}},
		// Everyone reads their own hits; the request names nobody else.
		{"ListMySensitiveHits", roles, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.ListMySensitiveHits(t.Context(), &riskv1.ListMySensitiveHitsRequest{})
			return err
		}},
		{"AdvanceClock", clockMovers, func(rc riskv1.RiskServiceClient, _ string) error {
			_, err := rc.AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{To: clockAt})
			return err
		}},
	}
	var covered []string
	for _, rpc := range rpcs {
		covered = append(covered, rpc.name)
		for _, role := range roles {
			want := codes.PermissionDenied
			if slices.Contains(rpc.allowed, role) {
				want = codes.OK
			}
			rc := env.riskAs(t, stack, principal("matrix", "m-"+string(role), role))
			if got := status.Code(rpc.call(rc, rpc.name+"-"+string(role))); got != want {
				t.Errorf("%s as %s: %v, want %v", rpc.name, role, got, want)
			}
		}
	}
	// A manager reads only their subtree's alerts and cases.
	other := env.riskAs(t, stack, principal("matrix", "m-other", auth.RoleManager))
	_, err := other.GetAlert(t.Context(), &riskv1.GetAlertRequest{AlertId: walked})
	wantCode(t, err, codes.PermissionDenied)
	_, err = other.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{EmployeeId: "s-walked"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = other.GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: walked})
	wantCode(t, err, codes.PermissionDenied)
	_, err = other.ListCases(t.Context(), &riskv1.ListCasesRequest{EmployeeId: "s-walked"})
	wantCode(t, err, codes.PermissionDenied)
	listed := func(rc riskv1.RiskServiceClient, req *riskv1.ListAlertsRequest) []string {
		t.Helper()
		resp, err := rc.ListAlerts(t.Context(), req)
		if err != nil {
			t.Fatalf("list alerts %v: %v", req, err)
		}
		var ids []string
		for _, a := range resp.GetAlerts() {
			ids = append(ids, a.GetEmployeeId())
		}
		slices.Sort(ids)
		return ids
	}
	if got := listed(other, &riskv1.ListAlertsRequest{}); len(got) != 0 {
		t.Errorf("m-other lists alerts of %v outside their subtree", got)
	}
	if got := listed(other, &riskv1.ListAlertsRequest{OrgUnitId: "team"}); len(got) != 0 {
		t.Errorf("m-other lists alerts of %v naming another branch's team", got)
	}
	mine := env.riskAs(t, stack, principal("matrix", "m-manager", auth.RoleManager))
	if diff := cmp.Diff([]string{"s-dismissed", "s-walked"}, listed(mine, &riskv1.ListAlertsRequest{})); diff != "" {
		t.Errorf("m-manager's subtree alerts mismatch (-want, +got):\n%s", diff)
	}

	for _, m := range riskv1.RiskService_ServiceDesc.Methods {
		if !slices.Contains(covered, m.MethodName) {
			t.Errorf("RiskService.%s has no row in the authorisation matrix", m.MethodName)
		}
	}
	if n := env.ruleEvents(t, "risk.matrix.rule.>"); n != 3 {
		t.Errorf("RISK holds %d rule events of tenant matrix, want 3 (the admin's upsert and disable, hr's suppression)", n)
	}
	if n := env.ruleEvents(t, "risk.matrix.alertcase.>"); n != uint64(5+len(evidenceTakers)) {
		t.Errorf("RISK holds %d alertcase events of tenant matrix, want %d (hr's 5 steps and one evidence export per role that may take one)", n, 5+len(evidenceTakers))
	}
}

// ruleEvents counts RISK's messages on subjects matching filter.
func (e *testEnv) ruleEvents(t *testing.T, filter string) uint64 {
	t.Helper()
	s, err := e.nats.JS.Stream(t.Context(), eventlog.StreamRisk)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context(), jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n
}

// TestSuppressRuleSilencesOneEmployee: hr silences sensitive_words for one
// salesperson; their hits raise nothing while another's still do, and a
// suppression needs a reason and a future end.
func TestSuppressRuleSilencesOneEmployee(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	rc := env.riskAs(t, stack, hr)
	_, err := rc.SuppressRule(t.Context(), &riskv1.SuppressRuleRequest{
		RequestId: "s1", RuleId: "sensitive_words", EmployeeId: sales.Subject, Until: timestamppb.New(time.Now().Add(-time.Hour)),
	})
	if diff := cmp.Diff([]string{"reason", "until"}, violatedFields(t, err)); diff != "" {
		t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
	}
	_, err = rc.SuppressRule(t.Context(), &riskv1.SuppressRuleRequest{
		RequestId: "s2", RuleId: "no_such_rule", EmployeeId: sales.Subject, Until: timestamppb.New(time.Now().Add(time.Hour)), Reason: "x",
	})
	wantCode(t, err, codes.NotFound)
	resp, err := rc.SuppressRule(t.Context(), &riskv1.SuppressRuleRequest{
		RequestId: "s3", RuleId: "sensitive_words", EmployeeId: sales.Subject, Until: timestamppb.New(time.Now().Add(24 * time.Hour)),
		Reason: "role-play training with scripted private-deal phrases",
	})
	if err != nil {
		t.Fatal(err)
	}
	getRule(t, rc, "sensitive_words", resp.GetSequence()) // the engine has applied it

	cc := env.clientAs(t, stack, sales)
	logChat(t, cc, "chat-1", registerCustomer(t, cc, "reg-1"), privateDeal)
	zc := env.clientAs(t, stack, principal("acme", "sales-zhao", auth.RoleSales))
	last := logChat(t, zc, "chat-2", registerCustomer(t, zc, "reg-2"), privateDeal)
	a := onlyAlert(t, alertsAfter(t, rc, last))
	if a.GetEmployeeId() != "sales-zhao" {
		t.Errorf("alert for %s, want only sales-zhao's: %s is suppressed", a.GetEmployeeId(), sales.Subject)
	}
}
