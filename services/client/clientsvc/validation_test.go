package clientsvc_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// testInvalidArguments sends bad requests of every RPC and checks each
// answer names every bad field, and that nothing was written.
func testInvalidArguments(t *testing.T, env *testEnv, svc *runningService) {
	c := env.dial(t, svc, principal("invalid", "s-1", auth.RoleSales))
	register := func(change func(*clientv1.RegisterCustomerRequest)) func() error {
		return func() error {
			req := registerRequest("reg-invalid", "张三", "13800138000")
			change(req)
			_, err := c.RegisterCustomer(t.Context(), req)
			return err
		}
	}
	logInteraction := func(change func(*clientv1.LogInteractionRequest)) func() error {
		return func() error {
			req := noteRequest("note-invalid", "some-customer")
			change(req)
			_, err := c.LogInteraction(t.Context(), req)
			return err
		}
	}
	get := func(id string) func() error {
		return func() error {
			_, err := c.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: id})
			return err
		}
	}
	list := func(req *clientv1.ListCustomersRequest) func() error {
		return func() error {
			_, err := c.ListCustomers(t.Context(), req)
			return err
		}
	}
	tests := []struct {
		name       string
		call       func() error
		wantFields []string
	}{
		{
			name:       "register: request_id with a space",
			call:       register(func(r *clientv1.RegisterCustomerRequest) { r.RequestId = "a b" }),
			wantFields: []string{"request_id"},
		},
		{
			name:       "register: no request_id",
			call:       register(func(r *clientv1.RegisterCustomerRequest) { r.RequestId = "" }),
			wantFields: []string{"request_id"},
		},
		{
			name:       "register: no names and no contacts",
			call:       register(func(r *clientv1.RegisterCustomerRequest) { r.PersonName, r.Phones = "", nil }),
			wantFields: []string{"person_name", "phones"},
		},
		{
			name:       "register: bad e-mail",
			call:       register(func(r *clientv1.RegisterCustomerRequest) { r.Email = "zhang@" }),
			wantFields: []string{"email"},
		},
		{
			name: "register: bad phone and WeChat id, no source",
			call: register(func(r *clientv1.RegisterCustomerRequest) {
				r.Phones, r.WechatId, r.SourceChannel = []string{"abc"}, "1x", 0
			}),
			wantFields: []string{"phones[0]", "source_channel", "wechat_id"},
		},
		{
			name: "register: every bad field at once, request_id included",
			call: register(func(r *clientv1.RegisterCustomerRequest) {
				r.RequestId, r.PersonName, r.Email, r.SourceChannel = "a b", "", "zhang@", 0
			}),
			wantFields: []string{"email", "person_name", "request_id", "source_channel"},
		},
		{
			name:       "get: customer_id with a dot",
			call:       get("x.y"),
			wantFields: []string{"customer_id"},
		},
		{
			name:       "get: no customer_id",
			call:       get(""),
			wantFields: []string{"customer_id"},
		},
		{
			name:       "list: page_size 1000",
			call:       list(&clientv1.ListCustomersRequest{PageSize: 1000}),
			wantFields: []string{"page_size"},
		},
		{
			name:       "list: negative page_size",
			call:       list(&clientv1.ListCustomersRequest{PageSize: -1}),
			wantFields: []string{"page_size"},
		},
		{
			name:       "list: garbage page_token",
			call:       list(&clientv1.ListCustomersRequest{PageToken: "garbage!"}),
			wantFields: []string{"page_token"},
		},
		{
			name:       "list: page_token of valid base64 but not ours",
			call:       list(&clientv1.ListCustomersRequest{PageToken: "eDE6YWJj"}),
			wantFields: []string{"page_token"},
		},
		{
			name:       "list: every bad field at once",
			call:       list(&clientv1.ListCustomersRequest{PageSize: 1000, PageToken: "garbage!", OwnerEmployeeId: "a.b"}),
			wantFields: []string{"owner_employee_id", "page_size", "page_token"},
		},
		{
			name:       "list: org_unit_id with a dot",
			call:       list(&clientv1.ListCustomersRequest{OrgUnitId: "a.b"}),
			wantFields: []string{"org_unit_id"},
		},
		{
			name:       "list: org_unit_id with in_pool",
			call:       list(&clientv1.ListCustomersRequest{OrgUnitId: "team-a", InPool: true}),
			wantFields: []string{"org_unit_id"},
		},
		{
			name:       "list: org_unit_id the roster does not know",
			call:       list(&clientv1.ListCustomersRequest{OrgUnitId: "atlantis"}),
			wantFields: []string{"org_unit_id"},
		},
		{
			name:       "log: customer_id with a dot",
			call:       logInteraction(func(r *clientv1.LogInteractionRequest) { r.CustomerId = "x.y" }),
			wantFields: []string{"customer_id"},
		},
		{
			name:       "log: no kind, no direction",
			call:       logInteraction(func(r *clientv1.LogInteractionRequest) { r.Kind, r.Direction = 0, 0 }),
			wantFields: []string{"direction", "kind"},
		},
		{
			name:       "log: empty chat",
			call:       logInteraction(func(r *clientv1.LogInteractionRequest) { r.Text = "  " }),
			wantFields: []string{"text"},
		},
		{
			name: "log: every bad field at once, request_id and customer_id included",
			call: logInteraction(func(r *clientv1.LogInteractionRequest) {
				r.RequestId, r.CustomerId, r.Kind, r.Duration = "a b", "x.y", 0, durationpb.New(-time.Second)
			}),
			wantFields: []string{"customer_id", "duration", "kind", "request_id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.wantFields, violatedFields(t, tt.call())); diff != "" {
				t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
			}
		})
	}
	// Nothing half-written.
	if n := env.streamMessages(t, "client.invalid.>"); n != 0 {
		t.Errorf("CLIENT holds %d messages of refused requests, want 0", n)
	}
}
