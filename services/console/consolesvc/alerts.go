package consolesvc

import (
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// queueFilter is the alert queue's filter form, as submitted.
type queueFilter struct {
	Status, Rule, Employee, PageToken string
}

type queueData struct {
	Filter    queueFilter
	Statuses  []string
	Alerts    []*riskv1.Alert
	NextToken string
}

var statusByName = map[string]riskv1.AlertStatus{
	"raised": riskv1.AlertStatus_ALERT_STATUS_RAISED, "acknowledged": riskv1.AlertStatus_ALERT_STATUS_ACKNOWLEDGED,
	"dismissed": riskv1.AlertStatus_ALERT_STATUS_DISMISSED, "confirmed": riskv1.AlertStatus_ALERT_STATUS_CONFIRMED,
	"resolved": riskv1.AlertStatus_ALERT_STATUS_RESOLVED,
}

// alertQueue lists the alerts the user may see, filtered.
func (s *Server) alertQueue(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	f := queueFilter{Status: q.Get("status"), Rule: strings.TrimSpace(q.Get("rule")), Employee: strings.TrimSpace(q.Get("employee")), PageToken: q.Get("page")}
	req := &riskv1.ListAlertsRequest{PageSize: 50, PageToken: f.PageToken, RuleId: f.Rule, EmployeeId: f.Employee, Status: statusByName[f.Status]}
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	resp, err := s.risk.ListAlerts(ctx, req)
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.render(w, r, ss, http.StatusOK, "alerts.html", page{Title: "alerts.title", Data: queueData{
		Filter: f, Statuses: []string{"raised", "acknowledged", "dismissed", "confirmed", "resolved"},
		Alerts: resp.GetAlerts(), NextToken: resp.GetNextPageToken(),
	}})
}

type alertData struct {
	Alert *riskv1.Alert
	Case  *riskv1.Case
}

// alertPage shows one alert, its evidence and its case.
func (s *Server) alertPage(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	id := r.PathValue("id")
	seq, _ := strconv.ParseUint(r.URL.Query().Get("seq"), 10, 64)
	a, err := s.risk.GetAlert(ctx, &riskv1.GetAlertRequest{AlertId: id, MinSequence: seq})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	c, err := s.risk.GetCase(ctx, &riskv1.GetCaseRequest{AlertId: id})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.render(w, r, ss, http.StatusOK, "alert.html", page{Title: "alert.title", Data: alertData{Alert: a.GetAlert(), Case: c.GetCase()}})
}

var outcomeByName = map[string]riskv1.CaseOutcome{
	"diversion": riskv1.CaseOutcome_CASE_OUTCOME_DIVERSION_CONFIRMED, "nodiversion": riskv1.CaseOutcome_CASE_OUTCOME_NO_DIVERSION,
	"inconclusive": riskv1.CaseOutcome_CASE_OUTCOME_INCONCLUSIVE,
}

// alertAction performs one step of HR's handling. The form's request id
// makes a double submit one step, not two.
func (s *Server) alertAction(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	id, text := r.PathValue("id"), strings.TrimSpace(r.PostForm.Get("text"))
	reqID := r.PostForm.Get("request_id")
	if _, err := uuid.Parse(reqID); err != nil {
		reqID = uuid.NewString()
	}
	var (
		resp interface{ GetSequence() uint64 }
		err  error
	)
	switch r.PathValue("action") {
	case "ack":
		resp, err = s.risk.AcknowledgeAlert(ctx, &riskv1.AcknowledgeAlertRequest{RequestId: reqID, AlertId: id, Note: text})
	case "dismiss":
		resp, err = s.risk.DismissAlert(ctx, &riskv1.DismissAlertRequest{RequestId: reqID, AlertId: id, Reason: text})
	case "confirm":
		resp, err = s.risk.ConfirmAlert(ctx, &riskv1.ConfirmAlertRequest{RequestId: reqID, AlertId: id, Note: text})
	case "resolve":
		resp, err = s.risk.ResolveCase(ctx, &riskv1.ResolveCaseRequest{RequestId: reqID, AlertId: id, Outcome: outcomeByName[r.PostForm.Get("outcome")], Note: text})
	case "note":
		resp, err = s.risk.AddCaseNote(ctx, &riskv1.AddCaseNoteRequest{RequestId: reqID, AlertId: id, Note: text})
	default:
		s.render(w, r, ss, http.StatusNotFound, "error.html", page{Problem: "error.notfound"})
		return
	}
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	// The page after the step waits for the alert view to show it.
	http.Redirect(w, r, "/alerts/"+url.PathEscape(id)+"?seq="+strconv.FormatUint(resp.GetSequence(), 10), http.StatusSeeOther)
}

// fieldViolations lists an InvalidArgument status's field violations.
func fieldViolations(st *status.Status) []string {
	var out []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField()+": "+v.GetDescription())
			}
		}
	}
	if len(out) == 0 {
		out = append(out, st.Message())
	}
	return out
}

// templateFuncs are the helpers templates use to show API values.
var templateFuncs = template.FuncMap{
	"severityKey": func(s riskv1.Severity) string {
		return "severity." + strings.ToLower(strings.TrimPrefix(s.String(), "SEVERITY_"))
	},
	"statusKey": func(s riskv1.AlertStatus) string {
		return "status." + strings.ToLower(strings.TrimPrefix(s.String(), "ALERT_STATUS_"))
	},
	"severityClass": func(s riskv1.Severity) string {
		return strings.ToLower(strings.TrimPrefix(s.String(), "SEVERITY_"))
	},
	"when": func(ts *timestamppb.Timestamp) string {
		if ts == nil {
			return ""
		}
		return ts.AsTime().UTC().Format("2006-01-02 15:04 UTC")
	},
	"explanation": func(lang string, a *riskv1.Alert) string {
		if lang == langZH {
			return a.GetExplanationZh()
		}
		return a.GetExplanationEn()
	},
	"newRequestID": uuid.NewString,
	"levelKey": func(l riskv1.RiskLevel) string {
		return "level." + strings.ToLower(strings.TrimPrefix(l.String(), "RISK_LEVEL_"))
	},
	"levelClass": func(l riskv1.RiskLevel) string {
		return strings.ToLower(strings.TrimPrefix(l.String(), "RISK_LEVEL_"))
	},
}

// evidenceBundle downloads the case's signed evidence bundle, built by the
// risk service with the user's identity (hr, auditor or admin).
func (s *Server) evidenceBundle(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	lang := r.URL.Query().Get("lang")
	if lang != langZH {
		lang = langEN
	}
	resp, err := s.risk.ExportEvidence(ctx, &riskv1.ExportEvidenceRequest{AlertId: r.PathValue("id"), Language: lang})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": resp.GetFileName()}))
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.GetBundle())))
	_, _ = w.Write(resp.GetBundle())
}
