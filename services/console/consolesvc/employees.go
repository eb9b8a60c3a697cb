package consolesvc

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// comparison is one of the self-view's sentences.
type comparison struct {
	Indicator *riskv1.RiskIndicator
	Sentence  string
}

// myPage is every employee's self-view: their own indicators against the
// team median, nothing about anyone else (the API returns indicators only).
func (s *Server) myPage(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	risk, err := s.risk.GetEmployeeRisk(ctx, &riskv1.GetEmployeeRiskRequest{EmployeeId: ss.principal.Subject})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	lang := s.lang(r, ss)
	var rows []comparison
	for _, in := range risk.GetRisk().GetIndicators() {
		rows = append(rows, comparison{Indicator: in, Sentence: compareWithTeam(lang, in)})
	}
	s.render(w, r, ss, http.StatusOK, "me.html", page{Title: "me.title", Data: rows})
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
