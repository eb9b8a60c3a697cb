package clientsvc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// goodImport is a file of three customers, written as a spreadsheet
// exports it: a byte order mark, columns in its own order, a blank line.
const goodImport = "\uFEFFPhones,person_name,company_name,source_channel,email\n" +
	"138 0013 8000;010 6552 9988,王伟,上海星海贸易有限公司,trade_show,\n" +
	"\n" +
	"+86 139-1234-5678,李娜,,,li.na@example.com\n" +
	"13700137000,,杭州云帆科技有限公司,referral,\n"

// importRequest is an import of csv with the given request id.
func importRequest(requestID, csv string) *clientv1.ImportCustomersRequest {
	return &clientv1.ImportCustomersRequest{RequestId: requestID, Csv: []byte(csv)}
}

// importErrorsAt is where a report's errors are, without their wording.
func importErrorsAt(resp *clientv1.ImportCustomersResponse) []string {
	var at []string
	for _, e := range resp.GetErrors() {
		at = append(at, fmt.Sprintf("%d/%s", e.GetRow(), e.GetColumn()))
	}
	return at
}

func TestImportCustomers(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "imp"
	sales := env.dial(t, svc, principal(tenant, "s-imp", auth.RoleSales))
	messages := func() uint64 { return env.streamMessages(t, "client."+tenant+".>") }

	first, err := sales.ImportCustomers(t.Context(), importRequest("imp-good", goodImport))
	if err != nil {
		t.Fatalf("ImportCustomers: %v", err)
	}
	if !first.GetImported() || first.GetRows() != 3 || len(first.GetErrors()) != 0 || len(first.GetCustomerIds()) != 3 || first.GetSequence() == 0 {
		t.Fatalf("ImportCustomers = %v, want 3 customers imported at a sequence", first)
	}
	if n := messages(); n != 4 {
		t.Errorf("CLIENT holds %d events of the tenant, want 3 registrations and the import", n)
	}
	want := []*clientv1.Customer{
		{
			PersonName: "王伟", CompanyName: "上海星海贸易有限公司", MaskedPhones: []string{"138****8000", "106***9988"},
			SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
		},
		{PersonName: "李娜", MaskedPhones: []string{"139****5678"}, MaskedEmail: "l****@example.com", SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_IMPORT},
		{CompanyName: "杭州云帆科技有限公司", MaskedPhones: []string{"137****7000"}, SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_REFERRAL},
	}
	for i, id := range first.GetCustomerIds() {
		want[i].CustomerId, want[i].OwnerEmployeeId, want[i].RegisteredBy, want[i].Version = id, "s-imp", "s-imp", 1
		got := getCustomer(t, sales, id, first.GetSequence())
		if diff := cmp.Diff(want[i], got, protocmp.Transform(), protocmp.IgnoreFields(&clientv1.Customer{}, "registered_at")); diff != "" {
			t.Errorf("imported customer %d mismatch (-want, +got):\n%s", i, diff)
		}
	}
	wantImportEvent(t, env, tenant, first)

	t.Run("a retry returns the first result and writes nothing", func(t *testing.T) {
		before := messages()
		again, err := sales.ImportCustomers(t.Context(), importRequest("imp-good", goodImport))
		if err != nil {
			t.Fatalf("ImportCustomers retry: %v", err)
		}
		if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
			t.Errorf("retried import mismatch (-first, +retry):\n%s", diff)
		}
		if after := messages(); after != before {
			t.Errorf("a retried import wrote %d events", after-before)
		}
		_, err = sales.ImportCustomers(t.Context(), importRequest("imp-good", strings.Replace(goodImport, "王伟", "王五", 1)))
		wantCode(t, err, codes.FailedPrecondition)
	})

	t.Run("one bad row imports nothing and is reported", func(t *testing.T) {
		before := messages()
		resp, err := sales.ImportCustomers(t.Context(), importRequest("imp-bad-row",
			"person_name,phones,email,latitude\n"+
				"赵六,13500135000,,\n"+
				"钱七,13400134000,qian@,31.2\n"+
				"孙八,13300133000,,\n"))
		if err != nil {
			t.Fatalf("ImportCustomers: %v", err)
		}
		if diff := cmp.Diff([]string{"3/email", "3/longitude"}, importErrorsAt(resp)); diff != "" {
			t.Errorf("errors mismatch (-want, +got):\n%s\n%v", diff, resp.GetErrors())
		}
		if resp.GetImported() || resp.GetRows() != 3 || len(resp.GetCustomerIds()) != 0 || resp.GetSequence() != 0 {
			t.Errorf("ImportCustomers = %v, want a report of 3 rows and nothing imported", resp)
		}
		if after := messages(); after != before {
			t.Errorf("a file with a bad row wrote %d events", after-before)
		}
	})

	t.Run("duplicates of existing customers and of other rows", func(t *testing.T) {
		other := env.dial(t, svc, principal(tenant, "s-other", auth.RoleSales))
		held, err := other.RegisterCustomer(t.Context(), registerRequest("held-by-other", "周九", "13200132000"))
		if err != nil {
			t.Fatalf("RegisterCustomer: %v", err)
		}
		before := messages()
		resp, err := sales.ImportCustomers(t.Context(), importRequest("imp-dups",
			"person_name,company_name,phones\n"+
				"王先生,,+86 138-0013-8000\n"+ // the first import's row 2
				"周先生,,132 0013 2000\n"+ // s-other's customer
				"吴十,某某商贸,13100131000\n"+
				"吴十,某某商贸有限公司,13000130000\n"+ // row 4's company and person
				"郑十一,,13900139999\n"))
		if err != nil {
			t.Fatalf("ImportCustomers: %v", err)
		}
		if diff := cmp.Diff([]string{"2/phones", "3/phones", "4/company_name", "5/company_name"}, importErrorsAt(resp)); diff != "" {
			t.Errorf("errors mismatch (-want, +got):\n%s\n%v", diff, resp.GetErrors())
		}
		for _, e := range resp.GetErrors()[:2] {
			if e.GetMessage() != "already registered" {
				t.Errorf("row %d: message %q, want \"already registered\"", e.GetRow(), e.GetMessage())
			}
			for _, private := range []string{"s-other", "s-imp", held.GetCustomer().GetCustomerId(), first.GetCustomerIds()[0]} {
				if strings.Contains(e.GetMessage(), private) {
					t.Errorf("row %d: message %q names %q", e.GetRow(), e.GetMessage(), private)
				}
			}
		}
		if resp.GetImported() {
			t.Errorf("imported = true, want nothing imported")
		}
		// Nothing is imported, but the row that is s-other's customer is
		// recorded on that customer, as a single registration would be.
		if after := messages(); after != before+1 {
			t.Errorf("a file with duplicates wrote %d events, want 1 (the DuplicateRegistrationAttempted)", after-before)
		}
	})

	t.Run("a dry run reports and writes nothing", func(t *testing.T) {
		before := messages()
		req := importRequest("imp-dry", "person_name,phones\n冯十二,13800001111\n陈十三,13800002222\n")
		req.DryRun = true
		resp, err := sales.ImportCustomers(t.Context(), req)
		if err != nil {
			t.Fatalf("ImportCustomers dry run: %v", err)
		}
		if diff := cmp.Diff(&clientv1.ImportCustomersResponse{Rows: 2}, resp, protocmp.Transform()); diff != "" {
			t.Errorf("dry run mismatch (-want, +got):\n%s", diff)
		}
		if after := messages(); after != before {
			t.Errorf("a dry run wrote %d events", after-before)
		}
	})

	t.Run("a retry finishes an import a crash cut short", func(t *testing.T) {
		const file = "person_name,phones\n褚十四,13811112222\n卫十五,13811113333\n"
		// As if an earlier attempt wrote row 2 and then died: the event
		// ImportCustomers derives for that row, appended by hand.
		rowID := eventlog.DeriveID("client", tenant, "customer", "s-imp/imp-crash#2")
		if _, err := env.Log.Append(t.Context(), eventlog.AppendRequest{
			Ref: eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: rowID}, RequestID: "imp-crash", ActorID: "s-imp",
			Payload: &clientv1.CustomerRegistered{
				CustomerId: rowID, PersonName: "褚十四", Phones: []string{"+8613811112222"},
				SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_IMPORT, OwnerEmployeeId: "s-imp",
			},
		}); err != nil {
			t.Fatalf("append row 2: %v", err)
		}
		before := messages()
		resp, err := sales.ImportCustomers(t.Context(), importRequest("imp-crash", file))
		if err != nil {
			t.Fatalf("ImportCustomers: %v", err)
		}
		if !resp.GetImported() || len(resp.GetErrors()) != 0 || len(resp.GetCustomerIds()) != 2 || resp.GetCustomerIds()[0] != rowID {
			t.Fatalf("ImportCustomers = %v, want both rows imported, row 2 as %s", resp, rowID)
		}
		if after := messages(); after != before+2 {
			t.Errorf("finishing the import wrote %d events, want row 3 and the import", after-before)
		}
	})

	t.Run("the cap on customers held", func(t *testing.T) {
		const capped = "imp-cap"
		admin := env.dial(t, svc, principal(capped, "a-1", auth.RoleAdmin))
		if _, err := admin.UpdateClientPolicy(t.Context(), policyUpdate("cap-2", func(p *clientv1.ClientPolicy) { p.MaxCustomersHeld = 2 })); err != nil {
			t.Fatalf("UpdateClientPolicy: %v", err)
		}
		c := env.dial(t, svc, principal(capped, "s-cap", auth.RoleSales))
		resp, err := c.ImportCustomers(t.Context(), importRequest("imp-over-cap", goodImport))
		if err != nil {
			t.Fatalf("ImportCustomers: %v", err)
		}
		if diff := cmp.Diff([]string{"1/"}, importErrorsAt(resp)); diff != "" || resp.GetImported() {
			t.Errorf("errors mismatch (-want, +got):\n%s\n%v", diff, resp)
		}
		if n := env.streamMessages(t, "client."+capped+".customer.>"); n != 0 {
			t.Errorf("an import over the cap wrote %d customers", n)
		}
	})

	t.Run("the most rows a file may have", func(t *testing.T) {
		t.Parallel()
		const big = "imp-max"
		admin := env.dial(t, svc, principal(big, "a-1", auth.RoleAdmin))
		if _, err := admin.UpdateClientPolicy(t.Context(), policyUpdate("cap-5000", func(p *clientv1.ClientPolicy) { p.MaxCustomersHeld = 5000 })); err != nil {
			t.Fatalf("UpdateClientPolicy: %v", err)
		}
		var file strings.Builder
		file.WriteString("person_name,phones\n")
		for i := range 5000 {
			fmt.Fprintf(&file, "p%d,+86138%08d\n", i, i)
		}
		resp, err := admin.ImportCustomers(t.Context(), importRequest("imp-5000", file.String()))
		if err != nil {
			t.Fatalf("ImportCustomers: %v", err)
		}
		if !resp.GetImported() || len(resp.GetCustomerIds()) != 5000 {
			t.Fatalf("imported %v with %d customers, errors %v; want 5000", resp.GetImported(), len(resp.GetCustomerIds()), resp.GetErrors()[:min(3, len(resp.GetErrors()))])
		}
		if n := env.streamMessages(t, "client."+big+".customer.>"); n != 5000 {
			t.Errorf("CLIENT holds %d customers of the tenant, want 5000", n)
		}
		getCustomer(t, admin, resp.GetCustomerIds()[4999], resp.GetSequence())
	})

	t.Run("who may import", func(t *testing.T) {
		t.Parallel()
		for _, role := range []auth.Role{auth.RoleHR, auth.RoleAuditor, auth.RoleService} {
			c := env.dial(t, svc, principal(tenant, "e-"+string(role), role))
			_, err := c.ImportCustomers(t.Context(), importRequest("imp-by-"+string(role), goodImport))
			wantCode(t, err, codes.PermissionDenied)
		}
	})

	t.Run("files refused whole", func(t *testing.T) {
		t.Parallel()
		var many strings.Builder
		many.WriteString("person_name,phones\n")
		for i := range 5001 {
			fmt.Fprintf(&many, "p%d,+86138%08d\n", i, i)
		}
		tests := []struct {
			name       string
			req        *clientv1.ImportCustomersRequest
			wantFields []string
		}{
			{"more than 5,000 rows", importRequest("imp-big", many.String()), []string{"csv"}},
			{"no file", importRequest("imp-empty", ""), []string{"csv"}},
			{"no request id", importRequest("", goodImport), []string{"request_id"}},
		}
		for _, tt := range tests {
			_, err := sales.ImportCustomers(t.Context(), tt.req)
			if diff := cmp.Diff(tt.wantFields, violatedFields(t, err)); diff != "" {
				t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
	})
}

// wantImportEvent checks the tenant's one CustomersImported against the
// import's answer.
func wantImportEvent(t *testing.T, env *testEnv, tenant string, resp *clientv1.ImportCustomersResponse) {
	t.Helper()
	s, err := env.NATS.JS.Stream(t.Context(), eventlog.StreamClient)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	msg, err := s.GetMsg(t.Context(), resp.GetSequence())
	if err != nil {
		t.Fatalf("get CLIENT %d: %v", resp.GetSequence(), err)
	}
	if !strings.HasPrefix(msg.Subject, "client."+tenant+".import.") {
		t.Errorf("CLIENT %d is on %s, want the tenant's import subject", resp.GetSequence(), msg.Subject)
	}
	envelope, err := eventlog.Unmarshal(msg.Data)
	if err != nil {
		t.Fatalf("decode CLIENT %d: %v", resp.GetSequence(), err)
	}
	ev, ok := payloadOf(t, eventlog.Record{Envelope: envelope}).(*clientv1.CustomersImported)
	if !ok {
		t.Fatalf("CLIENT %d is %s, want CustomersImported", resp.GetSequence(), eventlog.TypeName(envelope))
	}
	if len(ev.GetSha256()) != 64 || ev.GetRows() != 3 || !cmp.Equal(ev.GetCustomerIds(), resp.GetCustomerIds()) {
		t.Errorf("CustomersImported = %v, want the file's digest and its 3 customers", ev)
	}
}
