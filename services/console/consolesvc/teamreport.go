package consolesvc

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

// The team report (issue 9 item 8): the client service measures holdings,
// follow-ups, utilisation and lateness to register per employee and team
// (GetTeamActivity); the order service counts won and lost orders per
// seller (GetSalesFunnel). The console only puts the two side by side,
// both called as the signed-in user, so the services decide who sees
// which unit.

// TeamReportAPIs are the connections the team report calls.
type TeamReportAPIs struct {
	Client grpc.ClientConnInterface
	Order  grpc.ClientConnInterface
}

// defaultReportDays is the period the report shows when none is asked for:
// four whole weeks ending today.
const defaultReportDays = 28

// maxReportPages bounds how many pages of employees one report reads
// (500 each): a unit larger than that is cut off, and the page says so.
const maxReportPages = 20

// teamMessages are the report's strings, kept beside it and merged into
// the console's messages at start.
var teamMessages = map[string][2]string{ // [en, zh]
	"nav.team":               {"Team report", "团队报表"},
	"team.title":             {"Team report", "团队报表"},
	"team.pick":              {"Choose an org unit to report on.", "请选择要统计的部门。"},
	"team.period":            {"Period", "统计期间"},
	"team.measured":          {"measured up to", "统计截至"},
	"team.to.inclusive":      {"To (inclusive)", "结束日期（含）"},
	"team.show":              {"Show", "查看"},
	"team.csv":               {"Download CSV", "下载 CSV"},
	"team.total":             {"All selected", "全部合计"},
	"team.teams":             {"Teams", "团队"},
	"team.employees":         {"Employees", "人数"},
	"team.unit":              {"Team", "团队"},
	"team.truncated":         {"The unit has more employees than one report shows: the totals above cover all of them except won, lost and conversion, which count only the employees listed. Choose a smaller unit for exact figures.", "该部门人数超过单次报表上限：上方合计除成交、丢单和转化率外包含全部人员，这三项只统计列出的人员。请选择更小的部门以获得准确数字。"},
	"team.heldnow":           {"Customers held now", "当前持有客户"},
	"team.heldaverage":       {"Held on average", "期间平均持有"},
	"team.followups":         {"Follow-ups", "跟进次数"},
	"team.efficiency":        {"Follow-ups per customer-week", "每客户每周跟进"},
	"team.utilisation":       {"Utilisation", "客户利用率"},
	"team.registered":        {"Registered", "登记客户"},
	"team.aftercontact":      {"Registered after off-book talks", "先联系后登记"},
	"team.lateness":          {"Median days late", "登记滞后中位天数"},
	"team.late7":             {"Over 7 days late", "滞后超过 7 天"},
	"team.won":               {"Won", "赢单"},
	"team.lost":              {"Lost", "输单"},
	"team.conversion":        {"Conversion", "转化率"},
	"team.definitions":       {"Definitions", "指标说明"},
	"team.def.held":          {"Customers held on average: held customer-days ÷ days of the period (measured up to now if the period has not ended).", "期间平均持有：持有客户天数之和 ÷ 期间天数（期间未结束时统计至当前）。"},
	"team.def.followups":     {"Follow-ups: interactions an employee had with a customer while holding it (deleted records count: the follow-up happened).", "跟进次数：员工在持有客户期间与该客户的互动（已删除的记录也计入：跟进确已发生）。"},
	"team.def.efficiency":    {"Follow-up efficiency: follow-ups per held customer per week — follow-ups of customers held at their week's start ÷ such customer-weeks (a customer got mid-week counts from the next week).", "跟进效率：每个持有客户每周的跟进次数——对周初持有客户的跟进次数 ÷ 对应的客户周数（周中获得的客户从下一周起计）。"},
	"team.def.utilisation":   {"Utilisation: the period is cut into 7-day weeks from its first day (the last may be shorter); each week, the share of customers held at the week's start that the holder followed up at least once that week; averaged over the weeks with any such customer.", "客户利用率：期间自第一天起按 7 天分周（最后一周可能不足 7 天）；每周计算周初持有的客户中本周至少跟进一次的比例，再对有持有客户的各周取平均。"},
	"team.def.lateness":      {"Lateness to register: for customers the employee registered in the period, whole days from their first interaction with the customer's phone or WeChat id as an unregistered contact to the registration; median, and how many over 7 days.", "登记滞后：对员工在期间内登记的客户，从其首次以未登记联系人身份（手机号或微信号）与该客户互动到登记之间的整天数；取中位数，并统计超过 7 天的数量。"},
	"team.def.conversion":    {"Conversion: orders won ÷ (won + lost) in the period, from the order service's sales funnel.", "转化率：期间内赢单数 ÷（赢单数 + 输单数），取自订单服务的销售漏斗。"},
	"team.def.teams":         {"A team is an org unit's own members (by their current unit); the total covers the chosen unit and every unit below it.", "团队指部门的直属成员（按当前所在部门）；合计包含所选部门及其下属全部部门。"},
	"team.csv.level":         {"level", "层级"},
	"team.csv.level.total":   {"total", "合计"},
	"team.csv.level.team":    {"team", "团队"},
	"team.csv.level.person":  {"employee", "员工"},
	"team.csv.weeks":         {"Weeks", "周数"},
	"team.csv.due":           {"Customer-weeks due", "应跟进客户周数"},
	"team.csv.followed":      {"Customer-weeks followed up", "已跟进客户周数"},
	"team.csv.from":          {"From", "开始"},
	"team.csv.to":            {"To (exclusive)", "结束（不含）"},
	"team.csv.measured":      {"Measured to", "统计截至"},
	"team.error.unavailable": {"The team report is not configured on this console.", "此控制台未配置团队报表。"},
}

