package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// runRoster is the contract of the roster projection: employees, the org
// tree, subtree lookups and the list filter by holders.
func runRoster(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	unit := func(tenant, id, parent string) store.RosterChange {
		return store.RosterChange{OrgUnit: &domain.OrgUnit{Tenant: tenant, ID: id, ParentID: parent}}
	}
	employee := func(tenant, id, ou, role string) domain.RosterEmployee {
		return domain.RosterEmployee{Tenant: tenant, ID: id, OrgUnitID: ou, ManagerID: "m-" + ou, Role: role, Status: domain.StatusActive}
	}
	hire := func(e domain.RosterEmployee) store.RosterChange { return store.RosterChange{Employee: &e} }
	// apply applies changes at sequences from..., failing the test on error.
	apply := func(t *testing.T, s store.Store, from uint64, changes ...store.RosterChange) {
		t.Helper()
		for i, ch := range changes {
			if err := s.ApplyRoster(ctx, from+uint64(i), ch); err != nil { //nolint:gosec // a handful of changes
				t.Fatal(err)
			}
		}
	}
	// tree is company → {north → {team-a, team-b}, south → team-c}.
	tree := func(tenant string) []store.RosterChange {
		return []store.RosterChange{
			unit(tenant, "company", ""), unit(tenant, "north", "company"), unit(tenant, "south", "company"),
			unit(tenant, "team-a", "north"), unit(tenant, "team-b", "north"), unit(tenant, "team-c", "south"),
		}
	}

	t.Run("roster employee round trip and update", func(t *testing.T) {
		s := newStore(t)
		e := employee("acme", "e1", "team-a", "sales")
		apply(t, s, 1, hire(e))
		got, err := s.RosterEmployee(ctx, "acme", "e1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("employee mismatch (-want, +got):\n%s", diff)
		}
		moved := e
		moved.OrgUnitID, moved.ManagerID, moved.Role, moved.Status = "team-b", "", "senior_sales", domain.StatusDeparted
		apply(t, s, 2, hire(moved))
		if got, err = s.RosterEmployee(ctx, "acme", "e1"); err != nil || !cmp.Equal(moved, got) {
			t.Errorf("after update: %+v, %v; want %+v", got, err, moved)
		}
		for _, tc := range []struct{ tenant, id string }{{"acme", "nope"}, {"globex", "e1"}} {
			if _, err := s.RosterEmployee(ctx, tc.tenant, tc.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("RosterEmployee(%s, %s) err = %v, want ErrNotFound", tc.tenant, tc.id, err)
			}
		}
	})

	t.Run("roster checkpoint is its own, and redelivery changes nothing", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 40, domain.Customer{Tenant: "acme", ID: "c1", OwnerID: "e1"}); err != nil {
			t.Fatal(err)
		}
		apply(t, s, 7, hire(employee("acme", "e1", "team-a", "sales")))
		if err := s.ApplyRoster(ctx, 7, hire(employee("acme", "e1", "team-z", "sales"))); err != nil {
			t.Fatal(err)
		}
		if err := s.ApplyRoster(ctx, 8, store.RosterChange{}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RosterEmployee(ctx, "acme", "e1"); err != nil || got.OrgUnitID != "team-a" {
			t.Errorf("after redelivery: %+v, %v; want team-a", got, err)
		}
		if cp, err := s.RosterCheckpoint(ctx); err != nil || cp != 8 {
			t.Errorf("roster checkpoint = %d, %v; want 8", cp, err)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 40 {
			t.Errorf("CLIENT checkpoint = %d, %v; want 40 (the roster's is separate)", cp, err)
		}
		if err := s.ParkRoster(ctx, 9, "attendance.acme.employee.e1", "bad payload", []byte{0xff}); err != nil {
			t.Fatal(err)
		}
		if cp, err := s.RosterCheckpoint(ctx); err != nil || cp != 9 {
			t.Errorf("roster checkpoint after park = %d, %v; want 9", cp, err)
		}
	})

	t.Run("subtree", func(t *testing.T) {
		s := newStore(t)
		apply(t, s, 1, tree("acme")...)
		apply(t, s, 20, unit("globex", "north", ""), unit("globex", "team-x", "north"))
		for _, tc := range []struct {
			root  string
			depth int
			want  []string
		}{
			{"company", domain.MaxOrgDepth, []string{"company", "north", "south", "team-a", "team-b", "team-c"}},
			{"north", domain.MaxOrgDepth, []string{"north", "team-a", "team-b"}},
			{"team-c", domain.MaxOrgDepth, []string{"team-c"}},
			{"company", 1, []string{"company", "north", "south"}},
			{"company", 0, []string{"company"}},
		} {
			got, err := s.Subtree(ctx, "acme", tc.root, tc.depth)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Subtree(%s, %d) mismatch (-want, +got):\n%s", tc.root, tc.depth, diff)
			}
		}
		if _, err := s.Subtree(ctx, "acme", "nowhere", domain.MaxOrgDepth); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown root: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("subtree is bounded and cycle-safe", func(t *testing.T) {
		s := newStore(t)
		// a → b → c → a: a malformed stream, never written by attendance.
		apply(t, s, 1, unit("acme", "a", "c"), unit("acme", "b", "a"), unit("acme", "c", "b"))
		got, err := s.Subtree(ctx, "acme", "a", domain.MaxOrgDepth)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
			t.Errorf("cycle subtree mismatch (-want, +got):\n%s", diff)
		}
		// A chain deeper than the bound: only MaxOrgDepth levels below the root.
		chain := []store.RosterChange{unit("acme", "d00", "")}
		for i := 1; i <= domain.MaxOrgDepth+5; i++ {
			chain = append(chain, unit("acme", fmt.Sprintf("d%02d", i), fmt.Sprintf("d%02d", i-1)))
		}
		apply(t, s, 10, chain...)
		deep, err := s.Subtree(ctx, "acme", "d00", domain.MaxOrgDepth)
		if err != nil {
			t.Fatal(err)
		}
		if len(deep) != domain.MaxOrgDepth+1 || deep[len(deep)-1] != fmt.Sprintf("d%02d", domain.MaxOrgDepth) {
			t.Errorf("deep chain: %d units ending %v, want %d ending d%02d", len(deep), deep[len(deep)-1:], domain.MaxOrgDepth+1, domain.MaxOrgDepth)
		}
	})

	t.Run("employees in units", func(t *testing.T) {
		s := newStore(t)
		apply(t, s, 1, tree("acme")...)
		departed := employee("acme", "e4", "team-b", "sales")
		departed.Status = domain.StatusDeparted
		apply(t, s, 10,
			hire(employee("acme", "e1", "team-a", "sales")), hire(employee("acme", "e2", "team-a", "senior_sales")),
			hire(employee("acme", "e3", "team-c", "sales")), hire(departed),
			hire(employee("acme", "m-north", "north", "manager")), hire(employee("globex", "e9", "team-a", "sales")),
		)
		got, err := s.EmployeesIn(ctx, "acme", []string{"north", "team-a", "team-b"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"e1", "e2", "e4", "m-north"}, got); diff != "" {
			t.Errorf("EmployeesIn mismatch (-want, +got):\n%s", diff)
		}
		if none, err := s.EmployeesIn(ctx, "acme", []string{"nowhere"}); err != nil || len(none) != 0 {
			t.Errorf("EmployeesIn(nowhere) = %v, %v; want none", none, err)
		}
	})

	t.Run("list filter by holders", func(t *testing.T) {
		s := newStore(t)
		for i, c := range []domain.Customer{
			{Tenant: "acme", ID: "c1", OwnerID: "e1"},
			{Tenant: "acme", ID: "c2", OwnerID: "e2"},
			{Tenant: "acme", ID: "c3", OwnerID: "e3"},
			{Tenant: "acme", ID: "c4"},
		} {
			if err := s.Apply(ctx, uint64(i+1), c); err != nil { //nolint:gosec // four customers
				t.Fatal(err)
			}
		}
		ids := func(f store.ListFilter) []string {
			t.Helper()
			f.Limit = 10
			got, err := s.ListCustomers(ctx, "acme", f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range got {
				out = append(out, c.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    store.ListFilter
			want []string
		}{
			{"no holders filter", store.ListFilter{}, []string{"c1", "c2", "c3", "c4"}},
			{"two holders", store.ListFilter{Holders: store.NewHolders([]string{"e1", "e3"}, false)}, []string{"c1", "c3"}},
			{"two holders and the pool", store.ListFilter{Holders: store.NewHolders([]string{"e1", "e3"}, true)}, []string{"c1", "c3", "c4"}},
			{"nobody", store.ListFilter{Holders: store.NewHolders(nil, false)}, nil},
			{"only the pool", store.ListFilter{Holders: store.NewHolders(nil, true)}, []string{"c4"}},
			{"holders and an owner outside them", store.ListFilter{OwnerID: "e2", Holders: store.NewHolders([]string{"e1"}, true)}, nil},
			{"holders and the pool filter", store.ListFilter{InPool: true, Holders: store.NewHolders([]string{"e1"}, false)}, nil},
		} {
			if diff := cmp.Diff(tc.want, ids(tc.f)); diff != "" {
				t.Errorf("%s: mismatch (-want, +got):\n%s", tc.name, diff)
			}
		}
	})
}
