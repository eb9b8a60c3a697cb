package clientsvc_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// matrixFixtures makes what one cell of the authorisation matrix acts on.
// A cell whose call changes state (a claim, a decision, a deletion) gets a
// customer, export or interaction of its own: an allowed caller then finds
// the state its call needs, and a call wrongly allowed cannot change what
// the next cell sees.
type matrixFixtures struct {
	// owner is s-owner (sales): holds the fixtures' customers and requests
	// the exports others decide on.
	owner clientv1.ClientServiceClient
	// approver is an hr employee outside the matrix's roles, who approves the
	// exports a cell downloads.
	approver clientv1.ClientServiceClient
	// customer is the matrix customer, held by s-owner.
	customer string
	n        atomic.Int32
}

// requestID is a request id no other fixture uses.
func (f *matrixFixtures) requestID(kind string) string {
	return fmt.Sprintf("fx-%s-%d", kind, f.n.Add(1))
}

// heldCustomer registers a customer of its own, held by s-owner.
func (f *matrixFixtures) heldCustomer(t *testing.T) string {
	t.Helper()
	n := f.n.Add(1)
	resp, err := f.owner.RegisterCustomer(t.Context(), registerRequest(fmt.Sprintf("fx-customer-%d", n), "赵六", fmt.Sprintf("1350000%04d", n)))
	if err != nil {
		t.Fatalf("fixture RegisterCustomer: %v", err)
	}
	return resp.GetCustomer().GetCustomerId()
}

// pooledCustomer is a heldCustomer that s-owner released to the shared pool.
func (f *matrixFixtures) pooledCustomer(t *testing.T) string {
	t.Helper()
	id := f.heldCustomer(t)
	_, err := f.owner.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{
		RequestId: f.requestID("release"), CustomerId: id, Reason: "客户暂无需求",
	})
	if err != nil {
		t.Fatalf("fixture ReleaseCustomer: %v", err)
	}
	return id
}

// interaction logs a note of s-owner's with the matrix customer.
func (f *matrixFixtures) interaction(t *testing.T) string {
	t.Helper()
	return logInteraction(t, f.owner, noteRequest(f.requestID("note"), f.customer)).GetInteractionId()
}

// export has requester ask for an export of the customers they may list
// (no filter); it awaits a decision.
func (f *matrixFixtures) export(t *testing.T, requester clientv1.ClientServiceClient) string {
	t.Helper()
	return requestExport(t, requester, exportRequest(f.requestID("export"), nil, false))
}

// approvedExport is an export of requester's that the approver approved.
func (f *matrixFixtures) approvedExport(t *testing.T, requester clientv1.ClientServiceClient) string {
	t.Helper()
	id := f.export(t, requester)
	approve(t, f.approver, f.requestID("approve"), id)
	return id
}

// grantAdminReveals gives admins of the caller's tenant a daily reveal
// quota. The default gives them none, so an admin's reveal, though
// allowed, would be ResourceExhausted (TestRevealContact covers that).
func grantAdminReveals(t *testing.T, admin clientv1.ClientServiceClient) {
	t.Helper()
	read, err := admin.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
	if err != nil {
		t.Fatalf("GetClientPolicy: %v", err)
	}
	p := read.GetPolicy()
	for _, q := range p.GetRevealQuotas() {
		if q.GetRole() == "admin" {
			q.PerDay = 5
		}
	}
	if _, err := admin.UpdateClientPolicy(t.Context(), &clientv1.UpdateClientPolicyRequest{
		RequestId: "fx-admin-reveals", Policy: p, Reason: "管理员核查客户需要查看号码",
	}); err != nil {
		t.Fatalf("UpdateClientPolicy: %v", err)
	}
}

// ingestOne sends rec as a feed of one record and returns the record's
// outcome as a status: nil if accepted, else an error with the code the
// result names. A failed call is returned as it is.
func ingestOne(ctx context.Context, c clientv1.ClientServiceClient, rec *clientv1.IngestInteractionsRequest) error {
	stream, err := c.IngestInteractions(ctx)
	if err != nil {
		return err
	}
	// A failed send means the server ended the call; CloseAndRecv says why.
	_ = stream.Send(rec)
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return err
	}
	if len(resp.GetResults()) != 1 {
		return fmt.Errorf("ingest: %d results for one record", len(resp.GetResults()))
	}
	res := resp.GetResults()[0]
	if res.GetAccepted() {
		return nil
	}
	var code codes.Code
	if err := code.UnmarshalJSON([]byte(strconv.Quote(res.GetCode()))); err != nil {
		return fmt.Errorf("ingest: result code %q: %w", res.GetCode(), err)
	}
	return status.Error(code, res.GetMessage())
}

// matrixTree records the matrix tenant's organisation in ATTENDANCE:
//
//	company
//	├── north   m-north (manager)
//	│   ├── team-a  s-owner, s-mate (sales), ss-team (senior_sales)
//	│   └── team-b  s-far (sales), ss-other (senior_sales)
//	└── south   m-south (manager)
//	    └── team-c  s-south (sales)
//
// ss-x and m-x are not on the roster: they see only their own customers.
func matrixTree(t *testing.T, env *testEnv, tenant string) {
	t.Helper()
	for _, u := range []struct{ id, parent string }{
		{"company", ""},
		{"north", "company"},
		{"south", "company"},
		{"team-a", "north"},
		{"team-b", "north"},
		{"team-c", "south"},
	} {
		env.createOrgUnit(t, tenant, u.id, u.parent)
	}
	for _, e := range []struct {
		id, unit, manager string
		role              auth.Role
	}{
		{"m-north", "north", "", auth.RoleManager},
		{"m-south", "south", "", auth.RoleManager},
		{"s-owner", "team-a", "m-north", auth.RoleSales},
		{"s-mate", "team-a", "m-north", auth.RoleSales},
		{"ss-team", "team-a", "m-north", auth.RoleSeniorSales},
		{"s-far", "team-b", "m-north", auth.RoleSales},
		{"ss-other", "team-b", "m-north", auth.RoleSeniorSales},
		{"s-south", "team-c", "m-south", auth.RoleSales},
	} {
		env.hireInto(t, tenant, e.id, e.unit, e.manager, e.role)
	}
}
