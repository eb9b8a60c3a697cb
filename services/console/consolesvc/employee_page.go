package consolesvc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// employeeAPIs are the services the employee page reads besides risk; a
// nil one is not connected.
type employeeAPIs struct {
	client     clientv1.ClientServiceClient
	order      orderv1.OrderServiceClient
	attendance attendancev1.AttendanceServiceClient
}

func newEmployeeAPIs(cfg Config) employeeAPIs {
	var a employeeAPIs
	if cfg.Client != nil {
		a.client = clientv1.NewClientServiceClient(cfg.Client)
	}
	if cfg.Order != nil {
		a.order = orderv1.NewOrderServiceClient(cfg.Order)
	}
	if cfg.Attendance != nil {
		a.attendance = attendancev1.NewAttendanceServiceClient(cfg.Attendance)
	}
	return a
}

// Bounds of the employee page. The timeline shows the newest
// timelineLimit entries before its cursor; each source is read up to
// sourcePages pages of sourcePage, so one busy source cannot make the page
// slow, and the "older" link continues where the page stopped.
const (
	timelineLimit = 200
	sourcePage    = 200
	sourcePages   = 5
	customerLimit = 200
	orderPages    = 25
)

// Timeline sources, named as the streams the events are in (what alert
// evidence names).
const (
	srcClient     = "CLIENT"
	srcOrder      = "ORDER"
	srcAttendance = "ATTENDANCE"
	srcRisk       = "RISK"
)

// timelineEntry is one line of the employee's timeline.
type timelineEntry struct {
	At time.Time
	// What is the localised account of the event.
	What string
	// By is the employee who acted; empty for Holdfast itself.
	By string
	// Source is the stream the event is in; Sequence locates it there
	// (0 when the API does not say, e.g. for orders).
	Source   string
	Sequence uint64
	// Evidence says the event supports one of the employee's alerts.
	Evidence bool
	// AlertID links an alert's own entry.
	AlertID string
}

// sectionProblem is why a section shows nothing: a message key.
type sectionProblem = string

type employeePageData struct {
	ID            string
	Risk          *riskv1.EmployeeRisk
	RiskProblem   sectionProblem
	Alerts        []*riskv1.Alert
	AlertsProblem sectionProblem
	Timeline      []timelineEntry
	// TimelineProblems lists, per source the user may not read (or that
	// failed), "source: why".
	TimelineProblems []string
	// OlderURL continues the timeline before its last entry.
	OlderURL         string
	Customers        []*clientv1.Customer
	CustomersProblem sectionProblem
	CheckIns         []checkInRow
	CheckInsProblem  sectionProblem
	// Map is an inline SVG scatter of the check-ins (a data: URL, which the
	// CSP allows for images), empty without check-ins.
	Map template.URL
}

// checkInRow is a check-in and whether it is alert evidence.
type checkInRow struct {
	*attendancev1.CheckIn
	Evidence bool
}

// employeeReads is what the page's API calls returned.
type employeeReads struct {
	risk         *riskv1.EmployeeRisk
	alerts       []*riskv1.Alert
	interactions []*clientv1.Interaction
	orders       []*orderv1.Order
	lifecycle    []*attendancev1.TimelineEntry
	checkIns     []*attendancev1.CheckIn
	customers    []*clientv1.Customer
	// errs is each call's failure, by section name.
	errs map[string]error
	// more says a source had more than the page read.
	more bool
}

