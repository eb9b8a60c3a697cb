package domain_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

const (
	expRequester = "m-requester"
	expReason    = "  季度复盘，需要团队客户清单  "
)

func TestNormalizeExportRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        domain.ExportRequest
		want       domain.ExportRequest
		wantFields []string
	}{
		{
			name: "an owner filter, reason trimmed",
			req:  domain.ExportRequest{Filter: domain.ExportFilter{OwnerID: "e3"}, Reason: expReason, IncludeContacts: true},
			want: domain.ExportRequest{Filter: domain.ExportFilter{OwnerID: "e3"}, Reason: strings.TrimSpace(expReason), IncludeContacts: true},
		},
		{
			name: "the pool from one source",
			req:  domain.ExportRequest{Filter: domain.ExportFilter{InPool: true, Source: domain.SourcePersonal}, Reason: "r"},
			want: domain.ExportRequest{Filter: domain.ExportFilter{InPool: true, Source: domain.SourcePersonal}, Reason: "r"},
		},
		{
			name:       "in the pool and held by someone",
			req:        domain.ExportRequest{Filter: domain.ExportFilter{OwnerID: "e3", InPool: true}, Reason: "r"},
			wantFields: []string{"filter.in_pool"},
		},
		{
			name:       "unknown source",
			req:        domain.ExportRequest{Filter: domain.ExportFilter{Source: domain.SourcePersonal + 1}, Reason: "r"},
			wantFields: []string{"filter.source_channel"},
		},
		{
			name:       "negative source",
			req:        domain.ExportRequest{Filter: domain.ExportFilter{Source: -1}, Reason: "r"},
			wantFields: []string{"filter.source_channel"},
		},
		{
			name:       "blank reason",
			req:        domain.ExportRequest{Reason: "  "},
			wantFields: []string{"reason"},
		},
		{
			name:       "every bad field at once",
			req:        domain.ExportRequest{Filter: domain.ExportFilter{OwnerID: "e3", InPool: true, Source: 99}},
			wantFields: []string{"filter.in_pool", "filter.source_channel", "reason"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeExportRequest(tt.req)
			if diff := cmp.Diff(tt.wantFields, fieldsOf(err)); diff != "" {
				t.Fatalf("violated fields mismatch (-want, +got):\n%s", diff)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("normalised request mismatch (-want, +got):\n%s", diff)
				}
			}
		})
	}
}

// fieldsOf lists a validation error's fields in order (nil for nil).
func fieldsOf(err error) []string {
	if err == nil {
		return nil
	}
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return []string{"not a validation error: " + err.Error()}
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Field)
	}
	return out
}

