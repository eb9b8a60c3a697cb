package consolesvc

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// comparison is one of the self-view's sentences.
type comparison struct {
	Indicator *riskv1.RiskIndicator
	Sentence  string
}

// selfView is the /me page: the employee's own indicators against the
// team median, their use of today's quotas and the sensitive-word hits in
// their own records. Each section asks its API for the caller's own data;
// none of these calls can name another employee.
type selfView struct {
	Indicators []comparison
	// Quotas are plain sentences about today's reveal and claim quotas.
	Quotas        []string
	QuotasProblem sectionProblem
	Hits          []*riskv1.SensitiveHit
	HitsProblem   sectionProblem
	// HitsNext is the page token of older hits ("" when none).
	HitsNext string
}

// myHitsPage is how many hits /me shows at once.
const myHitsPage = 50

// myPage is every employee's self-view, nothing about anyone else: the
// risk API returns indicators only for oneself, and GetMyQuotas and
// ListMySensitiveHits answer only about the caller.
func (s *Server) myPage(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	risk, err := s.risk.GetEmployeeRisk(ctx, &riskv1.GetEmployeeRiskRequest{EmployeeId: ss.principal.Subject})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	lang := s.lang(r, ss)
	var view selfView
	for _, in := range risk.GetRisk().GetIndicators() {
		view.Indicators = append(view.Indicators, comparison{Indicator: in, Sentence: compareWithTeam(lang, in)})
	}
	// A failing section leaves a note and the rest of the page.
	if s.apis.client == nil {
		view.QuotasProblem = s.problemOf(r, errNotConnected)
	} else if q, err := s.apis.client.GetMyQuotas(ctx, &clientv1.GetMyQuotasRequest{}); err != nil {
		view.QuotasProblem = s.problemOf(r, err)
	} else {
		view.Quotas = quotaSentences(lang, q)
	}
	hits, err := s.risk.ListMySensitiveHits(ctx, &riskv1.ListMySensitiveHitsRequest{PageSize: myHitsPage, PageToken: r.URL.Query().Get("hits")})
	switch {
	case status.Code(err) == codes.InvalidArgument:
		view.HitsProblem = "me.hits.badpage"
	case err != nil:
		view.HitsProblem = s.problemOf(r, err)
	default:
		view.Hits, view.HitsNext = hits.GetHits(), hits.GetNextPageToken()
	}
	s.render(w, r, ss, http.StatusOK, "me.html", page{Title: "me.title", Data: view})
}

// quotaSentences says, for someone who is not an engineer, how much of
// today's quotas the employee has used and when the counts restart.
func quotaSentences(lang string, q *clientv1.GetMyQuotasResponse) []string {
	var out []string
	if q.GetRevealQuota() == 0 && q.GetRevealsUsed() == 0 {
		out = append(out, translate(lang, "me.quota.noreveals"))
	} else {
		out = append(out, fmt.Sprintf(translate(lang, "me.quota.reveals"), q.GetRevealsUsed(), q.GetRevealQuota()))
	}
	if n := q.GetRevealsRefused(); n > 0 {
		out = append(out, fmt.Sprintf(translate(lang, "me.quota.refused"), n))
	}
	out = append(out, fmt.Sprintf(translate(lang, "me.quota.claims"), q.GetClaimsUsed(), q.GetClaimQuota()))
	resets := q.GetResetsAt().AsTime()
	if loc, err := time.LoadLocation(q.GetTimeZone()); err == nil {
		resets = resets.In(loc)
	}
	out = append(out, fmt.Sprintf(translate(lang, "me.quota.resets"), resets.Format("2006-01-02 15:04"), q.GetTimeZone()))
	return out
}

// compareWithTeam says how an indicator stands against the team median,
// e.g. "10 % above your team's median (20)".
func compareWithTeam(lang string, in *riskv1.RiskIndicator) string {
	if in.GetTeamSize() < 3 {
		return translate(lang, "me.noteam")
	}
	med, v := in.GetTeamMedian(), in.GetValue()
	if med == 0 {
		if v == 0 {
			return translate(lang, "me.same")
		}
		return fmt.Sprintf(translate(lang, "me.abovezero"), v)
	}
	pct := (v - med) * 100 / med
	switch {
	case pct > 0:
		return fmt.Sprintf(translate(lang, "me.above"), pct, med)
	case pct < 0:
		return fmt.Sprintf(translate(lang, "me.below"), -pct, med)
	}
	return translate(lang, "me.same")
}

type riskListData struct {
	OrgUnit   string
	Employees []*riskv1.EmployeeRisk
	NextToken string
}

// riskList ranks a unit's employees by score (managers: their own unit by
// default).
func (s *Server) riskList(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	unit := strings.TrimSpace(r.URL.Query().Get("org_unit"))
	data := riskListData{OrgUnit: unit}
	if unit != "" || slices.Contains(ss.principal.RoleNames(), "manager") {
		resp, err := s.risk.ListEmployeeRisk(ctx, &riskv1.ListEmployeeRiskRequest{OrgUnitId: unit, PageSize: 100, PageToken: r.URL.Query().Get("page")})
		if err != nil {
			s.apiError(w, r, ss, err)
			return
		}
		data.Employees, data.NextToken = resp.GetEmployees(), resp.GetNextPageToken()
	}
	s.render(w, r, ss, http.StatusOK, "risk.html", page{Title: "risk.title", Data: data})
}