func init() {
	for k, v := range teamMessages {
		if _, dup := messages[k]; dup {
			panic("consolesvc: team report message " + k + " is already defined")
		}
		messages[k] = v
	}
}

// teamFilter is the report form: a period of whole UTC days, from the
// first to the last included, and an org unit.
type teamFilter struct {
	From, To string
	OrgUnit  string
}

func (f teamFilter) values() url.Values {
	v := url.Values{"from": {f.From}, "to": {f.To}}
	if f.OrgUnit != "" {
		v.Set("org_unit", f.OrgUnit)
	}
	return v
}

// period is the filter as the API's [from, to): the last day included
// ends at the next day's start.
func (f teamFilter) period() (from, to time.Time, err error) {
	from, err = time.Parse(dayLayout, f.From)
	if err != nil {
		return from, to, err
	}
	to, err = time.Parse(dayLayout, f.To)
	return from, to.AddDate(0, 0, 1), err
}

// teamRow is one line of the report: an employee, a team or the total.
type teamRow struct {
	EmployeeID string
	OrgUnitID  string
	Employees  int32
	F          *clientv1.ActivityFigures
	Won, Lost  int64
}

// Conversion is won ÷ (won + lost); false when nothing was decided.
func (r teamRow) Conversion() (float64, bool) {
	if r.Won+r.Lost == 0 {
		return 0, false
	}
	return float64(r.Won) / float64(r.Won+r.Lost), true
}

// The page's formatted cells: ratios as percentages, "—" when undefined.

// HeldAverageText is the customers held on average.
func (r teamRow) HeldAverageText() string { return fmtNumber(r.F.GetHeldAverage(), true) }

// EfficiencyText is the follow-ups per held customer per week.
func (r teamRow) EfficiencyText() string { return fmtNumber(optional(r.F.FollowUpsPerCustomerWeek)) }

// UtilisationText is the weekly follow-up share.
func (r teamRow) UtilisationText() string { return fmtRatio(optional(r.F.Utilisation)) }

// LatenessText is the median days late to register.
func (r teamRow) LatenessText() string { return fmtNumber(optional(r.F.LatenessMedianDays)) }

