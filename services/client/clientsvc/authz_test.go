package clientsvc_test

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// matrixRow is one row of the authorisation matrix: a call of one RPC,
// made by every role, and the status each role gets.
type matrixRow struct {
	// rpc is the method's or stream's name in ClientService_ServiceDesc.
	rpc string
	// variant tells a row from the RPC's other rows ("" for the only one).
	variant string
	call    func(t *testing.T, c clientv1.ClientServiceClient, role string) error
	want    map[string]codes.Code
}

func (r matrixRow) name() string {
	if r.variant == "" {
		return r.rpc
	}
	return r.rpc + " " + r.variant
}

// testAuthorisationMatrix asserts the status of every RPC for every role,
// and for senior_sales and managers at every place in the organisation
// tree (matrixTree). Rows that only read act on one customer held by
// "s-owner"; rows that change state give each cell a customer, export or
// interaction of its own (matrixFixtures), so an allowed caller gets OK.
func testAuthorisationMatrix(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "matrix"
	matrixTree(t, env, tenant)
	roles := []struct {
		name string
		who  auth.Principal
	}{
		{"sales-owner", principal(tenant, "s-owner", auth.RoleSales)},
		{"sales-same-team", principal(tenant, "s-mate", auth.RoleSales)},
		{"senior-same-team", principal(tenant, "ss-team", auth.RoleSeniorSales)},
		{"senior-other-team", principal(tenant, "ss-other", auth.RoleSeniorSales)},
		{"senior-off-roster", principal(tenant, "ss-x", auth.RoleSeniorSales)},
		{"manager-subtree", principal(tenant, "m-north", auth.RoleManager)},
		{"manager-outside", principal(tenant, "m-south", auth.RoleManager)},
		{"manager-off-roster", principal(tenant, "m-x", auth.RoleManager)},
		{"hr", principal(tenant, "hr-1", auth.RoleHR)},
		{"auditor", principal(tenant, "au-1", auth.RoleAuditor)},
		{"admin", principal(tenant, "ad-1", auth.RoleAdmin)},
		{"service", principal(tenant, "svc-1", auth.RoleService)},
	}
	roleNames := make([]string, 0, len(roles))
	clients := map[string]clientv1.ClientServiceClient{}
	for _, r := range roles {
		roleNames = append(roleNames, r.name)
		clients[r.name] = env.dial(t, svc, r.who)
	}
	// allowed: OK for roles, PermissionDenied for every other role.
	allowed := func(roles ...string) map[string]codes.Code {
		want := map[string]codes.Code{}
		for _, r := range roleNames {
			want[r] = codes.PermissionDenied
		}
		for _, r := range roles {
			want[r] = codes.OK
		}
		return want
	}

	owner := clients["sales-owner"]
	reg, err := owner.RegisterCustomer(t.Context(), registerRequest("matrix-customer", "李四", "13900139000"))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	id, seq := reg.GetCustomer().GetCustomerId(), reg.GetSequence()
	fx := &matrixFixtures{
		owner:    owner,
		approver: env.dial(t, svc, principal(tenant, "hr-approver", auth.RoleHR)),
		customer: id,
	}
	ownersExport := fx.export(t, owner)
	ownersApprovedExport := fx.approvedExport(t, owner)
	grantAdminReveals(t, clients["admin"])

	rows := []matrixRow{
		{
			rpc: "RegisterCustomer",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				// A phone of its own per role: equal phones would be one customer.
				phone := fmt.Sprintf("1370013%04d", slices.Index(roleNames, role))
				_, err := c.RegisterCustomer(t.Context(), registerRequest("matrix-reg-"+role, "王五", phone))
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "senior-off-roster", "manager-subtree", "manager-outside", "manager-off-roster", "admin"),
		},
		{
			// The whole north subtree: hr, auditors, admins and its manager.
			rpc: "GetTeamActivity", variant: "of north",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetTeamActivity(t.Context(), teamActivityRequest("north", seq))
				return err
			},
			want: allowed("manager-subtree", "hr", "auditor", "admin"),
		},
		{
			// The caller's own unit: a manager the roster places somewhere.
			rpc: "GetTeamActivity", variant: "of one's own unit",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetTeamActivity(t.Context(), teamActivityRequest("", seq))
				return err
			},
			// hr, auditors and admins see every unit, so must name one.
			want: func() map[string]codes.Code {
				want := allowed("manager-subtree", "manager-outside")
				want["hr"], want["auditor"], want["admin"] = codes.InvalidArgument, codes.InvalidArgument, codes.InvalidArgument
				return want
			}(),
		},
		{
			rpc: "GetCustomer",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: id, MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "senior-same-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			// Sales and the service list their own customers (none, for the service).
			rpc: "ListCustomers",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{MinSequence: seq})
				return err
			},
			want: allowed(roleNames...),
		},
		{
			rpc: "ListCustomers", variant: "of the owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-owner", MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "senior-same-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			// A unit above the owner's team: each caller sees what of it is theirs.
			rpc: "ListCustomers", variant: "in org unit north",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{OrgUnitId: "north", MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "ListCustomers", variant: "in the owner's team",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{OrgUnitId: "team-a", MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "LogInteraction",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.LogInteraction(t.Context(), noteRequest("matrix-note-"+role, id))
				return err
			},
			want: allowed("sales-owner", "manager-subtree", "admin"),
		},
		{
			rpc: "LogInteraction", variant: "with a counterparty",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.LogInteraction(t.Context(), callRequest("matrix-call-"+role, "13300001111"))
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "senior-off-roster", "manager-subtree", "manager-outside", "manager-off-roster"),
		},
		{
			rpc: "AssignCustomer", variant: "from the pool",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.AssignCustomer(t.Context(), &clientv1.AssignCustomerRequest{
					RequestId: "matrix-assign-" + role, CustomerId: fx.pooledCustomer(t), EmployeeId: "ss-team", Reason: "matrix",
				})
				return err
			},
			want: allowed("manager-subtree", "hr", "admin"),
		},
		{
			rpc: "ReassignCustomer", variant: "held by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ReassignCustomer(t.Context(), &clientv1.ReassignCustomerRequest{
					RequestId: "matrix-reassign-" + role, CustomerId: fx.heldCustomer(t), EmployeeId: "s-mate", Reason: "matrix",
				})
				return err
			},
			want: allowed("manager-subtree", "hr", "admin"),
		},
		{
			rpc: "ReleaseCustomer", variant: "held by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{
					RequestId: "matrix-release-" + role, CustomerId: fx.heldCustomer(t), Reason: "matrix",
				})
				return err
			},
			want: allowed("sales-owner", "manager-subtree", "hr", "admin"),
		},
		{
			rpc: "ClaimCustomer", variant: "from the pool",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "matrix-claim-" + role, CustomerId: fx.pooledCustomer(t)})
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "senior-off-roster", "manager-subtree", "manager-outside", "manager-off-roster"),
		},
		{
			// admin has a reveal quota here (grantAdminReveals).
			rpc: "RevealContact",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.RevealContact(t.Context(), revealRequest("matrix-reveal-"+role, id, clientv1.ContactField_CONTACT_FIELD_PHONE, 0))
				return err
			},
			want: allowed("sales-owner", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "GetClientPolicy",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
				return err
			},
			want: allowed(roleNames...),
		},
		{
			// Every caller reads their own use; the request names nobody else.
			rpc: "GetMyQuotas",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetMyQuotas(t.Context(), &clientv1.GetMyQuotasRequest{})
				return err
			},
			want: allowed(roleNames...),
		},
		{
			// Each caller submits the policy in force, at the version it read.
			rpc: "UpdateClientPolicy",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				read, err := c.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
				if err != nil {
					t.Fatalf("GetClientPolicy: %v", err)
				}
				_, err = c.UpdateClientPolicy(t.Context(), &clientv1.UpdateClientPolicyRequest{
					RequestId: "matrix-policy-" + role, Policy: read.GetPolicy(), Reason: "matrix",
				})
				return err
			},
			want: allowed("admin"),
		},
		{
			// No filter: sales export their own customers, the others every customer.
			rpc: "RequestExport",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.RequestExport(t.Context(), exportRequest("matrix-export-"+role, nil, false))
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "senior-off-roster", "manager-subtree", "manager-outside", "manager-off-roster", "hr", "auditor", "admin"),
		},
		{
			rpc: "RequestExport", variant: "of the owner's customers",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.RequestExport(t.Context(), exportRequest("matrix-export-owner-"+role, &clientv1.ExportFilter{OwnerEmployeeId: "s-owner"}, false))
				return err
			},
			want: allowed("sales-owner", "senior-same-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "ApproveExport", variant: "requested by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ApproveExport(t.Context(), &clientv1.ApproveExportRequest{
					RequestId: "matrix-approve-" + role, ExportId: fx.export(t, owner), Reason: approvalReason,
				})
				return err
			},
			want: allowed("manager-subtree", "hr", "admin"),
		},
		{
			rpc: "RejectExport", variant: "requested by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.RejectExport(t.Context(), &clientv1.RejectExportRequest{
					RequestId: "matrix-reject-" + role, ExportId: fx.export(t, owner), Reason: "不需要",
				})
				return err
			},
			want: allowed("manager-subtree", "hr", "admin"),
		},
		{
			rpc: "GetExport", variant: "requested by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetExport(t.Context(), &clientv1.GetExportRequest{ExportId: ownersExport})
				return err
			},
			want: allowed("sales-owner", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "DownloadExport", variant: "requested by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.DownloadExport(t.Context(), &clientv1.DownloadExportRequest{RequestId: "matrix-download-" + role, ExportId: ownersApprovedExport})
				return err
			},
			want: allowed("sales-owner"),
		},
		{
			// The service may not request an export, so it has none of its
			// own: it tries s-owner's.
			rpc: "DownloadExport", variant: "requested by the caller",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				export := ownersApprovedExport
				if role != "service" {
					export = fx.approvedExport(t, c)
				}
				_, err := c.DownloadExport(t.Context(), &clientv1.DownloadExportRequest{RequestId: "matrix-download-own-" + role, ExportId: export})
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "senior-off-roster", "manager-subtree", "manager-outside", "manager-off-roster", "hr", "auditor", "admin"),
		},
		{
			// The code is the record's result: the call itself succeeds.
			rpc: "IngestInteractions", variant: "of the caller",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				return ingestOne(t.Context(), c, &clientv1.IngestInteractionsRequest{Interaction: noteRequest("matrix-ingest-"+role, id)})
			},
			want: allowed("sales-owner", "manager-subtree", "admin"),
		},
		{
			rpc: "IngestInteractions", variant: "for s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				return ingestOne(t.Context(), c, &clientv1.IngestInteractionsRequest{
					Interaction: noteRequest("matrix-ingest-for-"+role, id), EmployeeId: "s-owner",
				})
			},
			want: allowed("sales-owner", "admin", "service"),
		},
		{
			rpc: "DeleteInteraction", variant: "logged by s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				_, err := c.DeleteInteraction(t.Context(), &clientv1.DeleteInteractionRequest{
					RequestId: "matrix-delete-" + role, InteractionId: fx.interaction(t), Reason: "记错了客户",
				})
				return err
			},
			want: allowed("sales-owner", "manager-subtree", "admin"),
		},
		{
			rpc: "ListInteractions", variant: "of the customer",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{CustomerId: id, MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "senior-same-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "ListInteractions", variant: "of s-owner",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{EmployeeId: "s-owner", MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "senior-same-team", "manager-subtree", "hr", "auditor", "admin"),
		},
		{
			rpc: "ListInteractions", variant: "of the customer, deleted included",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{CustomerId: id, IncludeDeleted: true, MinSequence: seq})
				return err
			},
			want: allowed("hr", "auditor", "admin"),
		},
		{
			rpc: "ImportCustomers",
			call: func(t *testing.T, c clientv1.ClientServiceClient, role string) error {
				csv := fmt.Sprintf("person_name,phones\n钱七,1340000%04d\n", slices.Index(roleNames, role))
				_, err := c.ImportCustomers(t.Context(), importRequest("matrix-import-"+role, csv))
				return err
			},
			want: allowed("sales-owner", "sales-same-team", "senior-same-team", "senior-other-team", "senior-off-roster", "manager-subtree", "manager-outside", "manager-off-roster", "admin"),
		},
		{
			// senior_sales read their team's customers but not their trail.
			rpc: "GetCustomerHistory",
			call: func(t *testing.T, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetCustomerHistory(t.Context(), &clientv1.GetCustomerHistoryRequest{CustomerId: id, MinSequence: seq})
				return err
			},
			want: allowed("sales-owner", "manager-subtree", "hr", "auditor", "admin"),
		},
	}

	t.Run("every RPC has a row and every row a cell per role", func(t *testing.T) {
		wantMatrixCovers(t, rows, roleNames)
	})
	for _, row := range rows {
		for _, role := range roleNames {
			t.Run(row.name()+"/"+role, func(t *testing.T) {
				want, found := row.want[role]
				if !found {
					t.Fatalf("the matrix has no cell for %s × %s", row.name(), role)
				}
				err := row.call(t, clients[role], role)
				if got := status.Code(err); got != want {
					t.Errorf("%s as %s: status %v (%v), want %v", row.name(), role, got, err, want)
				}
			})
		}
	}
}

