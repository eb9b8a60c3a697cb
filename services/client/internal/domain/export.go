package domain

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ExportStatus is where an export request stands, numbered as in
// holdfast.client.v1.ExportStatus.
type ExportStatus int

// Export statuses. REQUESTED is the only state a decision is taken in;
// only APPROVED and DOWNLOADED let the requester download.
const (
	ExportStatusUnspecified ExportStatus = iota
	ExportStatusRequested
	ExportStatusApproved
	ExportStatusRejected
	ExportStatusDownloaded
)

var exportStatusNames = map[ExportStatus]string{
	ExportStatusRequested:  "requested",
	ExportStatusApproved:   "approved",
	ExportStatusRejected:   "rejected",
	ExportStatusDownloaded: "downloaded",
}

// String names the status in lower case, as messages show it.
func (s ExportStatus) String() string {
	if n, ok := exportStatusNames[s]; ok {
		return n
	}
	return "unspecified"
}

// ExportFilter selects the customers an export covers; the zero filter
// selects every customer of the tenant.
type ExportFilter struct {
	OwnerID string
	// InPool selects only customers nobody holds.
	InPool bool
	// Source selects one source channel (unspecified = all).
	Source SourceChannel
}

// ExportRequest is what a caller asks to export, before normalisation.
type ExportRequest struct {
	Filter ExportFilter
	// Reason is the requester's own words, shown to whoever decides.
	Reason string
	// IncludeContacts asks for unmasked contact details in the file.
	IncludeContacts bool
}

// Export is an export request and what became of it.
type Export struct {
	ID              string
	RequestedBy     string
	Filter          ExportFilter
	Reason          string
	IncludeContacts bool
	// CustomerCount is how many customers the filter selected when requested.
	CustomerCount  int
	Status         ExportStatus
	DecidedBy      string
	DecisionReason string
	RequestedAt    time.Time
	DecidedAt      time.Time
	// Downloads counts the files that left.
	Downloads int
}

// MaxExportRows bounds one export: a larger file would not fit the
// ExportDownloaded event that lists its customers, and nobody reviews
// more rows than that at once. Narrow the filter instead.
const MaxExportRows = 10000

// NormalizeExportRequest validates what the request says on its own and
// returns it with the reason trimmed. Whether the filter's owner id is a
// valid token is the caller's check, as for every id; whether the actor may
// export what the filter selects is ScopeExport's.
func NormalizeExportRequest(r ExportRequest) (ExportRequest, error) {
	var v violations
	if r.Filter.InPool && r.Filter.OwnerID != "" {
		v.Add("filter.in_pool", "cannot be combined with filter.owner_employee_id")
	}
	if r.Filter.Source < SourceUnspecified || r.Filter.Source > SourcePersonal {
		v.Add("filter.source_channel", "unknown source channel")
	}
	var bad *ValidationError
	if err := CheckReason("reason", r.Reason); errors.As(err, &bad) {
		v = append(v, bad.Violations...)
	}
	r.Reason = strings.TrimSpace(r.Reason)
	return r, v.Err()
}

// mayExport: the roles that may list customers may ask to export them.
// A service account never does: an export is a person's request, and a
// person downloads it.
func (a Actor) mayExport() bool {
	return a.has("sales", "senior_sales", "manager", "hr", "auditor", "admin")
}

// ScopeExport returns the filter the actor may export, following the rule
// of ListCustomers: hr, auditors and admins export any filter; anyone may
// export the shared pool; a named holder must be one the actor sees. A
// filter that names no holder means the requester's own customers for
// those who see only their own; for senior_sales and managers it means
// their team or subtree, which the app applies when it selects the rows
// (the requester's visibility at that time).
func ScopeExport(actor Actor, f ExportFilter) (ExportFilter, error) {
	if !actor.mayExport() {
		return f, fmt.Errorf("%w: requires sales, senior_sales, manager, hr, auditor or admin", ErrPermissionDenied)
	}
	v := actor.Visibility()
	if v.Tier == TierAll || f.InPool {
		return f, nil
	}
	if f.OwnerID != "" {
		if !actor.SeesHolder(f.OwnerID) {
			return f, fmt.Errorf("%w: you export only the customers you may see and the shared pool", ErrPermissionDenied)
		}
		return f, nil
	}
	if v.Tier == TierOwn {
		f.OwnerID = actor.EmployeeID
	}
	return f, nil
}

// CanReadExport: the requester, a manager whose subtree the requester is
// in, and hr, auditors and admins.
func (a Actor) CanReadExport(e Export) bool {
	return e.RequestedBy == a.EmployeeID || a.has("hr", "auditor", "admin") ||
		(a.has("manager") && a.SeesHolder(e.RequestedBy))
}

// ExportDecision is an approval or a rejection of an export request.
type ExportDecision struct {
	ExportID string
	Approve  bool
	Reason   string
}

