package clientsvc_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// TestGetMyQuotas has two salespeople reveal and claim on one day and
// checks each reads their own use only, counted as RevealContact and
// ClaimCustomer enforce it, and that the counts restart at the tenant's
// midnight, not UTC's.
func TestGetMyQuotas(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// 23:30 in Shanghai: the tenant's day ends half an hour later.
	clock := &testClock{t: time.Date(2026, 3, 10, 15, 30, 0, 0, time.UTC)}
	svc := env.startWithClock(t, nil, clock.now)
	const tenant = "my-quotas"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-a": auth.RoleSales, "s-b": auth.RoleSales})
	env.appendClientPolicy(t, tenant, &clientv1.ClientPolicy{
		RevealQuotas:     []*clientv1.RoleQuota{{Role: "sales", PerDay: 2}, {Role: "hr", PerDay: 7}},
		ClaimQuotaPerDay: 3, MaxCustomersHeld: 10, PoolReturnAfterDays: 30, TimeZone: "Asia/Shanghai",
	})
	a := env.dial(t, svc, principal(tenant, "s-a", auth.RoleSales))
	b := env.dial(t, svc, principal(tenant, "s-b", auth.RoleSales))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	phone := clientv1.ContactField_CONTACT_FIELD_PHONE
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	midnight := time.Date(2026, 3, 11, 0, 0, 0, 0, shanghai)

	quotas := func(t *testing.T, c clientv1.ClientServiceClient) *clientv1.GetMyQuotasResponse {
		t.Helper()
		resp, err := c.GetMyQuotas(t.Context(), &clientv1.GetMyQuotasRequest{})
		if err != nil {
			t.Fatalf("GetMyQuotas: %v", err)
		}
		return resp
	}
	today := func(reveals, quota, refused, claims int32) *clientv1.GetMyQuotasResponse {
		return &clientv1.GetMyQuotasResponse{
			Day: "2026-03-10", TimeZone: "Asia/Shanghai", ResetsAt: timestamppb.New(midnight),
			RevealsUsed: reveals, RevealQuota: quota, RevealsRefused: refused, ClaimsUsed: claims, ClaimQuota: 3,
		}
	}
	want := func(t *testing.T, c clientv1.ClientServiceClient, w *clientv1.GetMyQuotasResponse) {
		t.Helper()
		if diff := cmp.Diff(w, quotas(t, c), protocmp.Transform()); diff != "" {
			t.Errorf("GetMyQuotas mismatch (-want, +got):\n%s", diff)
		}
	}

	t.Run("nothing used yet", func(t *testing.T) {
		want(t, a, today(0, 2, 0, 0))
		want(t, hr, today(0, 7, 0, 0)) // hr's own quota, not sales'
	})

	aCustomer := registerZhangSan(t, a, "a-zhang", "s-a").GetCustomer().GetCustomerId()
	bReg, err := b.RegisterCustomer(t.Context(), registerRequest("b-li", "李四", "13900139000"))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	bCustomer := bReg.GetCustomer().GetCustomerId()

	t.Run("the number shown is the number enforced", func(t *testing.T) {
		first, err := a.RevealContact(t.Context(), revealRequest("a-r1", aCustomer, phone, 0))
		if err != nil {
			t.Fatalf("RevealContact: %v", err)
		}
		got := quotas(t, a)
		if left := got.GetRevealQuota() - got.GetRevealsUsed(); left != first.GetRevealsLeftToday() {
			t.Errorf("GetMyQuotas leaves %d reveals (%v), RevealContact said %d", left, got, first.GetRevealsLeftToday())
		}
		// A retry counts nothing, for the quota or for the self-view.
		if _, err := a.RevealContact(t.Context(), revealRequest("a-r1", aCustomer, phone, 0)); err != nil {
			t.Fatalf("retried RevealContact: %v", err)
		}
		if _, err := a.RevealContact(t.Context(), revealRequest("a-r2", aCustomer, phone, 1)); err != nil {
			t.Fatalf("second RevealContact: %v", err)
		}
		_, err = a.RevealContact(t.Context(), revealRequest("a-r3", aCustomer, phone, 0))
		wantCode(t, err, codes.ResourceExhausted)
		want(t, a, today(2, 2, 1, 0))
	})

	t.Run("claims are counted from the pool claims of the day", func(t *testing.T) {
		_, err := b.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "b-release", CustomerId: bCustomer, Reason: "跟进不了，放回公海"})
		if err != nil {
			t.Fatalf("ReleaseCustomer: %v", err)
		}
		claim, err := a.ClaimCustomer(t.Context(), &clientv1.ClaimCustomerRequest{RequestId: "a-claim", CustomerId: bCustomer})
		if err != nil {
			t.Fatalf("ClaimCustomer: %v", err)
		}
		got := quotas(t, a)
		if left := got.GetClaimQuota() - got.GetClaimsUsed(); left != claim.GetClaimsLeftToday() {
			t.Errorf("GetMyQuotas leaves %d claims (%v), ClaimCustomer said %d", left, got, claim.GetClaimsLeftToday())
		}
		want(t, a, today(2, 2, 1, 1))
	})

	t.Run("each employee sees their own use only", func(t *testing.T) {
		_, err := b.RevealContact(t.Context(), revealRequest("b-r1", aCustomer, phone, 0))
		wantCode(t, err, codes.PermissionDenied)
		// s-b now holds nothing and was refused by permission, not quota:
		// nothing of s-a's reveals or claim shows up as theirs.
		want(t, b, today(0, 2, 0, 0))
		want(t, hr, today(0, 7, 0, 0))
	})

	t.Run("the counts restart at the tenant's midnight", func(t *testing.T) {
		clock.advance(time.Hour) // 00:30 on 11 March in Shanghai, still 10 March in UTC
		got := quotas(t, a)
		w := &clientv1.GetMyQuotasResponse{
			Day: "2026-03-11", TimeZone: "Asia/Shanghai", ResetsAt: timestamppb.New(midnight.AddDate(0, 0, 1)),
			RevealQuota: 2, ClaimQuota: 3,
		}
		if diff := cmp.Diff(w, got, protocmp.Transform()); diff != "" {
			t.Errorf("GetMyQuotas after midnight mismatch (-want, +got):\n%s", diff)
		}
		if _, err := a.RevealContact(t.Context(), revealRequest("a-r4", aCustomer, phone, 0)); err != nil {
			t.Fatalf("a new day's RevealContact: %v", err)
		}
		if got := quotas(t, a).GetRevealsUsed(); got != 1 {
			t.Errorf("reveals_used = %d on the new day after one reveal, want 1", got)
		}
	})

	t.Run("no token", func(t *testing.T) {
		_, err := dialWith(t, svc).GetMyQuotas(t.Context(), &clientv1.GetMyQuotasRequest{})
		wantCode(t, err, codes.Unauthenticated)
	})
}
