package consolesvc

import (
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// queueFilter is the alert queue's filter form, as submitted.
type queueFilter struct {
	Status, Rule, Employee, MinSeverity, OrgUnit, From, To, PageToken string
	// Sort is "risk" (highest severity first) or empty (newest first).
	Sort string
}

// values is the filter as a query string, so paging links carry every
// filter.
func (f queueFilter) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{
		"status": f.Status, "rule": f.Rule, "employee": f.Employee, "min_severity": f.MinSeverity,
		"org_unit": f.OrgUnit, "from": f.From, "to": f.To, "sort": f.Sort,
	} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

type queueData struct {
	Filter     queueFilter
	Statuses   []string
	Severities []string
	Alerts     []*riskv1.Alert
	// NextURL is the next page's link, empty on the last page.
	NextURL string
	// EmployeeID is the employee Filter.Employee refers to (empty: all).
	EmployeeID string
}

var statusByName = map[string]riskv1.AlertStatus{
	"raised": riskv1.AlertStatus_ALERT_STATUS_RAISED, "acknowledged": riskv1.AlertStatus_ALERT_STATUS_ACKNOWLEDGED,
	"dismissed": riskv1.AlertStatus_ALERT_STATUS_DISMISSED, "confirmed": riskv1.AlertStatus_ALERT_STATUS_CONFIRMED,
	"resolved": riskv1.AlertStatus_ALERT_STATUS_RESOLVED,
}

var severityByName = map[string]riskv1.Severity{
	"low": riskv1.Severity_SEVERITY_LOW, "medium": riskv1.Severity_SEVERITY_MEDIUM, "high": riskv1.Severity_SEVERITY_HIGH,
}

// alertQueue lists the alerts the user may see, filtered.
func (s *Server) alertQueue(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	f := queueFilter{
		Status: q.Get("status"), Rule: strings.TrimSpace(q.Get("rule")), Employee: strings.TrimSpace(q.Get("employee")),
		MinSeverity: q.Get("min_severity"), OrgUnit: strings.TrimSpace(q.Get("org_unit")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), PageToken: q.Get("page"),
		Sort: q.Get("sort"),
	}
	req := &riskv1.ListAlertsRequest{
		PageSize: 50, PageToken: f.PageToken, RuleId: f.Rule, Status: statusByName[f.Status],
		MinSeverity: severityByName[f.MinSeverity], OrgUnitId: f.OrgUnit,
	}
	lang := s.lang(r, ss)
	var bad []string
	switch f.Sort {
	case "":
	case "risk":
		req.Order = riskv1.AlertOrder_ALERT_ORDER_SEVERITY
	default:
		bad = append(bad, "sort: "+translate(lang, "invalid.sort"))
	}
	// The employee filter is a reference from one of the console's own
	// links (an employee page's "alerts"), never an id typed by hand: the
	// queue would show that id's pseudonym.
	if f.Employee != "" {
		id, ok := s.names.resolve(ss.principal.Tenant, f.Employee)
		if !ok {
			bad = append(bad, "employee: "+translate(lang, "invalid.employeeref"))
		}
		req.EmployeeId = id
	}
	// The period is whole UTC days, both ends included.
	if from, ok := parseDay(lang, "from", f.From, &bad); ok {
		req.RaisedAfter = timestamppb.New(from)
	}
	if to, ok := parseDay(lang, "to", f.To, &bad); ok {
		req.RaisedBefore = timestamppb.New(to.AddDate(0, 0, 1))
	}
	if len(bad) > 0 {
		s.invalid(w, r, ss, bad)
		return
	}
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	resp, err := s.risk.ListAlerts(ctx, req)
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	data := queueData{
		Filter: f, Statuses: []string{"raised", "acknowledged", "dismissed", "confirmed", "resolved"},
		Severities: []string{"low", "medium", "high"}, Alerts: resp.GetAlerts(), EmployeeID: req.GetEmployeeId(),
	}
	if next := resp.GetNextPageToken(); next != "" {
		v := f.values()
		v.Set("page", next)
		data.NextURL = "/alerts?" + v.Encode()
	}
	s.render(w, r, ss, http.StatusOK, "alerts.html", page{Title: "alerts.title", Data: data})
}

// dayLayout is how date inputs submit a day.
const dayLayout = "2006-01-02"

// parseDay reads a YYYY-MM-DD field as the start of that UTC day. An empty
// field is absent (false, no violation); a malformed one adds a violation.
func parseDay(lang, field, v string, bad *[]string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(dayLayout, v)
	if err != nil {
		*bad = append(*bad, field+": "+translate(lang, "invalid.day"))
		return time.Time{}, false
	}
	return t, true
}

// invalid answers a form the console itself found wrong, before any API
// call, as the API's own field violations are shown.
func (s *Server) invalid(w http.ResponseWriter, r *http.Request, ss *session, fields []string) {
	s.render(w, r, ss, http.StatusBadRequest, "error.html", page{Problem: "error.invalid", Fields: fields})
}

type alertData struct {
	Alert *riskv1.Alert
	Case  *riskv1.Case
	// Suppressed is the day a suppression just made lasts until.
	Suppressed string
	// SuppressMin and SuppressMax bound the suppression form's date.
	SuppressMin, SuppressMax string
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
	s.render(w, r, ss, http.StatusOK, "alert.html", page{Title: "alert.title", Data: alertData{
		Alert: a.GetAlert(), Case: c.GetCase(), Suppressed: suppressedDay(r.URL.Query().Get("suppressed")),
		SuppressMin: s.now().UTC().AddDate(0, 0, 1).Format(dayLayout), SuppressMax: s.now().UTC().AddDate(0, 0, 180).Format(dayLayout),
	}})
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

// suppressAlert silences the alert's rule for its employee until the
// chosen day (its start, UTC), with HR's reason. The rule and employee come
// from the alert as the API returns it, not from the form.
func (s *Server) suppressAlert(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	id := r.PathValue("id")
	var bad []string
	until, ok := parseDay(s.lang(r, ss), "until", strings.TrimSpace(r.PostForm.Get("until")), &bad)
	if !ok && len(bad) == 0 {
		bad = append(bad, "until: "+translate(s.lang(r, ss), "invalid.day"))
	}
	if len(bad) > 0 {
		s.invalid(w, r, ss, bad)
		return
	}
	a, err := s.risk.GetAlert(ctx, &riskv1.GetAlertRequest{AlertId: id})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	if _, err := s.risk.SuppressRule(ctx, &riskv1.SuppressRuleRequest{
		RequestId: requestID(r), RuleId: a.GetAlert().GetRuleId(), EmployeeId: a.GetAlert().GetEmployeeId(),
		Until: timestamppb.New(until), Reason: strings.TrimSpace(r.PostForm.Get("reason")),
	}); err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	v := url.Values{"suppressed": {until.Format(dayLayout)}}
	http.Redirect(w, r, "/alerts/"+url.PathEscape(id)+"?"+v.Encode(), http.StatusSeeOther) //nolint:gosec // a local path: the alert id is path-escaped
}

// suppressedDay is the redirect's note of a suppression just made, shown
// only when it is a day, as the console wrote it.
func suppressedDay(v string) string {
	if _, err := time.Parse(dayLayout, v); err != nil {
		return ""
	}
	return v
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
	"ruleDescription": func(lang string, d *riskv1.RuleDefinition) string {
		if lang == langZH {
			return d.GetDescriptionZh()
		}
		return d.GetDescriptionEn()
	},
	"paramValue": paramValue,
	"paramField": paramField,
	"permille":   func(p int32) string { return fmt.Sprintf("%d.%d %%", p/10, p%10) },
	"levelClass": func(l riskv1.RiskLevel) string {
		return strings.ToLower(strings.TrimPrefix(l.String(), "RISK_LEVEL_"))
	},
}

// evidenceBundle downloads the case's signed evidence bundle, built by the
// risk service with the user's identity (hr, auditor or admin). The link
// carries a request id made when the page was shown, so a double click or
// a retried download is recorded on the case once.
func (s *Server) evidenceBundle(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	lang := r.URL.Query().Get("lang")
	if lang != langZH {
		lang = langEN
	}
	resp, err := s.risk.ExportEvidence(ctx, &riskv1.ExportEvidenceRequest{
		AlertId: r.PathValue("id"), Language: lang, RequestId: r.URL.Query().Get("request"),
	})
	if status.Code(err) == codes.FailedPrecondition && r.URL.Query().Get("request") != "" {
		// The link's request id names an export of the case as it was
		// when the page was shown; the case has moved on since.
		s.render(w, r, ss, http.StatusConflict, "error.html", page{Problem: "bundle.stale"})
		return
	}
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": resp.GetFileName()}))
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.GetBundle())))
	_, _ = w.Write(resp.GetBundle())
}
