package clientsvc_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// testAuthorisationMatrix asserts the status of every RPC for every role,
// against one customer held by "s-owner".
func testAuthorisationMatrix(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "matrix"
	type roleCase struct {
		name string
		who  auth.Principal
	}
	roles := []roleCase{
		{"sales-owner", principal(tenant, "s-owner", auth.RoleSales)},
		{"sales-other", principal(tenant, "s-other", auth.RoleSales)},
		{"senior_sales", principal(tenant, "ss-1", auth.RoleSeniorSales)},
		{"manager", principal(tenant, "m-1", auth.RoleManager)},
		{"hr", principal(tenant, "hr-1", auth.RoleHR)},
		{"auditor", principal(tenant, "au-1", auth.RoleAuditor)},
		{"admin", principal(tenant, "ad-1", auth.RoleAdmin)},
	}
	clients := map[string]clientv1.ClientServiceClient{}
	for _, r := range roles {
		clients[r.name] = env.dial(t, svc, r.who)
	}
	reg, err := clients["sales-owner"].RegisterCustomer(t.Context(), registerRequest("matrix-customer", "李四", "13900139000"))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	id, seq := reg.GetCustomer().GetCustomerId(), reg.GetSequence()

	const (
		ok     = codes.OK
		denied = codes.PermissionDenied
		// The ownership rows change nothing: a caller who passes the role
		// check stops at the customer's state (held, not pooled) or at the
		// missing reason, so every cell sees the same customer.
		held     = codes.FailedPrecondition
		noReason = codes.InvalidArgument
	)
	// call makes one RPC as role; mutating calls use a request id of the cell.
	type call func(ctx context.Context, c clientv1.ClientServiceClient, role string) error
	rpcs := []struct {
		name string
		call call
		want map[string]codes.Code
	}{
		{
			name: "RegisterCustomer",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, role string) error {
				// A phone of its own per role: equal phones would be one customer.
				phone := fmt.Sprintf("1370013%04d", slices.IndexFunc(roles, func(r roleCase) bool { return r.name == role }))
				_, err := c.RegisterCustomer(ctx, registerRequest("matrix-reg-"+role, "王五", phone))
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": ok, "sales-other": ok, "senior_sales": ok, "manager": ok,
				"hr": denied, "auditor": denied, "admin": ok,
			},
		},
		{
			name: "GetCustomer",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.GetCustomer(ctx, &clientv1.GetCustomerRequest{CustomerId: id, MinSequence: seq})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": ok, "sales-other": denied, "senior_sales": ok, "manager": ok,
				"hr": ok, "auditor": ok, "admin": ok,
			},
		},
		{
			name: "ListCustomers",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListCustomers(ctx, &clientv1.ListCustomersRequest{MinSequence: seq})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": ok, "sales-other": ok, "senior_sales": ok, "manager": ok,
				"hr": ok, "auditor": ok, "admin": ok,
			},
		},
		{
			name: "ListCustomers of the owner",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, _ string) error {
				_, err := c.ListCustomers(ctx, &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-owner", MinSequence: seq})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": ok, "sales-other": denied, "senior_sales": ok, "manager": ok,
				"hr": ok, "auditor": ok, "admin": ok,
			},
		},
		{
			name: "LogInteraction",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, role string) error {
				_, err := c.LogInteraction(ctx, noteRequest("matrix-note-"+role, id))
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": ok, "sales-other": denied, "senior_sales": denied, "manager": ok,
				"hr": denied, "auditor": denied, "admin": ok,
			},
		},
		{
			name: "AssignCustomer",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, role string) error {
				_, err := c.AssignCustomer(ctx, &clientv1.AssignCustomerRequest{
					RequestId: "matrix-assign-" + role, CustomerId: id, EmployeeId: "ss-1", Reason: "matrix",
				})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": denied, "sales-other": denied, "senior_sales": denied, "manager": held,
				"hr": held, "auditor": denied, "admin": held,
			},
		},
		{
			name: "ReassignCustomer",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ReassignCustomer(ctx, &clientv1.ReassignCustomerRequest{
					RequestId: "matrix-reassign-" + role, CustomerId: id, EmployeeId: "s-owner", Reason: "matrix",
				})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": denied, "sales-other": denied, "senior_sales": denied, "manager": held,
				"hr": held, "auditor": denied, "admin": held,
			},
		},
		{
			name: "ReleaseCustomer",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ReleaseCustomer(ctx, &clientv1.ReleaseCustomerRequest{RequestId: "matrix-release-" + role, CustomerId: id})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": noReason, "sales-other": denied, "senior_sales": denied, "manager": noReason,
				"hr": noReason, "auditor": denied, "admin": noReason,
			},
		},
		{
			name: "ClaimCustomer",
			call: func(ctx context.Context, c clientv1.ClientServiceClient, role string) error {
				_, err := c.ClaimCustomer(ctx, &clientv1.ClaimCustomerRequest{RequestId: "matrix-claim-" + role, CustomerId: id})
				return err
			},
			want: map[string]codes.Code{
				"sales-owner": held, "sales-other": held, "senior_sales": held, "manager": held,
				"hr": denied, "auditor": denied, "admin": denied,
			},
		},
	}
	for _, rpc := range rpcs {
		for _, r := range roles {
			t.Run(rpc.name+"/"+r.name, func(t *testing.T) {
				want, found := rpc.want[r.name]
				if !found {
					t.Fatalf("the matrix has no cell for %s × %s", rpc.name, r.name)
				}
				err := rpc.call(t.Context(), clients[r.name], r.name)
				if got := status.Code(err); got != want {
					t.Errorf("%s as %s: status %v (%v), want %v", rpc.name, r.name, got, err, want)
				}
			})
		}
	}
}
