package risksvc_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// checkScores reads the scores of TestBacktestMeasuresDraftsAgainstHROutcomes'
// history at the tenant's clock asOf, which is before every alert's last
// update (no decay): s1's confirmed and s3's diversion-confirmed medium
// alerts give 15 × 2 each; s2's dismissed alert and s4 give nothing. It
// walks the authorisation rows and the bad inputs of both RPCs.
func checkScores(t *testing.T, env *testEnv, stack *runningStack, tenant string, asOf time.Time) {
	t.Helper()
	as := func(subject string, role auth.Role) riskv1.RiskServiceClient {
		return env.riskAs(t, stack, principal(tenant, subject, role))
	}
	hrc := as("hr", auth.RoleHR)
	get := func(rc riskv1.RiskServiceClient, employee string) (*riskv1.EmployeeRisk, error) {
		resp, err := rc.GetEmployeeRisk(t.Context(), &riskv1.GetEmployeeRiskRequest{EmployeeId: employee})
		return resp.GetRisk(), err
	}
	for _, tc := range []struct {
		employee string
		score    int32
	}{{"s1", 30}, {"s2", 0}, {"s3", 30}, {"s4", 0}} {
		r, err := get(hrc, tc.employee)
		if err != nil {
			t.Fatalf("score of %s: %v", tc.employee, err)
		}
		if r.GetScore() != tc.score || r.GetLevel() != riskv1.RiskLevel_RISK_LEVEL_LOW || !r.GetAsOf().AsTime().Equal(asOf) || r.GetIndicatorsOnly() {
			t.Errorf("%s: score %d level %s as of %v (only %v); want %d, LOW, as of %v", tc.employee, r.GetScore(), r.GetLevel(), r.GetAsOf().AsTime(), r.GetIndicatorsOnly(), tc.score, asOf)
		}
		var sum, weights int32
		for _, ind := range r.GetIndicators() {
			sum += ind.GetPoints()
			weights += ind.GetWeight()
			if ind.GetPoints() < 0 || ind.GetPoints() > ind.GetWeight() || ind.GetExplanationEn() == "" || ind.GetExplanationZh() == "" {
				t.Errorf("%s: indicator %v out of bounds or unexplained", tc.employee, ind)
			}
		}
		for _, ind := range r.GetIndicators() {
			// The team is boss and s1–s4; alerts never get a median.
			wantSize := int32(5)
			if ind.GetName() == "alerts" {
				wantSize = 0
			}
			if ind.GetTeamSize() != wantSize {
				t.Errorf("%s: indicator %s over a team of %d, want 5 (0 for alerts)", tc.employee, ind.GetName(), ind.GetTeamSize())
			}
		}
		if sum != r.GetScore() || weights != 100 || r.GetIndicators()[0].GetName() != "alerts" || r.GetIndicators()[0].GetPoints() != tc.score {
			t.Errorf("%s: indicators %v do not add up to the score from alerts alone", tc.employee, r.GetIndicators())
		}
		again, err := get(as("auditor", auth.RoleAuditor), tc.employee)
		if diff := cmp.Diff(r, again, protocmp.Transform()); err != nil || diff != "" {
			t.Errorf("%s read again by an auditor (%v) mismatch (-first, +again):\n%s", tc.employee, err, diff)
		}
		byBoss, err := get(as("boss", auth.RoleManager), tc.employee)
		if diff := cmp.Diff(r, byBoss, protocmp.Transform()); err != nil || diff != "" {
			t.Errorf("%s read by their manager (%v) mismatch (-hr, +manager):\n%s", tc.employee, err, diff)
		}
	}

	// An employee reads only their own indicators: no alerts, no points.
	own, err := get(as("s1", auth.RoleSales), "s1")
	if err != nil {
		t.Fatalf("s1 reads their own: %v", err)
	}
	if !own.GetIndicatorsOnly() || own.GetScore() != 0 || own.GetLevel() != riskv1.RiskLevel_RISK_LEVEL_UNSPECIFIED || len(own.GetIndicators()) != 3 {
		t.Errorf("s1's own view %v; want indicators only, no score or level", own)
	}
	for _, ind := range own.GetIndicators() {
		if ind.GetName() == "alerts" || ind.GetPoints() != 0 || ind.GetWeight() != 0 || ind.GetTeamSize() != 5 {
			t.Errorf("s1's own view shows %v", ind)
		}
	}
	if boss, err := get(as("boss", auth.RoleManager), "boss"); err != nil || !boss.GetIndicatorsOnly() {
		t.Errorf("a manager reading their own: %v, %v; want indicators only", boss, err)
	}
	for _, tc := range []struct {
		name     string
		rc       riskv1.RiskServiceClient
		employee string
		code     codes.Code
	}{
		{"sales reads a colleague", as("s1", auth.RoleSales), "s2", codes.PermissionDenied},
		{"a manager elsewhere", as("boss2", auth.RoleManager), "s1", codes.PermissionDenied},
		{"admin", as("adm", auth.RoleAdmin), "s1", codes.PermissionDenied},
		{"service", as("svc", auth.RoleService), "s1", codes.PermissionDenied},
		{"unknown employee", hrc, "ghost", codes.NotFound},
		{"no employee", hrc, "", codes.InvalidArgument},
		{"bad id", hrc, "a b", codes.InvalidArgument},
	} {
		_, err := get(tc.rc, tc.employee)
		if got := status.Code(err); got != tc.code {
			t.Errorf("GetEmployeeRisk, %s: %v, want %v", tc.name, err, tc.code)
		}
	}

	list := func(rc riskv1.RiskServiceClient, unit string, size int32) ([]string, error) {
		t.Helper()
		var ids []string
		token := ""
		for {
			resp, err := rc.ListEmployeeRisk(t.Context(), &riskv1.ListEmployeeRiskRequest{OrgUnitId: unit, PageSize: size, PageToken: token})
			if err != nil {
				return ids, err
			}
			if len(resp.GetEmployees()) > int(size) {
				t.Errorf("page of %d, asked for %d", len(resp.GetEmployees()), size)
			}
			for _, e := range resp.GetEmployees() {
				ids = append(ids, e.GetEmployeeId())
			}
			if token = resp.GetNextPageToken(); token == "" {
				return ids, nil
			}
		}
	}
	want := []string{"s1", "s3", "boss", "s2", "s4"} // by score, then id
	for _, tc := range []struct {
		name string
		rc   riskv1.RiskServiceClient
		unit string
	}{
		{"hr", hrc, "team"},
		{"hr, the whole company", hrc, "co"},
		{"auditor", as("auditor", auth.RoleAuditor), "team"},
		{"the team's manager, own unit by default", as("boss", auth.RoleManager), ""},
	} {
		got, err := list(tc.rc, tc.unit, 2)
		if tc.unit == "co" {
			want := append(want[:2:2], "boss", "boss2", "s2", "s4")
			if diff := cmp.Diff(want, got); err != nil || diff != "" {
				t.Errorf("ListEmployeeRisk, %s (%v): mismatch (-want, +got):\n%s", tc.name, err, diff)
			}
			continue
		}
		if tc.name == "the team's manager, own unit by default" {
			// A manager never sees their own score (roster.Supervises).
			want := []string{"s1", "s3", "s2", "s4"}
			if diff := cmp.Diff(want, got); err != nil || diff != "" {
				t.Errorf("ListEmployeeRisk, %s (%v): mismatch (-want, +got):\n%s", tc.name, err, diff)
			}
			continue
		}
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("ListEmployeeRisk, %s (%v): mismatch (-want, +got):\n%s", tc.name, err, diff)
		}
	}
	if got, err := list(as("boss2", auth.RoleManager), "team", 50); err != nil || len(got) != 0 {
		t.Errorf("a manager elsewhere lists %v (%v) naming another team", got, err)
	}
	for _, tc := range []struct {
		name string
		rc   riskv1.RiskServiceClient
		req  *riskv1.ListEmployeeRiskRequest
		code codes.Code
	}{
		{"sales", as("s1", auth.RoleSales), &riskv1.ListEmployeeRiskRequest{OrgUnitId: "team"}, codes.PermissionDenied},
		{"admin", as("adm", auth.RoleAdmin), &riskv1.ListEmployeeRiskRequest{OrgUnitId: "team"}, codes.PermissionDenied},
		{"hr without a unit", hrc, &riskv1.ListEmployeeRiskRequest{}, codes.InvalidArgument},
		{"unknown unit", hrc, &riskv1.ListEmployeeRiskRequest{OrgUnitId: "nowhere"}, codes.NotFound},
		{"bad page token", hrc, &riskv1.ListEmployeeRiskRequest{OrgUnitId: "team", PageToken: "bm9wZQ"}, codes.InvalidArgument},
		{"bad page size", hrc, &riskv1.ListEmployeeRiskRequest{OrgUnitId: "team", PageSize: -1}, codes.InvalidArgument},
	} {
		_, err := tc.rc.ListEmployeeRisk(t.Context(), tc.req)
		if got := status.Code(err); got != tc.code {
			t.Errorf("ListEmployeeRisk, %s: %v, want %v", tc.name, err, tc.code)
		}
	}
}