// ConversionText is won ÷ decided.
func (r teamRow) ConversionText() string { return fmtRatio(r.Conversion()) }

// teamSection is a team's aggregate row and its members' rows.
type teamSection struct {
	Team    teamRow
	Members []teamRow
}

type teamReport struct {
	Filter     teamFilter
	Picked     bool
	CSVURL     string
	MeasuredTo string
	Total      teamRow
	Teams      []teamSection
	Truncated  bool
}

// teamLine is one row of the page's table: "total", "team" or "member".
type teamLine struct {
	Kind string
	Row  teamRow
}

// Lines are the table's rows: the total, then each team followed by its
// members.
func (rep teamReport) Lines() []teamLine {
	out := []teamLine{{Kind: "total", Row: rep.Total}}
	for _, sec := range rep.Teams {
		out = append(out, teamLine{Kind: "team", Row: sec.Team})
		for _, m := range sec.Members {
			out = append(out, teamLine{Kind: "member", Row: m})
		}
	}
	return out
}

// teamAPIs are the report's service clients; ok false when the console
// was started without them.
func (s *Server) teamAPIs() (clientv1.ClientServiceClient, orderv1.OrderServiceClient, bool) {
	if s.cfg.Client == nil || s.cfg.Order == nil {
		return nil, nil, false
	}
	return clientv1.NewClientServiceClient(s.cfg.Client), orderv1.NewOrderServiceClient(s.cfg.Order), true
}

// teamFilterOf reads the form; an absent period is the last four weeks.
func (s *Server) teamFilterOf(r *http.Request, ss *session) (teamFilter, []string) {
	q := r.URL.Query()
	lang := s.lang(r, ss)
	today := s.now().UTC().Truncate(24 * time.Hour)
	f := teamFilter{
		From:    today.AddDate(0, 0, 1-defaultReportDays).Format(dayLayout),
		To:      today.Format(dayLayout),
		OrgUnit: strings.TrimSpace(q.Get("org_unit")),
	}
	var bad []string
	if t, ok := parseDay(lang, "from", q.Get("from"), &bad); ok {
		f.From = t.Format(dayLayout)
	}
	if t, ok := parseDay(lang, "to", q.Get("to"), &bad); ok {
		f.To = t.Format(dayLayout)
	}
	return f, bad
}

// teamPage shows the report: the total, each team's row and its members'.
func (s *Server) teamPage(w http.ResponseWriter, r *http.Request, ss *session) {
	rep, ok := s.teamReportFor(w, r, ss)
	if !ok {
		return
	}
	s.render(w, r, ss, http.StatusOK, "team.html", page{Title: "team.title", Data: rep})
}