// employeePage shows one employee: risk score and indicators, a timeline
// merged from every service, the customers they hold and their check-ins.
// Every part is read as the user, and a part the user may not read is
// shown as such while the rest of the page stands; only when the user may
// read no part at all is the answer a 403 (or 404).
func (s *Server) employeePage(w http.ResponseWriter, r *http.Request, ss *session) {
	id, ok := s.employeeID(r, ss)
	if !ok {
		s.render(w, r, ss, http.StatusNotFound, "error.html", page{Problem: "error.notfound"})
		return
	}
	before := time.Time{}
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.invalid(w, r, ss, []string{"before: " + translate(s.lang(r, ss), "invalid.before")})
			return
		}
		before = time.Unix(0, n).UTC()
	}
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	reads := s.readEmployee(ctx, id, before)
	for _, err := range reads.errs {
		if status.Code(err) == codes.Unauthenticated {
			s.apiError(w, r, ss, err)
			return
		}
	}
	lang := s.lang(r, ss)
	data := employeePageData{
		ID: id, Risk: reads.risk, Alerts: reads.alerts, Customers: reads.customers,
		RiskProblem: s.problemOf(r, reads.errs["risk"]), AlertsProblem: s.problemOf(r, reads.errs["alerts"]),
		CustomersProblem: s.problemOf(r, reads.errs["customers"]), CheckInsProblem: s.problemOf(r, reads.errs["checkins"]),
	}
	evidence := evidenceOf(reads.alerts)
	data.Timeline = buildTimeline(lang, reads, evidence, before)
	for _, src := range []struct{ name, key string }{
		{"interactions", "employee.src.interactions"},
		{"orders", "employee.src.orders"},
		{"lifecycle", "employee.src.lifecycle"},
		{"checkins", "employee.src.checkins"},
		{"alerts", "employee.src.alerts"},
	} {
		if p := s.problemOf(r, reads.errs[src.name]); p != "" {
			data.TimelineProblems = append(data.TimelineProblems, translate(lang, src.key)+": "+translate(lang, p))
		}
	}
	if len(data.Timeline) > timelineLimit {
		// The "older" link continues before the last entry's time, so the
		// cut never falls between entries of the same time: the page then
		// shows them all rather than lose the rest.
		cut := timelineLimit
		for cut < len(data.Timeline) && data.Timeline[cut].At.Equal(data.Timeline[cut-1].At) {
			cut++
		}
		data.Timeline = data.Timeline[:cut]
		reads.more = true
	}
	if reads.more && len(data.Timeline) > 0 {
		v := url.Values{"before": {strconv.FormatInt(data.Timeline[len(data.Timeline)-1].At.UnixNano(), 10)}}
		data.OlderURL = "/employees/" + s.names.ref(ss.principal.Tenant, id) + "?" + v.Encode()
	}
	for _, c := range reads.checkIns {
		data.CheckIns = append(data.CheckIns, checkInRow{CheckIn: c, Evidence: evidence[evidenceKey(srcAttendance, c.GetSequence())]})
	}
	data.Map = checkInMap(data.CheckIns)
	s.render(w, r, ss, pageStatus(reads.errs), "employee.html", page{Title: "employee.title", Data: data})
}

// pageStatus is 403 (or 404) when every part of the page the console could
// ask for was refused (or not found), 200 otherwise.
func pageStatus(errs map[string]error) int {
	asked, denied, missing := 0, 0, 0
	for _, section := range employeeSections {
		err := errs[section]
		if err == errNotConnected { //nolint:errorlint // the sentinel itself, never wrapped
			continue
		}
		asked++
		switch status.Code(err) {
		case codes.PermissionDenied:
			denied++
		case codes.NotFound:
			missing++
		}
	}
	switch {
	case asked == 0 || denied+missing < asked:
		return http.StatusOK
	case denied == asked:
		return http.StatusForbidden
	}
	return http.StatusNotFound
}

// employeeSections are the page's reads.
var employeeSections = []string{"risk", "alerts", "interactions", "orders", "lifecycle", "checkins", "customers"}

// errNotConnected stands for a service the console has no connection to.
var errNotConnected = status.Error(codes.Unimplemented, "not connected")

// errTooMany stands for a source with more entries before the cursor than
// the page reads.
var errTooMany = status.Error(codes.ResourceExhausted, "too many to read")

// problemOf is the message key for a section's failure, "" for none.
func (s *Server) problemOf(r *http.Request, err error) sectionProblem {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, errNotConnected):
		return "employee.notconnected"
	case errors.Is(err, errTooMany):
		return "employee.toomany"
	}
	switch status.Code(err) {
	case codes.PermissionDenied:
		return "employee.denied"
	case codes.NotFound:
		return "employee.notfound"
	case codes.Unavailable, codes.DeadlineExceeded:
		return "error.unavailable"
	}
	s.cfg.Logger.ErrorContext(r.Context(), "console: employee page call failed", "error", err)
	return "error.title"
}