// DecideExport approves (approve) or rejects a requested export. A manager,
// hr or an admin decides, never the requester, and gives a reason; a
// request is decided once.
func DecideExport(actor Actor, e Export, approve bool, reason string) (ExportDecision, error) {
	if !actor.has("manager", "hr", "admin") {
		return ExportDecision{}, fmt.Errorf("%w: requires manager, hr or admin", ErrPermissionDenied)
	}
	if !actor.has("hr", "admin") && !actor.SeesHolder(e.RequestedBy) {
		return ExportDecision{}, fmt.Errorf("%w: the requester is outside your org unit", ErrPermissionDenied)
	}
	if actor.EmployeeID == e.RequestedBy {
		return ExportDecision{}, fmt.Errorf("%w: approver must not be the requester", ErrPermissionDenied)
	}
	if err := CheckReason("reason", reason); err != nil {
		return ExportDecision{}, err
	}
	if e.Status != ExportStatusRequested {
		return ExportDecision{}, fmt.Errorf("%w: the export is %s; only a requested export is decided", ErrPrecondition, e.Status)
	}
	return ExportDecision{ExportID: e.ID, Approve: approve, Reason: strings.TrimSpace(reason)}, nil
}

// Apply returns the export after the decision, taken by by at at.
func (d ExportDecision) Apply(e Export, by string, at time.Time) Export {
	e.Status = ExportStatusRejected
	if d.Approve {
		e.Status = ExportStatusApproved
	}
	e.DecidedBy, e.DecisionReason, e.DecidedAt = by, d.Reason, at
	return e
}

// CheckDownload lets only the requester download, only an approved export,
// and only while their roles still cover its filter (a manager who has
// since become sales no longer downloads the whole tenant). Downloading
// again is allowed; each download is recorded.
func CheckDownload(actor Actor, e Export) error {
	if actor.EmployeeID != e.RequestedBy {
		return fmt.Errorf("%w: only the requester downloads an export", ErrPermissionDenied)
	}
	switch e.Status {
	case ExportStatusApproved, ExportStatusDownloaded:
	case ExportStatusRequested:
		return fmt.Errorf("%w: the export awaits approval", ErrPrecondition)
	default:
		return fmt.Errorf("%w: the export is %s", ErrPrecondition, e.Status)
	}
	if f, err := ScopeExport(actor, e.Filter); err != nil || f != e.Filter {
		return fmt.Errorf("%w: your roles no longer cover this export's filter", ErrPermissionDenied)
	}
	return nil
}

// Downloaded returns the export after one more download.
func (e Export) Downloaded() Export {
	e.Status = ExportStatusDownloaded
	e.Downloads++
	return e
}

// ExportColumns is the header of an export file. export_id and recipient
// repeat on every row: they are the watermark that says where a leaked
// file, or a part of one, came from.
var ExportColumns = []string{
	"export_id", "recipient", "customer_id", "person_name", "company_name", "phones",
	"wechat_id", "email", "address", "source_channel", "owner_employee_id",
}

var sourceChannelNames = map[SourceChannel]string{
	SourceWebsite:    "website",
	SourceTradeShow:  "trade_show",
	SourceReferral:   "referral",
	SourceAssignment: "assignment",
	SourceImport:     "import",
	SourcePersonal:   "personal",
}

// ExportCSV writes customers as the export file recipient receives: a
// header, then one row per customer in the order given. Contacts are in the
// clear only when the request asked for them (and so its approval covered
// them); otherwise they are masked as in every read. Every cell passes
// through EscapeCSVCell. The file starts with a UTF-8 byte order mark:
// the people who open it use Excel, which otherwise shows Chinese as mojibake.
func ExportCSV(e Export, recipient string, customers []Customer) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	if err := w.Write(ExportColumns); err != nil {
		return nil, fmt.Errorf("export csv: %w", err)
	}
	row := make([]string, len(ExportColumns))
	for _, c := range customers {
		phones := make([]string, 0, len(c.Phones))
		wechat, email := c.WeChatID, c.Email
		for _, p := range c.Phones {
			if !e.IncludeContacts {
				p = MaskPhone(p)
			}
			phones = append(phones, p)
		}
		if !e.IncludeContacts {
			if wechat != "" {
				wechat = MaskWeChatID(wechat)
			}
			if email != "" {
				email = MaskEmail(email)
			}
		}
		cells := []string{
			e.ID, recipient, c.ID, c.PersonName, c.CompanyName, strings.Join(phones, "; "),
			wechat, email, c.Address.Text, sourceChannelNames[c.Source], c.OwnerID,
		}
		for i, cell := range cells {
			row[i] = EscapeCSVCell(cell)
		}
		if err := w.Write(row); err != nil {
			return nil, fmt.Errorf("export csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("export csv: %w", err)
	}
	return buf.Bytes(), nil
}

// EscapeCSVCell defuses a cell a spreadsheet would run as a formula (CSV
// injection: "=HYPERLINK(…)" as a company name): a cell starting with
// = + - @, a tab or a carriage return gets a leading single quote, so it is
// shown as text. Quoting for the CSV syntax itself is encoding/csv's job.
// An unmasked phone in E.164 starts with + and so reads '+8613800138000.
func EscapeCSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
