// Package storetest is the contract every store.Store implementation
// passes: run it from each implementation's tests.
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/holdfast/holdfast/services/order/internal/domain"
	"github.com/holdfast/holdfast/services/order/internal/store"
)

// Run runs the contract against stores made by newStore, one per subtest.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("apply and get", func(t *testing.T) { t.Parallel(); testApplyAndGet(t, newStore(t)) })
	t.Run("redelivery changes nothing", func(t *testing.T) { t.Parallel(); testRedelivery(t, newStore(t)) })
	t.Run("park advances its own checkpoint", func(t *testing.T) { t.Parallel(); testPark(t, newStore(t)) })
	t.Run("list orders", func(t *testing.T) { t.Parallel(); testListOrders(t, newStore(t)) })
	t.Run("funnel", func(t *testing.T) { t.Parallel(); testFunnel(t, newStore(t)) })
	t.Run("tenants are apart", func(t *testing.T) { t.Parallel(); testTenants(t, newStore(t)) })
}

var equate = cmpopts.EquateEmpty()

// base is a fixed instant; PostgreSQL keeps microseconds, so fixtures do too.
var base = time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)

func order(tenant, id, customer, seller string, status domain.Status, created time.Time) domain.Order {
	return domain.Order{
		Tenant: tenant, ID: id, CustomerID: customer, SellerID: seller, Status: status,
		Lines:    []domain.LineItem{{Product: "液压泵 HP-200", Quantity: 3, UnitPriceMinor: 1_250_000}},
		Currency: "CNY", AmountMinor: 3_750_000, ClaimedSource: domain.SourcePersonal, CustomerSource: domain.SourceTradeShow,
		SourceContradiction: true, ExpectedDeliveryAddress: "上海市浦东新区世纪大道100号", CustomerAddress: "上海市浦东新区世纪大道100号",
		ApprovalChain: []string{"manager"},
		Approvals:     []domain.Approval{{Role: "manager", ApproverID: "m1", Comment: "ok", ApprovedAt: created.Add(time.Hour)}},
		Payments: []domain.Payment{{
			ID: "p1", AmountMinor: 1_000_000, Currency: "CNY", PayerAccount: "6222021001123456", PayeeAccount: "ACME0001",
			Reference: "INV-1", PaidAt: created.Add(2 * time.Hour), PayeeIsCompanyAccount: true, PayerRelation: domain.PayerParentCompany,
			CurrencyMatchesOrder: true,
		}},
		PaidTotalMinor: 1_000_000, PaidToCompanyTotalMinor: 1_000_000,
		Shipments: []domain.Shipment{{
			ID: "s1", Carrier: "顺丰", TrackingNumber: "SF123", DeliveryAddress: "上海市浦东新区世纪大道100号",
			ShippedAt: created.Add(3 * time.Hour), AddressMatchesCustomer: true,
		}},
		CreatedAt: created, Version: 4,
	}
}

func customer(tenant, id, owner string) domain.Customer {
	return domain.Customer{
		Tenant: tenant, ID: id, OwnerID: owner, Source: domain.SourceWebsite, Address: "北京市朝阳区建国路1号",
		Latitude: 39.9, Longitude: 116.4, HasLocation: true, Version: 2,
	}
}

func testApplyAndGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := order("acme", "o1", "c1", "e1", domain.StatusWon, base)
	o.WonAt = base.Add(4 * time.Hour)
	c := customer("acme", "c1", "e1")
	if err := s.ApplyOrder(ctx, 1, &o); err != nil {
		t.Fatalf("ApplyOrder: %v", err)
	}
	if err := s.ApplyCustomer(ctx, 7, &c); err != nil {
		t.Fatalf("ApplyCustomer: %v", err)
	}
	got, err := s.GetOrder(ctx, "acme", "o1")
	if err != nil {
		t.Fatalf("GetOrder: %v", err)
	}
	if diff := cmp.Diff(o, got, equate); diff != "" {
		t.Errorf("order mismatch (-want, +got):\n%s", diff)
	}
	gotC, err := s.GetCustomer(ctx, "acme", "c1")
	if err != nil {
		t.Fatalf("GetCustomer: %v", err)
	}
	if diff := cmp.Diff(c, gotC); diff != "" {
		t.Errorf("customer mismatch (-want, +got):\n%s", diff)
	}
	if _, err := s.GetOrder(ctx, "acme", "none"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetOrder(none) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetCustomer(ctx, "acme", "none"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetCustomer(none) = %v, want ErrNotFound", err)
	}
	// An update replaces the view.
	o.Status, o.RefundedTotalMinor, o.Reason, o.Version = domain.StatusRefunded, 1_000_000, "退货", 5
	c.OwnerID = "e2"
	if err := s.ApplyOrder(ctx, 2, &o); err != nil {
		t.Fatalf("ApplyOrder update: %v", err)
	}
	if err := s.ApplyCustomer(ctx, 8, &c); err != nil {
		t.Fatalf("ApplyCustomer update: %v", err)
	}
	if got, err := s.GetOrder(ctx, "acme", "o1"); err != nil || got.Status != domain.StatusRefunded || got.RefundedTotalMinor != 1_000_000 {
		t.Errorf("updated order = %+v, %v; want refunded", got, err)
	}
	if got, err := s.GetCustomer(ctx, "acme", "c1"); err != nil || got.OwnerID != "e2" {
		t.Errorf("updated customer owner = %q, %v; want e2", got.OwnerID, err)
	}
	if cp, err := s.OrderCheckpoint(ctx); err != nil || cp != 2 {
		t.Errorf("OrderCheckpoint = %d, %v; want 2", cp, err)
	}
	if cp, err := s.CustomerCheckpoint(ctx); err != nil || cp != 8 {
		t.Errorf("CustomerCheckpoint = %d, %v; want 8", cp, err)
	}
}