// readEmployee makes the page's calls at once, as the user.
func (s *Server) readEmployee(ctx context.Context, id string, before time.Time) employeeReads {
	var (
		out employeeReads
		mu  sync.Mutex
		wg  sync.WaitGroup
	)
	out.errs = map[string]error{}
	fail := func(section string, err error) {
		mu.Lock()
		defer mu.Unlock()
		out.errs[section] = err
	}
	more := func() { mu.Lock(); out.more = true; mu.Unlock() }
	var beforeTS *timestamppb.Timestamp
	if !before.IsZero() {
		beforeTS = timestamppb.New(before)
	}
	wg.Go(func() {
		resp, err := s.risk.GetEmployeeRisk(ctx, &riskv1.GetEmployeeRiskRequest{EmployeeId: id})
		if err != nil {
			fail("risk", err)
			return
		}
		out.risk = resp.GetRisk()
	})
	wg.Go(func() {
		resp, err := s.risk.ListAlerts(ctx, &riskv1.ListAlertsRequest{EmployeeId: id, PageSize: 100})
		if err != nil {
			fail("alerts", err)
			return
		}
		out.alerts = resp.GetAlerts()
	})
	wg.Go(func() {
		if s.apis.client == nil {
			fail("interactions", errNotConnected)
			return
		}
		// Interactions come newest first with no time filter: read pages
		// until they reach the cursor.
		req := &clientv1.ListInteractionsRequest{EmployeeId: id, PageSize: sourcePage}
		var got []*clientv1.Interaction
		for range sourcePages {
			resp, err := s.apis.client.ListInteractions(ctx, req)
			if err != nil {
				fail("interactions", err)
				return
			}
			for _, in := range resp.GetInteractions() {
				if before.IsZero() || in.GetOccurredAt().AsTime().Before(before) {
					got = append(got, in)
				}
			}
			if resp.GetNextPageToken() == "" {
				out.interactions = got
				return
			}
			if len(got) >= timelineLimit {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		out.interactions = got
		more()
	})
	wg.Go(func() {
		if s.apis.order == nil {
			fail("orders", errNotConnected)
			return
		}
		// Orders come oldest first: read on, keeping only the newest a
		// page can show, up to orderPages pages.
		req := &orderv1.ListOrdersRequest{SellerId: id, CreatedTo: beforeTS, PageSize: sourcePage}
		var got []*orderv1.Order
		for range orderPages {
			resp, err := s.apis.order.ListOrders(ctx, req)
			if err != nil {
				fail("orders", err)
				return
			}
			got = append(got, resp.GetOrders()...)
			if len(got) > timelineLimit {
				got = slices.Clone(got[len(got)-timelineLimit:])
			}
			if resp.GetNextPageToken() == "" {
				out.orders = got
				return
			}
			req.PageToken = resp.GetNextPageToken()
		}
		// More orders than the cap before the cursor: the newest were not
		// reached. Say so rather than show the older ones as the latest.
		fail("orders", errTooMany)
	})
	wg.Go(func() {
		if s.apis.attendance == nil {
			fail("lifecycle", errNotConnected)
			return
		}
		resp, err := s.apis.attendance.GetEmployeeTimeline(ctx, &attendancev1.GetEmployeeTimelineRequest{EmployeeId: id})
		if err != nil {
			fail("lifecycle", err)
			return
		}
		out.lifecycle = resp.GetEntries()
	})
	wg.Go(func() {
		if s.apis.attendance == nil {
			fail("checkins", errNotConnected)
			return
		}
		resp, err := s.apis.attendance.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{EmployeeId: id, To: beforeTS, PageSize: sourcePage})
		if err != nil {
			fail("checkins", err)
			return
		}
		out.checkIns = resp.GetCheckIns()
		if resp.GetNextPageToken() != "" {
			more()
		}
	})
	wg.Go(func() {
		if s.apis.client == nil {
			fail("customers", errNotConnected)
			return
		}
		resp, err := s.apis.client.ListCustomers(ctx, &clientv1.ListCustomersRequest{OwnerEmployeeId: id, PageSize: customerLimit})
		if err != nil {
			fail("customers", err)
			return
		}
		out.customers = resp.GetCustomers()
	})
	wg.Wait()
	return out
}

func evidenceKey(stream string, seq uint64) string { return stream + "#" + strconv.FormatUint(seq, 10) }

// evidenceOf is the set of events that support the alerts, by stream and
// sequence: the evidence's own address, which every timeline source that
// has a sequence can be matched on.
func evidenceOf(alerts []*riskv1.Alert) map[string]bool {
	out := map[string]bool{}
	for _, a := range alerts {
		for _, e := range a.GetEvidence() {
			out[evidenceKey(e.GetStream(), e.GetSequence())] = true
		}
	}
	return out
}

// buildTimeline merges the sources newest first, keeping entries before
// the cursor (all when it is zero). Evidence the sources do not list
// themselves (an order's events, which the order API does not address by
// sequence) is added as entries of its own, so every supporting event is on
// the timeline and highlighted.
func buildTimeline(lang string, rd employeeReads, evidence map[string]bool, before time.Time) []timelineEntry {
	var out []timelineEntry
	add := func(e timelineEntry) {
		if e.At.IsZero() || (!before.IsZero() && !e.At.Before(before)) {
			return
		}
		if e.Sequence != 0 {
			e.Evidence = evidence[evidenceKey(e.Source, e.Sequence)]
		}
		out = append(out, e)
	}
	for _, in := range rd.interactions {
		what := fmt.Sprintf(translate(lang, "tl.interaction"), enumWord(in.GetKind().String(), "INTERACTION_KIND_"),
			enumWord(in.GetDirection().String(), "DIRECTION_"), orDash(in.GetCustomerId()+in.GetMaskedCounterparty()))
		if t := in.GetText(); t != "" {
			what += ": " + clip(t, 120)
		}
		if in.GetDeleted() {
			what += " " + translate(lang, "tl.deleted")
		}
		add(timelineEntry{At: in.GetOccurredAt().AsTime(), What: what, By: in.GetEmployeeId(), Source: srcClient, Sequence: in.GetSequence()})
	}
	for _, o := range rd.orders {
		add(timelineEntry{
			At: o.GetCreatedAt().AsTime(), By: o.GetSellerId(), Source: srcOrder,
			What: fmt.Sprintf(translate(lang, "tl.order.created"), o.GetOrderId(), o.GetCustomerId(), money(o.GetAmountMinor(), o.GetCurrency()),
				enumWord(o.GetStatus().String(), "ORDER_STATUS_")),
		})
		if o.GetWonAt() != nil {
			add(timelineEntry{At: o.GetWonAt().AsTime(), By: o.GetSellerId(), Source: srcOrder, What: fmt.Sprintf(translate(lang, "tl.order.won"), o.GetOrderId())})
		}
		for _, p := range o.GetPayments() {
			key := "tl.order.paid"
			if !p.GetPayeeIsCompanyAccount() {
				key = "tl.order.paidelsewhere"
			}
			add(timelineEntry{At: p.GetPaidAt().AsTime(), Source: srcOrder, What: fmt.Sprintf(translate(lang, key), o.GetOrderId(), money(p.GetAmountMinor(), p.GetCurrency()))})
		}
	}
	for _, e := range rd.lifecycle {
		add(timelineEntry{
			At: e.GetOccurredAt().AsTime(), By: e.GetActorId(), Source: srcAttendance, Sequence: e.GetSequence(),
			What: translate(lang, "tl."+shortType(e.GetEventType())) + " — " + lifecycleSummary(lang, e),
		})
	}
	for _, c := range rd.checkIns {
		what := fmt.Sprintf(translate(lang, "tl.checkin"), enumWord(c.GetKind().String(), "CHECK_IN_KIND_"), c.GetLatitude(), c.GetLongitude())
		if c.GetCustomerId() != "" {
			what += " · " + c.GetCustomerId()
		}
		add(timelineEntry{At: checkInTime(c), What: what, By: c.GetEmployeeId(), Source: srcAttendance, Sequence: c.GetSequence()})
	}
	listed := map[string]bool{}
	for _, e := range out {
		if e.Sequence != 0 {
			listed[evidenceKey(e.Source, e.Sequence)] = true
		}
	}
	for _, a := range rd.alerts {
		add(timelineEntry{
			At: a.GetRaisedAt().AsTime(), Source: srcRisk, AlertID: a.GetAlertId(),
			What: fmt.Sprintf(translate(lang, "tl.alert"), a.GetRuleId(), translate(lang, "severity."+enumWord(a.GetSeverity().String(), "SEVERITY_"))),
		})
		for _, ev := range a.GetEvidence() {
			key := evidenceKey(ev.GetStream(), ev.GetSequence())
			if listed[key] {
				continue
			}
			listed[key] = true
			add(timelineEntry{
				At: ev.GetOccurredAt().AsTime(), Source: ev.GetStream(), Sequence: ev.GetSequence(), Evidence: true,
				What: translate(lang, "tl.evidence") + " " + shortType(ev.GetEventType()),
			})
		}
	}
	// Newest first; ties in stream order, so a page reads the same each time.
	slices.SortStableFunc(out, func(x, y timelineEntry) int {
		if c := y.At.Compare(x.At); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Source, y.Source); c != 0 {
			return c
		}
		return cmp.Compare(y.Sequence, x.Sequence)
	})
	return out
}

// shortType is an event type's last name, e.g. "EmployeeHired".
func shortType(t string) string {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}

// enumWord is an enum value's name in lower case without its prefix.
func enumWord(name, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(name, prefix))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// money formats minor units, e.g. 123456 CNY as "1234.56 CNY".
func money(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

// lifecycleSummary is an employment event's account in the page's
// language (English when the attendance service gave no Chinese).
func lifecycleSummary(lang string, e *attendancev1.TimelineEntry) string {
	if lang == langZH && e.GetSummaryZh() != "" {
		return e.GetSummaryZh()
	}
	return e.GetSummary()
}
