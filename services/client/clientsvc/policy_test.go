package clientsvc_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// defaultPolicy is the policy every tenant has until an admin changes it.
func defaultPolicy() *clientv1.ClientPolicy {
	return &clientv1.ClientPolicy{
		RevealQuotas: []*clientv1.RoleQuota{
			{Role: "sales", PerDay: 20},
			{Role: "senior_sales", PerDay: 40},
			{Role: "manager", PerDay: 60},
			{Role: "hr", PerDay: 20},
			{Role: "auditor", PerDay: 20},
			{Role: "admin", PerDay: 0},
		},
		ClaimQuotaPerDay:    5,
		MaxCustomersHeld:    300,
		PoolReturnAfterDays: 30,
		TimeZone:            "Asia/Shanghai",
		TextRecording:       clientv1.TextRecording_TEXT_RECORDING_ALWAYS,
		DepartureHandover:   clientv1.DepartureHandover_DEPARTURE_HANDOVER_MANAGER,
	}
}

// policyUpdate is a valid update of defaultPolicy read at version 0.
func policyUpdate(requestID string, change func(*clientv1.ClientPolicy)) *clientv1.UpdateClientPolicyRequest {
	p := defaultPolicy()
	if change != nil {
		change(p)
	}
	return &clientv1.UpdateClientPolicyRequest{RequestId: requestID, Policy: p, Reason: "销售旺季，收紧号码查看"}
}