func TestScopeExport(t *testing.T) {
	t.Parallel()
	actor := func(role string) domain.Actor {
		return overseeing(domain.Actor{Tenant: "acme", EmployeeID: "e1", Roles: []string{role}})
	}
	tests := []struct {
		name    string
		actor   domain.Actor
		filter  domain.ExportFilter
		want    domain.ExportFilter
		outcome ownOutcome
	}{
		{name: "sales, no owner: their own", actor: actor("sales"), want: domain.ExportFilter{OwnerID: "e1"}, outcome: ownOK},
		{
			name: "sales, their own from one source", actor: actor("sales"),
			filter: domain.ExportFilter{OwnerID: "e1", Source: domain.SourceWebsite}, want: domain.ExportFilter{OwnerID: "e1", Source: domain.SourceWebsite}, outcome: ownOK,
		},
		{name: "sales, the pool", actor: actor("sales"), filter: domain.ExportFilter{InPool: true}, want: domain.ExportFilter{InPool: true}, outcome: ownOK},
		{name: "sales, another's customers", actor: actor("sales"), filter: domain.ExportFilter{OwnerID: "e2"}, outcome: ownDenied},
		{name: "senior_sales, another's customers", actor: actor("senior_sales"), filter: domain.ExportFilter{OwnerID: "e2"}, want: domain.ExportFilter{OwnerID: "e2"}, outcome: ownOK},
		{name: "manager, everything", actor: actor("manager"), outcome: ownOK},
		{name: "hr, everything", actor: actor("hr"), outcome: ownOK},
		{name: "auditor, everything", actor: actor("auditor"), outcome: ownOK},
		{name: "admin, everything", actor: actor("admin"), outcome: ownOK},
		{name: "service", actor: actor("service"), filter: domain.ExportFilter{InPool: true}, outcome: ownDenied},
		{name: "no role", actor: domain.Actor{Tenant: "acme", EmployeeID: "e1"}, outcome: ownDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ScopeExport(tt.actor, tt.filter)
			if o := ownOutcomeOf(t, err); o != tt.outcome {
				t.Fatalf("ScopeExport = %v, want %s", err, tt.outcome)
			}
			if err == nil && got != tt.want {
				t.Errorf("ScopeExport = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// exportIn is a team export requested by expRequester (a manager), in status.
func exportIn(status domain.ExportStatus) domain.Export {
	return domain.Export{
		ID: "x-1", RequestedBy: expRequester, Reason: "季度复盘", CustomerCount: 12, Status: status,
		RequestedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
}

func TestExportStateMachine(t *testing.T) {
	t.Parallel()
	manager := overseeing(domain.Actor{Tenant: "acme", EmployeeID: "m-2", Roles: []string{"manager"}})
	hr := domain.Actor{Tenant: "acme", EmployeeID: "hr-1", Roles: []string{"hr"}}
	requester := domain.Actor{Tenant: "acme", EmployeeID: expRequester, Roles: []string{"manager", "hr"}}
	sales := domain.Actor{Tenant: "acme", EmployeeID: "e-9", Roles: []string{"sales"}}
	auditor := domain.Actor{Tenant: "acme", EmployeeID: "au-1", Roles: []string{"auditor"}}
	statuses := []domain.ExportStatus{
		domain.ExportStatusRequested, domain.ExportStatusApproved, domain.ExportStatusRejected, domain.ExportStatusDownloaded,
	}
	type row map[domain.ExportStatus]ownOutcome
	allDenied := row{
		domain.ExportStatusRequested: ownDenied, domain.ExportStatusApproved: ownDenied,
		domain.ExportStatusRejected: ownDenied, domain.ExportStatusDownloaded: ownDenied,
	}
	decidesOnlyRequested := row{
		domain.ExportStatusRequested: ownOK, domain.ExportStatusApproved: ownPrecondition,
		domain.ExportStatusRejected: ownPrecondition, domain.ExportStatusDownloaded: ownPrecondition,
	}
	approve := func(a domain.Actor) func(domain.Export) error {
		return func(e domain.Export) error { _, err := domain.DecideExport(a, e, true, expReason); return err }
	}
	reject := func(a domain.Actor) func(domain.Export) error {
		return func(e domain.Export) error { _, err := domain.DecideExport(a, e, false, expReason); return err }
	}
	download := func(a domain.Actor) func(domain.Export) error {
		return func(e domain.Export) error { return domain.CheckDownload(a, e) }
	}
	tests := []struct {
		name string
		step func(domain.Export) error
		want row
	}{
		{name: "manager approves", step: approve(manager), want: decidesOnlyRequested},
		{name: "hr rejects", step: reject(hr), want: decidesOnlyRequested},
		{name: "requester approves own", step: approve(requester), want: allDenied},
		{name: "requester rejects own", step: reject(requester), want: allDenied},
		{name: "sales approves", step: approve(sales), want: allDenied},
		{name: "auditor approves", step: approve(auditor), want: allDenied},
		{name: "manager approves without reason", step: func(e domain.Export) error {
			_, err := domain.DecideExport(manager, e, true, " ")
			return err
		}, want: row{
			domain.ExportStatusRequested: ownInvalid, domain.ExportStatusApproved: ownInvalid,
			domain.ExportStatusRejected: ownInvalid, domain.ExportStatusDownloaded: ownInvalid,
		}},
		{name: "requester downloads", step: download(requester), want: row{
			domain.ExportStatusRequested: ownPrecondition, domain.ExportStatusApproved: ownOK,
			domain.ExportStatusRejected: ownPrecondition, domain.ExportStatusDownloaded: ownOK,
		}},
		{name: "the approver downloads", step: download(manager), want: allDenied},
		{name: "requester downloads after losing the roles", step: download(domain.Actor{
			Tenant: "acme", EmployeeID: expRequester, Roles: []string{"sales"},
		}), want: row{
			domain.ExportStatusRequested: ownPrecondition, domain.ExportStatusApproved: ownDenied,
			domain.ExportStatusRejected: ownPrecondition, domain.ExportStatusDownloaded: ownDenied,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, st := range statuses {
				if got := ownOutcomeOf(t, tt.step(exportIn(st))); got != tt.want[st] {
					t.Errorf("in status %s: %s, want %s", st, got, tt.want[st])
				}
			}
		})
	}
}

func TestExportTransitions(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	manager := overseeing(domain.Actor{Tenant: "acme", EmployeeID: "m-2", Roles: []string{"manager"}})
	tests := []struct {
		name string
		step func(domain.Export) (domain.Export, error)
		want domain.Export
	}{
		{
			name: "approved",
			step: func(e domain.Export) (domain.Export, error) {
				d, err := domain.DecideExport(manager, e, true, expReason)
				return d.Apply(e, manager.EmployeeID, at), err
			},
			want: func() domain.Export {
				e := exportIn(domain.ExportStatusApproved)
				e.DecidedBy, e.DecisionReason, e.DecidedAt = "m-2", strings.TrimSpace(expReason), at
				return e
			}(),
		},
		{
			name: "rejected",
			step: func(e domain.Export) (domain.Export, error) {
				d, err := domain.DecideExport(manager, e, false, "不需要导出联系方式")
				return d.Apply(e, manager.EmployeeID, at), err
			},
			want: func() domain.Export {
				e := exportIn(domain.ExportStatusRejected)
				e.DecidedBy, e.DecisionReason, e.DecidedAt = "m-2", "不需要导出联系方式", at
				return e
			}(),
		},
		{
			name: "downloaded twice",
			step: func(e domain.Export) (domain.Export, error) { return e.Downloaded().Downloaded(), nil },
			want: func() domain.Export {
				e := exportIn(domain.ExportStatusDownloaded)
				e.Downloads = 2
				return e
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.step(exportIn(domain.ExportStatusRequested))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("export mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestEscapeCSVCell(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{name: "formula", in: `=HYPERLINK("http://evil.example","点我")`, want: `'=HYPERLINK("http://evil.example","点我")`},
		{name: "plus", in: "+8613800138000", want: "'+8613800138000"},
		{name: "minus", in: "-2+3", want: "'-2+3"},
		{name: "at", in: "@SUM(A1)", want: "'@SUM(A1)"},
		{name: "tab", in: "\t=1", want: "'\t=1"},
		{name: "carriage return", in: "\r=1", want: "'\r=1"},
		{name: "empty", in: "", want: ""},
		{name: "plain Chinese", in: "杭州云帆科技有限公司", want: "杭州云帆科技有限公司"},
		{name: "equals inside", in: "a=b", want: "a=b"},
		{name: "masked phone", in: "138****8000", want: "138****8000"},
		{name: "already quoted", in: "'=1", want: "'=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := domain.EscapeCSVCell(tt.in); got != tt.want {
				t.Errorf("EscapeCSVCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzEscapeCSVCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+86", "-", "@", "\t", "\r\n", "'", "a", "杭州", "\xff", "=HYPERLINK(\"x\")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := domain.EscapeCSVCell(in)
		if got != "" && strings.ContainsRune("=+-@", rune(got[0])) {
			t.Fatalf("EscapeCSVCell(%q) = %q starts with a formula character", in, got)
		}
		if got != in && got != "'"+in {
			t.Fatalf("EscapeCSVCell(%q) = %q, want the cell unchanged or with one leading quote", in, got)
		}
	})
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	customers := []domain.Customer{
		{
			ID: "c-1", PersonName: "李娜", CompanyName: `=HYPERLINK("http://evil.example","点我")`,
			Phones: []string{"+8613912345678", "+861065529988"}, WeChatID: "wx_lina01", Email: "li.na@example.com",
			Address: domain.Address{Text: "杭州市西湖区文三路90号, \"云帆\"大厦"}, Source: domain.SourceTradeShow, OwnerID: "e3",
		},
		{ID: "c-2", PersonName: "Wang Wei", Phones: []string{"+8613800138000"}, Source: domain.SourceWebsite},
	}
	header := domain.ExportColumns
	tests := []struct {
		name     string
		contacts bool
		want     [][]string
	}{
		{
			name: "masked",
			want: [][]string{
				header,
				{"x-1", "m-1", "c-1", "李娜", `'=HYPERLINK("http://evil.example","点我")`, "139****5678; 106***9988", "wx_****", "l****@example.com", "杭州市西湖区文三路90号, \"云帆\"大厦", "trade_show", "e3"},
				{"x-1", "m-1", "c-2", "Wang Wei", "", "138****8000", "", "", "", "website", ""},
			},
		},
		{
			name:     "contacts included",
			contacts: true,
			want: [][]string{
				header,
				{"x-1", "m-1", "c-1", "李娜", `'=HYPERLINK("http://evil.example","点我")`, "'+8613912345678; +861065529988", "wx_lina01", "li.na@example.com", "杭州市西湖区文三路90号, \"云帆\"大厦", "trade_show", "e3"},
				{"x-1", "m-1", "c-2", "Wang Wei", "", "'+8613800138000", "", "", "", "website", ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := domain.Export{ID: "x-1", RequestedBy: "m-1", IncludeContacts: tt.contacts, Status: domain.ExportStatusApproved}
			out, err := domain.ExportCSV(e, "m-1", customers)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte("\ufeff")) {
				t.Fatal("export lacks the UTF-8 byte order mark Excel needs")
			}
			got, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatalf("the file does not parse as CSV: %v\n%s", err, out)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestExportCSVEmpty(t *testing.T) {
	t.Parallel()
	out, err := domain.ExportCSV(domain.Export{ID: "x-1"}, "m-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\ufeff" + strings.Join(domain.ExportColumns, ",") + "\n"; string(out) != want {
		t.Errorf("empty export = %q, want only the header %q", out, want)
	}
}