// wantMatrixCovers fails t unless every method and stream of
// holdfast.client.v1.ClientService has a row, every row names one of them,
// and every row has a cell for exactly the given roles: a new RPC cannot
// be added without its row.
func wantMatrixCovers(t *testing.T, rows []matrixRow, roles []string) {
	t.Helper()
	var rpcs []string
	for _, m := range clientv1.ClientService_ServiceDesc.Methods {
		rpcs = append(rpcs, m.MethodName)
	}
	for _, s := range clientv1.ClientService_ServiceDesc.Streams {
		rpcs = append(rpcs, s.StreamName)
	}
	covered := map[string]bool{}
	names := map[string]bool{}
	for _, row := range rows {
		covered[row.rpc] = true
		if names[row.name()] {
			t.Errorf("row %q appears twice", row.name())
		}
		names[row.name()] = true
		if !slices.Contains(rpcs, row.rpc) {
			t.Errorf("row %q names no RPC of %s", row.name(), clientv1.ClientService_ServiceDesc.ServiceName)
		}
		for role := range row.want {
			if !slices.Contains(roles, role) {
				t.Errorf("row %q has a cell for unknown role %q", row.name(), role)
			}
		}
		for _, role := range roles {
			if _, ok := row.want[role]; !ok {
				t.Errorf("row %q has no cell for role %q", row.name(), role)
			}
		}
	}
	for _, rpc := range rpcs {
		if !covered[rpc] {
			t.Errorf("%s.%s has no row in the authorisation matrix", clientv1.ClientService_ServiceDesc.ServiceName, rpc)
		}
	}
}
