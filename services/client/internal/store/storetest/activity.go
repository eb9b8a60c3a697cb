package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// runActivity is the contract of what team reports read: holdings kept by
// customer writes, touches, registrations and first off-book contacts.
func runActivity(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	day := func(n int) time.Time { return time.Date(2026, 3, 1+n, 9, 0, 0, 0, time.UTC) }
	customer := func(id, owner string, held time.Time) domain.Customer {
		return domain.Customer{
			Tenant: "acme", ID: id, PersonName: "客户 " + id, Phones: []string{"+861380013800" + id[len(id)-1:]},
			WeChatID: "WX_" + id + "_abc", Source: domain.SourceWebsite, OwnerID: owner, RegisteredBy: "e1",
			RegisteredAt: day(0), HeldSince: held, Version: 1,
		}
	}
	interaction := func(id, customer, counterparty, employee string, at time.Time, seq uint64) domain.LoggedInteraction {
		return domain.LoggedInteraction{
			Tenant: "acme", ID: id, EmployeeID: employee, Sequence: seq,
			Interaction: domain.Interaction{
				CustomerID: customer, Counterparty: counterparty, Kind: domain.KindCall,
				Direction: domain.DirectionOutbound, OccurredAt: at,
			},
		}
	}

	t.Run("holdings follow the customer's holder", func(t *testing.T) {
		s := newStore(t)
		c1 := customer("c1", "e1", day(0))
		steps := []domain.Customer{c1}
		// Interactions and other writes with the same holder change nothing.
		c1.Version = 2
		steps = append(steps, c1)
		c1.OwnerID, c1.HeldSince = "e2", day(3)
		steps = append(steps, c1)
		c1.OwnerID, c1.HeldSince = "", day(5) // released to the pool
		steps = append(steps, c1)
		c1.OwnerID, c1.HeldSince = "e1", day(8) // claimed back
		steps = append(steps, c1)
		for i, c := range steps {
			if err := s.Apply(ctx, uint64(i+1), c); err != nil {
				t.Fatal(err)
			}
		}
		// A redelivered step changes nothing either.
		if err := s.Apply(ctx, 3, steps[2]); err != nil {
			t.Fatal(err)
		}
		pooled := customer("c2", "", day(0))
		if err := s.Apply(ctx, 10, pooled); err != nil {
			t.Fatal(err)
		}
		other := customer("c3", "e1", day(1))
		other.Tenant = "globex"
		if err := s.Apply(ctx, 11, other); err != nil {
			t.Fatal(err)
		}
		got, err := s.Holdings(ctx, "acme", []string{"e1", "e2"}, day(0), day(30))
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.Holding{
			{Tenant: "acme", CustomerID: "c1", EmployeeID: "e1", From: day(0), Until: day(3)},
			{Tenant: "acme", CustomerID: "c1", EmployeeID: "e1", From: day(8)},
			{Tenant: "acme", CustomerID: "c1", EmployeeID: "e2", From: day(3), Until: day(5)},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("holdings mismatch (-want, +got):\n%s", diff)
		}
		// Only holdings overlapping the period, or still open, are returned.
		got, err = s.Holdings(ctx, "acme", []string{"e1", "e2"}, day(5), day(6))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[1:2], got); diff != "" {
			t.Errorf("holdings in [day 5, day 6) mismatch (-want, +got):\n%s", diff)
		}
		got, err = s.Holdings(ctx, "acme", []string{"e9"}, day(0), day(30))
		if err != nil || len(got) != 0 {
			t.Errorf("holdings of e9 = %v, %v; want none", got, err)
		}
	})

	t.Run("a back-dated change closes a holding where it began", func(t *testing.T) {
		s := newStore(t)
		c := customer("c1", "e1", day(4))
		if err := s.Apply(ctx, 1, c); err != nil {
			t.Fatal(err)
		}
		c.OwnerID, c.HeldSince = "e2", day(2)
		if err := s.Apply(ctx, 2, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Holdings(ctx, "acme", []string{"e1"}, day(0), day(30))
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.Holding{{Tenant: "acme", CustomerID: "c1", EmployeeID: "e1", From: day(4), Until: day(4)}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("holdings mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("touches, registrations and first contacts", func(t *testing.T) {
		s := newStore(t)
		c1, c2 := customer("c1", "e1", day(0)), customer("c2", "e2", day(0))
		c2.RegisteredBy, c2.RegisteredAt = "e2", day(10)
		if err := s.Apply(ctx, 1, c1, c2); err != nil {
			t.Fatal(err)
		}
		ins := []domain.LoggedInteraction{
			interaction("i1", "c1", "", "e1", day(2), 2),
			interaction("i2", "c1", "", "e1", day(1), 3), // logged later, happened earlier
			interaction("i3", "c2", "", "e2", day(3), 4),
			interaction("i4", "", "+8613800138002", "e2", day(6), 5),
			interaction("i5", "", "+8613800138002", "e2", day(4), 6),
			interaction("i6", "", "wx_c2_abc", "e2", day(7), 7),
			interaction("i7", "", "+8613800138002", "e1", day(5), 8),
			interaction("i8", "c1", "", "e1", day(20), 9), // after the period
		}
		for _, in := range ins {
			if err := s.ApplyInteraction(ctx, in.Sequence, in, nil); err != nil {
				t.Fatal(err)
			}
		}
		deleted := ins[0]
		deleted.Deleted = true
		if err := s.ApplyInteraction(ctx, 10, deleted, nil); err != nil {
			t.Fatal(err)
		}
		touches, err := s.Touches(ctx, "acme", []string{"e1", "e2"}, day(0), day(20))
		if err != nil {
			t.Fatal(err)
		}
		wantTouches := []domain.Touch{
			{EmployeeID: "e1", CustomerID: "c1", At: day(1)},
			{EmployeeID: "e1", CustomerID: "c1", At: day(2)}, // deleted, but it happened
			{EmployeeID: "e2", CustomerID: "c2", At: day(3)},
		}
		if diff := cmp.Diff(wantTouches, touches); diff != "" {
			t.Errorf("touches mismatch (-want, +got):\n%s", diff)
		}
		reg, err := s.RegisteredBetween(ctx, "acme", []string{"e2"}, day(10), day(11))
		if err != nil {
			t.Fatal(err)
		}
		if len(reg) != 1 || reg[0].ID != "c2" {
			t.Errorf("registered by e2 on day 10 = %v, want c2", reg)
		}
		for _, period := range [][2]time.Time{{day(0), day(10)}, {day(11), day(20)}} {
			if reg, err := s.RegisteredBetween(ctx, "acme", []string{"e2"}, period[0], period[1]); err != nil || len(reg) != 0 {
				t.Errorf("registered by e2 in %v = %v, %v; want none ([from, to) excludes to)", period, reg, err)
			}
		}
		first, err := s.FirstContacts(ctx, "acme", []string{"e2"}, domain.Counterparties(c2))
		if err != nil {
			t.Fatal(err)
		}
		wantFirst := []domain.FirstContact{
			{EmployeeID: "e2", Counterparty: "+8613800138002", At: day(4)},
			{EmployeeID: "e2", Counterparty: "wx_c2_abc", At: day(7)},
		}
		if diff := cmp.Diff(wantFirst, first); diff != "" {
			t.Errorf("first contacts mismatch (-want, +got):\n%s", diff)
		}
	})
}