func testRedelivery(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := order("acme", "o1", "c1", "e1", domain.StatusDraft, base)
	c := customer("acme", "c1", "e1")
	if err := s.ApplyOrder(ctx, 5, &first); err != nil {
		t.Fatalf("ApplyOrder: %v", err)
	}
	if err := s.ApplyCustomer(ctx, 5, &c); err != nil {
		t.Fatalf("ApplyCustomer: %v", err)
	}
	stale, staleC := first, c
	stale.Status, staleC.OwnerID = domain.StatusCancelled, "e9"
	for _, seq := range []uint64{4, 5} {
		if err := s.ApplyOrder(ctx, seq, &stale); err != nil {
			t.Fatalf("ApplyOrder(%d): %v", seq, err)
		}
		if err := s.ApplyCustomer(ctx, seq, &staleC); err != nil {
			t.Fatalf("ApplyCustomer(%d): %v", seq, err)
		}
	}
	if got, err := s.GetOrder(ctx, "acme", "o1"); err != nil || got.Status != domain.StatusDraft {
		t.Errorf("order status = %v, %v after redelivery; want draft", got.Status, err)
	}
	if got, err := s.GetCustomer(ctx, "acme", "c1"); err != nil || got.OwnerID != "e1" {
		t.Errorf("customer owner = %q, %v after redelivery; want e1", got.OwnerID, err)
	}
	if err := s.ApplyOrder(ctx, 6, nil); err != nil {
		t.Fatalf("ApplyOrder(nil): %v", err)
	}
	if cp, err := s.OrderCheckpoint(ctx); err != nil || cp != 6 {
		t.Errorf("OrderCheckpoint = %d, %v; want 6", cp, err)
	}
	if cp, err := s.CustomerCheckpoint(ctx); err != nil || cp != 5 {
		t.Errorf("CustomerCheckpoint = %d, %v; want 5 (the projections are apart)", cp, err)
	}
}

func testPark(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.ParkOrder(ctx, 7, "order.acme.order.o1", "bad payload", []byte{1, 2}); err != nil {
		t.Fatalf("ParkOrder: %v", err)
	}
	if err := s.ParkCustomer(ctx, 3, "client.acme.customer.c1", "bad payload", nil); err != nil {
		t.Fatalf("ParkCustomer: %v", err)
	}
	if cp, err := s.OrderCheckpoint(ctx); err != nil || cp != 7 {
		t.Errorf("OrderCheckpoint = %d, %v; want 7", cp, err)
	}
	if cp, err := s.CustomerCheckpoint(ctx); err != nil || cp != 3 {
		t.Errorf("CustomerCheckpoint = %d, %v; want 3", cp, err)
	}
}