// teamCSV is the report as a CSV file for Excel and scripts.
func (s *Server) teamCSV(w http.ResponseWriter, r *http.Request, ss *session) {
	rep, ok := s.teamReportFor(w, r, ss)
	if !ok {
		return
	}
	if !rep.Picked {
		s.invalid(w, r, ss, []string{"org_unit: " + translate(s.lang(r, ss), "invalid.required")})
		return
	}
	// Employees are named as on the page: by pseudonym code, or by name
	// and id once this session revealed them.
	who := func(id string) string {
		if n, ok := ss.revealed[id]; ok {
			return n + " (" + id + ")"
		}
		return s.names.code(ss.principal.Tenant, id)
	}
	body, err := teamCSVBytes(s.lang(r, ss), rep, who)
	if err != nil {
		s.cfg.Logger.ErrorContext(r.Context(), "console: team csv", "error", err)
		s.render(w, r, ss, http.StatusInternalServerError, "error.html", page{Problem: "error.title"})
		return
	}
	name := fmt.Sprintf("team-%s-%s-%s.csv", rep.Total.OrgUnitID, rep.Filter.From, rep.Filter.To)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// teamReportFor reads the form and calls the APIs; false when it has
// already answered (a bad form, an API refusal).
func (s *Server) teamReportFor(w http.ResponseWriter, r *http.Request, ss *session) (teamReport, bool) {
	clients, orders, ok := s.teamAPIs()
	if !ok {
		s.render(w, r, ss, http.StatusServiceUnavailable, "error.html", page{Problem: "team.error.unavailable"})
		return teamReport{}, false
	}
	f, bad := s.teamFilterOf(r, ss)
	if len(bad) > 0 {
		s.invalid(w, r, ss, bad)
		return teamReport{}, false
	}
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	rep, err := fetchTeamReport(ctx, clients, orders, f)
	if err != nil {
		// Without a unit the API answers a manager with their own, refuses
		// whoever may not see any, and asks the others to pick one.
		if st := status.Convert(err); f.OrgUnit == "" && st.Code() == codes.InvalidArgument &&
			slices.Equal(fieldViolations(st), []string{"org_unit_id: required"}) {
			return teamReport{Filter: f}, true
		}
		s.apiError(w, r, ss, err)
		return teamReport{}, false
	}
	return rep, true
}

// TeamReportCSV reads the team report of unit over the days from to to
// (YYYY-MM-DD, both included), calling the APIs with ctx's credentials, and
// returns the file /team.csv serves, its header in lang ("en" or "zh"):
// for scripts (holdfast team report --csv) that want what HR downloads.
func TeamReportCSV(ctx context.Context, apis TeamReportAPIs, lang, unit, from, to string) ([]byte, error) {
	f := teamFilter{From: from, To: to, OrgUnit: unit}
	if _, _, err := f.period(); err != nil {
		return nil, fmt.Errorf("team report: from and to are days as YYYY-MM-DD: %w", err)
	}
	rep, err := fetchTeamReport(ctx, clientv1.NewClientServiceClient(apis.Client), orderv1.NewOrderServiceClient(apis.Order), f)
	if err != nil {
		return nil, err
	}
	return teamCSVBytes(lang, rep, func(id string) string { return id }) // an API client: ids, as the APIs give them
}

// fetchTeamReport reads every page of the unit's activity and the sales
// funnel for the period, and lays them out by team.
func fetchTeamReport(ctx context.Context, clients clientv1.ClientServiceClient, orders orderv1.OrderServiceClient, f teamFilter) (teamReport, error) {
	rep := teamReport{Filter: f, Picked: true, CSVURL: "/team.csv?" + f.values().Encode()}
	from, to, err := f.period()
	if err != nil {
		return rep, status.Error(codes.InvalidArgument, "period")
	}
	req := &clientv1.GetTeamActivityRequest{From: timestamppb.New(from), To: timestamppb.New(to), OrgUnitId: f.OrgUnit, PageSize: 500}
	var employees []*clientv1.EmployeeActivity
	for range maxReportPages {
		resp, err := clients.GetTeamActivity(ctx, req)
		if err != nil {
			return rep, err
		}
		if req.PageToken == "" {
			rep.Total = teamRow{OrgUnitID: resp.GetTotal().GetOrgUnitId(), Employees: resp.GetTotal().GetEmployees(), F: resp.GetTotal().GetFigures()}
			rep.MeasuredTo = resp.GetMeasuredTo().AsTime().UTC().Format("2006-01-02 15:04 UTC")
			for _, t := range resp.GetTeams() {
				rep.Teams = append(rep.Teams, teamSection{Team: teamRow{OrgUnitID: t.GetOrgUnitId(), Employees: t.GetEmployees(), F: t.GetFigures()}})
			}
		}
		employees = append(employees, resp.GetEmployees()...)
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	rep.Truncated = req.PageToken != ""
	funnel, err := orders.GetSalesFunnel(ctx, &orderv1.GetSalesFunnelRequest{From: req.From, To: req.To})
	if err != nil {
		return rep, err
	}
	won, lost := map[string]int64{}, map[string]int64{}
	for _, row := range funnel.GetRows() {
		won[row.GetEmployeeId()], lost[row.GetEmployeeId()] = row.GetWon(), row.GetLost()
	}
	// The funnel covers whom the caller may read; the report counts only
	// the employees the client service selected.
	teamOf := map[string]int{}
	for i, t := range rep.Teams {
		teamOf[t.Team.OrgUnitID] = i
	}
	for _, e := range employees {
		row := teamRow{EmployeeID: e.GetEmployeeId(), OrgUnitID: e.GetOrgUnitId(), F: e.GetFigures(), Won: won[e.GetEmployeeId()], Lost: lost[e.GetEmployeeId()]}
		rep.Total.Won += row.Won
		rep.Total.Lost += row.Lost
		if i, ok := teamOf[row.OrgUnitID]; ok {
			rep.Teams[i].Members = append(rep.Teams[i].Members, row)
			rep.Teams[i].Team.Won += row.Won
			rep.Teams[i].Team.Lost += row.Lost
		}
	}
	return rep, nil
}

// Cell formats for the page and the file.

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
}

func fmtNumber(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// csvNumber is a number for a machine: plain, up to 4 decimals, empty when
// undefined.
func csvNumber(v float64, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func optional(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// csvSafe defuses a cell a spreadsheet would run as a formula: one
// starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before one) is prefixed with a single quote.
func csvSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// teamCSVBytes writes the report as CSV: a UTF-8 BOM (so Excel reads the
// Chinese headers as UTF-8), a header row in the user's language, then the
// total, each team and its members. Ratios are plain fractions (0.75), not
// percentages, so a script can compute with them.
func teamCSVBytes(lang string, rep teamReport, name func(employeeID string) string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	t := func(key string) string { return translate(lang, key) }
	header := []string{
		t("team.csv.level"), t("field.orgunit"), t("field.employee"), t("team.employees"),
		t("team.heldnow"), t("team.heldaverage"), t("team.followups"), t("team.efficiency"),
		t("team.csv.weeks"), t("team.csv.due"), t("team.csv.followed"), t("team.utilisation"),
		t("team.registered"), t("team.aftercontact"), t("team.lateness"), t("team.late7"),
		t("team.won"), t("team.lost"), t("team.conversion"),
		t("team.csv.from"), t("team.csv.to"), t("team.csv.measured"),
	}
	from, to, err := rep.Filter.period()
	if err != nil {
		return nil, err
	}
	write := func(level string, r teamRow) error {
		f := r.F
		conv, convOK := r.Conversion()
		employees, who := "", ""
		if r.EmployeeID == "" {
			employees = strconv.Itoa(int(r.Employees))
		} else {
			who = name(r.EmployeeID)
		}
		row := []string{
			level, r.OrgUnitID, who, employees,
			strconv.Itoa(int(f.GetHeldNow())), csvNumber(f.GetHeldAverage(), true), strconv.Itoa(int(f.GetFollowUps())),
			csvNumber(optional(f.FollowUpsPerCustomerWeek)),
			strconv.Itoa(int(f.GetWeeks())), strconv.Itoa(int(f.GetDueCustomerWeeks())), strconv.Itoa(int(f.GetFollowedCustomerWeeks())),
			csvNumber(optional(f.Utilisation)),
			strconv.Itoa(int(f.GetRegistered())), strconv.Itoa(int(f.GetRegisteredAfterContact())),
			csvNumber(optional(f.LatenessMedianDays)), strconv.Itoa(int(f.GetLateOver_7Days())),
			strconv.FormatInt(r.Won, 10), strconv.FormatInt(r.Lost, 10), csvNumber(conv, convOK),
			from.Format(dayLayout), to.Format(dayLayout), rep.MeasuredTo,
		}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		return cw.Write(row)
	}
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	if err := write(t("team.csv.level.total"), rep.Total); err != nil {
		return nil, err
	}
	for _, sec := range rep.Teams {
		if err := write(t("team.csv.level.team"), sec.Team); err != nil {
			return nil, err
		}
		for _, m := range sec.Members {
			if err := write(t("team.csv.level.person"), m); err != nil {
				return nil, err
			}
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}
