// Package storetest is the contract every client read model must pass; the
// memory and PostgreSQL implementations run the same suite.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// Run runs the contract against stores made by newStore (one per subtest).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	customer := func(tenant, id, owner string) domain.Customer {
		return domain.Customer{
			Tenant: tenant, ID: id, PersonName: "王伟 " + id, CompanyName: "上海某某有限公司",
			Phones: []string{"+8613800138000"}, WeChatID: "wx_wang01", Email: "w@example.com",
			Source: domain.SourceTradeShow, OwnerID: owner, RegisteredBy: owner, RegisteredAt: at, Version: 1,
		}
	}

	t.Run("apply then get round trip", func(t *testing.T) {
		s := newStore(t)
		want := customer("acme", "c1", "e1")
		if err := s.Apply(ctx, 1, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetCustomer(ctx, "acme", "c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("customer mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("unknown customer and other tenant are not found", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 1, customer("acme", "c1", "e1")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ tenant, id string }{{"acme", "nope"}, {"globex", "c1"}} {
			if _, err := s.GetCustomer(ctx, tc.tenant, tc.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetCustomer(%s, %s) err = %v, want ErrNotFound", tc.tenant, tc.id, err)
			}
		}
	})

	t.Run("redelivered sequence changes nothing", func(t *testing.T) {
		s := newStore(t)
		first := customer("acme", "c1", "e1")
		if err := s.Apply(ctx, 5, first); err != nil {
			t.Fatal(err)
		}
		stale := first
		stale.OwnerID = "e9"
		if err := s.Apply(ctx, 5, stale); err != nil {
			t.Fatal(err)
		}
		if err := s.Apply(ctx, 3, stale); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetCustomer(ctx, "acme", "c1")
		if err != nil {
			t.Fatal(err)
		}
		if got.OwnerID != "e1" {
			t.Errorf("owner = %q after redelivery, want e1", got.OwnerID)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 5 {
			t.Errorf("checkpoint = %d, %v; want 5", cp, err)
		}
	})

	t.Run("update replaces the customer", func(t *testing.T) {
		s := newStore(t)
		c := customer("acme", "c1", "e1")
		if err := s.Apply(ctx, 1, c); err != nil {
			t.Fatal(err)
		}
		c.Interactions, c.LastInteractionAt, c.Version = 1, at.Add(time.Hour), 2
		if err := s.Apply(ctx, 2, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetCustomer(ctx, "acme", "c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("customer mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("park advances the checkpoint", func(t *testing.T) {
		s := newStore(t)
		if err := s.Park(ctx, 7, "client.acme.customer.x", "not a holdfast event", []byte{1, 2}); err != nil {
			t.Fatal(err)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 7 {
			t.Errorf("checkpoint = %d, %v; want 7", cp, err)
		}
	})

	t.Run("list pages by id with owner filter and tenant isolation", func(t *testing.T) {
		s := newStore(t)
		var seq uint64
		for i := range 7 {
			owner := "e1"
			if i%2 == 1 {
				owner = "e2"
			}
			seq++
			if err := s.Apply(ctx, seq, customer("acme", fmt.Sprintf("c%02d", i), owner)); err != nil {
				t.Fatal(err)
			}
		}
		seq++
		if err := s.Apply(ctx, seq, customer("globex", "c99", "e1")); err != nil {
			t.Fatal(err)
		}
		var ids []string
		after := ""
		for {
			page, err := s.ListCustomers(ctx, "acme", store.ListFilter{OwnerID: "e1", After: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				ids = append(ids, c.ID)
			}
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].ID
		}
		if diff := cmp.Diff([]string{"c00", "c02", "c04", "c06"}, ids); diff != "" {
			t.Errorf("listed ids mismatch (-want, +got):\n%s", diff)
		}
		all, err := s.ListCustomers(ctx, "acme", store.ListFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 7 {
			t.Errorf("listed %d customers of acme, want 7", len(all))
		}
		if _, err := s.ListCustomers(ctx, "acme", store.ListFilter{Limit: 0}); !errors.Is(err, store.ErrBadFilter) {
			t.Errorf("limit 0: err = %v, want ErrBadFilter", err)
		}
	})
}