func testListOrders(t *testing.T, s store.Store) {
	ctx := t.Context()
	orders := []domain.Order{
		order("acme", "o1", "c1", "e1", domain.StatusDraft, base),
		order("acme", "o3", "c2", "e1", domain.StatusWon, base.Add(time.Hour)),
		order("acme", "o2", "c1", "e2", domain.StatusWon, base.Add(time.Hour)), // same instant as o3: id breaks the tie
		order("acme", "o4", "c3", "e2", domain.StatusLost, base.Add(48*time.Hour)),
	}
	for i := range orders {
		if err := s.ApplyOrder(ctx, uint64(i+1), &orders[i]); err != nil { //nolint:gosec // small test index
			t.Fatalf("ApplyOrder: %v", err)
		}
	}
	tests := []struct {
		name   string
		filter store.OrderFilter
		want   []string
	}{
		{"all, by creation then id", store.OrderFilter{Limit: 10}, []string{"o1", "o2", "o3", "o4"}},
		{"by customer", store.OrderFilter{CustomerID: "c1", Limit: 10}, []string{"o1", "o2"}},
		{"by seller", store.OrderFilter{SellerID: "e2", Limit: 10}, []string{"o2", "o4"}},
		{"by status", store.OrderFilter{Status: domain.StatusWon, Limit: 10}, []string{"o2", "o3"}},
		{"by period", store.OrderFilter{CreatedFrom: base.Add(time.Hour), CreatedTo: base.Add(24 * time.Hour), Limit: 10}, []string{"o2", "o3"}},
		{"from only", store.OrderFilter{CreatedFrom: base.Add(time.Minute), Limit: 10}, []string{"o2", "o3", "o4"}},
		{"first page", store.OrderFilter{Limit: 2}, []string{"o1", "o2"}},
		{"page after a tie", store.OrderFilter{AfterCreated: base.Add(time.Hour), AfterID: "o2", Limit: 2}, []string{"o3", "o4"}},
		{"combined", store.OrderFilter{SellerID: "e1", Status: domain.StatusWon, CustomerID: "c2", Limit: 10}, []string{"o3"}},
	}
	for _, tt := range tests {
		got, err := s.ListOrders(ctx, "acme", tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var ids []string
		for _, o := range got {
			ids = append(ids, o.ID)
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
	if _, err := s.ListOrders(ctx, "acme", store.OrderFilter{}); !errors.Is(err, store.ErrBadFilter) {
		t.Errorf("zero limit = %v, want ErrBadFilter", err)
	}
}

func testFunnel(t *testing.T, s store.Store) {
	ctx := t.Context()
	march, april := base, base.AddDate(0, 1, 0)
	won := order("acme", "o1", "c1", "e1", domain.StatusWon, march)
	won.WonAt = march.Add(time.Hour)
	lostLater := order("acme", "o2", "c1", "e1", domain.StatusLost, march)
	lostLater.LostAt = april // lost in the next period
	cancelled := order("acme", "o3", "c2", "e2", domain.StatusCancelled, march.AddDate(0, -1, 0))
	cancelled.CancelledAt = march.Add(time.Hour) // created before, cancelled in the period
	outside := order("acme", "o4", "c3", "e3", domain.StatusDraft, april)
	for i, o := range []domain.Order{won, lostLater, cancelled, outside} {
		if err := s.ApplyOrder(ctx, uint64(i+1), &o); err != nil { //nolint:gosec // small test index
			t.Fatalf("ApplyOrder: %v", err)
		}
	}
	period := store.FunnelFilter{From: march.Add(-time.Hour), To: march.AddDate(0, 0, 20)}
	got, err := s.Funnel(ctx, "acme", period)
	if err != nil {
		t.Fatalf("Funnel: %v", err)
	}
	want := []domain.FunnelRow{
		{EmployeeID: "e1", Created: 2, Won: 1},
		{EmployeeID: "e2", Cancelled: 1},
	}
	if diff := cmp.Diff(want, got, equate); diff != "" {
		t.Errorf("funnel mismatch (-want, +got):\n%s", diff)
	}
	period.SellerID = "e2"
	if got, err := s.Funnel(ctx, "acme", period); err != nil || len(got) != 1 || got[0].EmployeeID != "e2" {
		t.Errorf("funnel of e2 = %+v, %v; want e2's row only", got, err)
	}
	if _, err := s.Funnel(ctx, "acme", store.FunnelFilter{From: april, To: march}); !errors.Is(err, store.ErrBadFilter) {
		t.Errorf("reversed period = %v, want ErrBadFilter", err)
	}
}

func testTenants(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := order("acme", "o1", "c1", "e1", domain.StatusDraft, base)
	c := customer("acme", "c1", "e1")
	if err := s.ApplyOrder(ctx, 1, &o); err != nil {
		t.Fatalf("ApplyOrder: %v", err)
	}
	if err := s.ApplyCustomer(ctx, 1, &c); err != nil {
		t.Fatalf("ApplyCustomer: %v", err)
	}
	if _, err := s.GetOrder(ctx, "other", "o1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other tenant's GetOrder = %v, want ErrNotFound", err)
	}
	if _, err := s.GetCustomer(ctx, "other", "c1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other tenant's GetCustomer = %v, want ErrNotFound", err)
	}
	if got, err := s.ListOrders(ctx, "other", store.OrderFilter{Limit: 10}); err != nil || len(got) != 0 {
		t.Errorf("other tenant's ListOrders = %v, %v; want none", got, err)
	}
	if got, err := s.Funnel(ctx, "other", store.FunnelFilter{From: base.Add(-time.Hour), To: base.Add(time.Hour)}); err != nil || len(got) != 0 {
		t.Errorf("other tenant's Funnel = %v, %v; want none", got, err)
	}
}