func TestClientPolicy(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)

	t.Run("every role reads the defaults", func(t *testing.T) {
		t.Parallel()
		for _, role := range []auth.Role{auth.RoleSales, auth.RoleSeniorSales, auth.RoleManager, auth.RoleHR, auth.RoleAuditor, auth.RoleAdmin, auth.RoleService} {
			t.Run(string(role), func(t *testing.T) {
				t.Parallel()
				c := env.dial(t, svc, principal("policy-defaults", "e-"+string(role), role))
				got, err := c.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
				if err != nil {
					t.Fatalf("GetClientPolicy: %v", err)
				}
				if diff := cmp.Diff(defaultPolicy(), got.GetPolicy(), protocmp.Transform()); diff != "" {
					t.Errorf("policy mismatch (-want, +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("only an admin updates", func(t *testing.T) {
		t.Parallel()
		const tenant = "policy-denied"
		// The group returns once its parallel cases are done.
		t.Run("roles", func(t *testing.T) {
			for _, role := range []auth.Role{auth.RoleSales, auth.RoleSeniorSales, auth.RoleManager, auth.RoleHR, auth.RoleAuditor, auth.RoleService} {
				t.Run(string(role), func(t *testing.T) {
					t.Parallel()
					c := env.dial(t, svc, principal(tenant, "e-"+string(role), role))
					_, err := c.UpdateClientPolicy(t.Context(), policyUpdate("upd-"+string(role), nil))
					wantCode(t, err, codes.PermissionDenied)
				})
			}
		})
		if n := env.streamMessages(t, "client."+tenant+".>"); n != 0 {
			t.Errorf("CLIENT holds %d messages of refused updates, want 0", n)
		}
	})

	t.Run("invalid updates", func(t *testing.T) {
		t.Parallel()
		const tenant = "policy-invalid"
		admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
		tests := []struct {
			name       string
			req        *clientv1.UpdateClientPolicyRequest
			wantFields []string
		}{
			{
				name: "negative claim quota, unknown role, bad time zone",
				req: policyUpdate("upd-bad", func(p *clientv1.ClientPolicy) {
					p.ClaimQuotaPerDay = -1
					p.RevealQuotas = append(p.RevealQuotas, &clientv1.RoleQuota{Role: "intern", PerDay: 5})
					p.TimeZone = "Mars/Olympus_Mons"
				}),
				wantFields: []string{"policy.claim_quota_per_day", "policy.reveal_quotas", "policy.time_zone"},
			},
			{
				name: "every numeric field out of range",
				req: policyUpdate("upd-range", func(p *clientv1.ClientPolicy) {
					p.RevealQuotas[0].PerDay = -3
					p.ClaimQuotaPerDay, p.MaxCustomersHeld, p.PoolReturnAfterDays = 1001, 0, 3651
				}),
				wantFields: []string{"policy.claim_quota_per_day", "policy.max_customers_held", "policy.pool_return_after_days", "policy.reveal_quotas"},
			},
			{
				name:       "no time zone",
				req:        policyUpdate("upd-no-tz", func(p *clientv1.ClientPolicy) { p.TimeZone = "" }),
				wantFields: []string{"policy.time_zone"},
			},
			{
				name: "a role listed twice",
				req: policyUpdate("upd-twice", func(p *clientv1.ClientPolicy) {
					p.RevealQuotas = append(p.RevealQuotas, &clientv1.RoleQuota{Role: "sales", PerDay: 1})
				}),
				wantFields: []string{"policy.reveal_quotas"},
			},
			{
				name:       "no policy",
				req:        &clientv1.UpdateClientPolicyRequest{RequestId: "upd-none", Reason: "x"},
				wantFields: []string{"policy"},
			},
			{
				name: "no reason, bad request id",
				req: func() *clientv1.UpdateClientPolicyRequest {
					r := policyUpdate("a b", nil)
					r.Reason = " "
					return r
				}(),
				wantFields: []string{"reason", "request_id"},
			},
			{
				name: "reason of 501 characters",
				req: func() *clientv1.UpdateClientPolicyRequest {
					r := policyUpdate("upd-long", nil)
					r.Reason = strings.Repeat("因", 501)
					return r
				}(),
				wantFields: []string{"reason"},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := admin.UpdateClientPolicy(t.Context(), tt.req)
				if diff := cmp.Diff(tt.wantFields, violatedFields(t, err)); diff != "" {
					t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
				}
			})
		}
		if n := env.streamMessages(t, "client."+tenant+".>"); n != 0 {
			t.Errorf("CLIENT holds %d messages of refused updates, want 0", n)
		}
	})

	t.Run("update, retry, stale version", func(t *testing.T) {
		t.Parallel()
		const tenant = "policy-update"
		admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
		tighter := func(p *clientv1.ClientPolicy) {
			p.RevealQuotas[0].PerDay = 2
			p.ClaimQuotaPerDay = 3
			p.TimeZone = "Europe/Berlin"
		}
		req := policyUpdate("upd-1", tighter)
		updated, err := admin.UpdateClientPolicy(t.Context(), req)
		if err != nil {
			t.Fatalf("UpdateClientPolicy: %v", err)
		}
		want := proto.Clone(req.GetPolicy()).(*clientv1.ClientPolicy)
		want.Version = 1
		if diff := cmp.Diff(want, updated.GetPolicy(), protocmp.Transform()); diff != "" {
			t.Errorf("updated policy mismatch (-want, +got):\n%s", diff)
		}
		if updated.GetSequence() == 0 {
			t.Errorf("UpdateClientPolicy sequence = 0, want the CLIENT sequence written")
		}
		for _, role := range []auth.Role{auth.RoleSales, auth.RoleAdmin} {
			got, err := env.dial(t, svc, principal(tenant, "e-"+string(role), role)).GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
			if err != nil {
				t.Fatalf("GetClientPolicy as %s: %v", role, err)
			}
			if diff := cmp.Diff(want, got.GetPolicy(), protocmp.Transform()); diff != "" {
				t.Errorf("GetClientPolicy as %s mismatch (-want, +got):\n%s", role, diff)
			}
		}

		retry, err := admin.UpdateClientPolicy(t.Context(), policyUpdate("upd-1", tighter))
		if err != nil {
			t.Fatalf("retried UpdateClientPolicy: %v", err)
		}
		if diff := cmp.Diff(updated, retry, protocmp.Transform()); diff != "" {
			t.Errorf("retried update mismatch (-first, +retry):\n%s", diff)
		}
		if n := env.streamMessages(t, "client."+tenant+".policy.>"); n != 1 {
			t.Errorf("CLIENT holds %d policy updates after a retry, want 1", n)
		}

		_, err = admin.UpdateClientPolicy(t.Context(), policyUpdate("upd-1", nil))
		wantCode(t, err, codes.FailedPrecondition)

		// Read at version 0, written after version 1: refused, not applied.
		_, err = admin.UpdateClientPolicy(t.Context(), policyUpdate("upd-stale", nil))
		wantCode(t, err, codes.Aborted)
		if msg := status.Convert(err).Message(); !strings.Contains(msg, "policy changed since you read it") {
			t.Errorf("Aborted message %q does not say the policy changed", msg)
		}

		// Another admin's equal request id is another request.
		other := env.dial(t, svc, principal(tenant, "ad-2", auth.RoleAdmin))
		next := policyUpdate("upd-1", func(p *clientv1.ClientPolicy) {
			tighter(p)
			p.MaxCustomersHeld = 150
			p.Version = 1
		})
		second, err := other.UpdateClientPolicy(t.Context(), next)
		if err != nil {
			t.Fatalf("UpdateClientPolicy by another admin with an equal request id: %v", err)
		}
		if got := second.GetPolicy(); got.GetVersion() != 2 || got.GetMaxCustomersHeld() != 150 {
			t.Errorf("second update = %v, want version 2 holding 150 customers", got)
		}
		if n := env.streamMessages(t, "client."+tenant+".policy.>"); n != 2 {
			t.Errorf("CLIENT holds %d policy updates, want 2", n)
		}
	})
}
