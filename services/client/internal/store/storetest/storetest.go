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
	"github.com/google/go-cmp/cmp/cmpopts"

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

	runIdentityAndPool(t, newStore)
	runInteractions(t, newStore)
	runTrail(t, newStore)
	runRoster(t, newStore)
	runActivity(t, newStore)
}

// runIdentityAndPool is the contract of duplicate detection, ownership
// counts, pool claims, idle customers and list filters.
func runIdentityAndPool(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// applyAll applies each customer at its own sequence from 1.
	applyAll := func(t *testing.T, s store.Store, cs ...domain.Customer) uint64 {
		t.Helper()
		for i, c := range cs {
			if err := s.Apply(ctx, uint64(i+1), c); err != nil {
				t.Fatalf("apply %s: %v", c.ID, err)
			}
		}
		return uint64(len(cs))
	}
	ids := func(cs []domain.Customer) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	held := func(tenant, id, owner string) domain.Customer {
		return domain.Customer{
			Tenant: tenant, ID: id, PersonName: "客户 " + id, Phones: []string{"+8613700137000"},
			Source: domain.SourceWebsite, OwnerID: owner, RegisteredBy: owner, RegisteredAt: at, HeldSince: at, Version: 1,
		}
	}

	t.Run("address, tax id and held since round trip", func(t *testing.T) {
		s := newStore(t)
		want := held("acme", "c1", "e1")
		want.Address = domain.Address{Text: "上海市浦东新区世纪大道100号", Location: &domain.GeoPoint{Latitude: 31.2304, Longitude: 121.4737}}
		want.TaxID = "91310000MA1FL0XQ5X"
		want.HeldSince = at.Add(time.Hour)
		applyAll(t, s, want)
		got, err := s.GetCustomer(ctx, "acme", "c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("customer mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("find by identity", func(t *testing.T) {
		s := newStore(t)
		zhang := domain.Customer{
			Tenant: "acme", ID: "c1", PersonName: "张三", CompanyName: "上海星海贸易有限公司",
			Phones: []string{"+8613800138000", "+861065529988"}, WeChatID: "Wx_Zhang01", Email: "zhang@example.com",
			Source: domain.SourceTradeShow, OwnerID: "e1", RegisteredAt: at, HeldSince: at, Version: 1,
		}
		li := domain.Customer{
			Tenant: "acme", ID: "c2", PersonName: "李四", CompanyName: "北京某某科技有限公司",
			Phones: []string{"+8613900139000"}, WeChatID: "wx_li0001", Email: "li@example.com",
			Source: domain.SourceWebsite, OwnerID: "e2", RegisteredAt: at, HeldSince: at, Version: 1,
		}
		// Another person at zhang's company, written another way.
		wang := domain.Customer{
			Tenant: "acme", ID: "c3", PersonName: "王五", CompanyName: "上海 星海贸易（有限公司）",
			Email: "wang@example.com", Source: domain.SourceWebsite, RegisteredAt: at, HeldSince: at, Version: 1,
		}
		// zhang's phone, in another tenant.
		twin := zhang
		twin.Tenant, twin.ID = "globex", "g1"
		seq := applyAll(t, s, zhang, li, wang, twin)

		tests := []struct {
			name   string
			tenant string
			keys   domain.IdentityKeys
			want   []string
		}{
			{name: "second phone", tenant: "acme", keys: domain.IdentityKeys{Phones: []string{"+8618800000000", "+861065529988"}}, want: []string{"c1"}},
			{name: "email", tenant: "acme", keys: domain.IdentityKeys{Email: "li@example.com"}, want: []string{"c2"}},
			{name: "WeChat id as KeysOf folds it", tenant: "acme", keys: domain.IdentityKeys{WeChatID: "wx_zhang01"}, want: []string{"c1"}},
			{name: "company key finds every person there", tenant: "acme", keys: domain.IdentityKeys{Company: "上海星海贸易"}, want: []string{"c1", "c3"}},
			{name: "several keys of one customer find it once", tenant: "acme", keys: domain.KeysOf(zhang), want: []string{"c1", "c3"}},
			{name: "keys of two customers", tenant: "acme", keys: domain.IdentityKeys{Phones: []string{"+8613900139000"}, Email: "zhang@example.com"}, want: []string{"c1", "c2"}},
			{name: "no key", tenant: "acme", keys: domain.IdentityKeys{}, want: []string{}},
			{name: "person alone is no key", tenant: "acme", keys: domain.IdentityKeys{Person: "张三"}, want: []string{}},
			{name: "unknown phone", tenant: "acme", keys: domain.IdentityKeys{Phones: []string{"+8618800000000"}}, want: []string{}},
			{name: "other tenant", tenant: "globex", keys: domain.IdentityKeys{Phones: []string{"+8613800138000"}}, want: []string{"g1"}},
			{name: "unknown tenant", tenant: "initech", keys: domain.KeysOf(zhang), want: []string{}},
		}
		for _, tt := range tests {
			got, err := s.FindByIdentity(ctx, tt.tenant, tt.keys)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("%s: found ids mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
		found, err := s.FindByIdentity(ctx, "acme", domain.IdentityKeys{Email: "zhang@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]domain.Customer{zhang}, found); diff != "" {
			t.Errorf("found customer mismatch (-want, +got):\n%s", diff)
		}

		// A customer's keys change: the old ones no longer find it.
		moved := zhang
		moved.Phones, moved.Email, moved.WeChatID, moved.CompanyName = []string{"+8618600000000"}, "zhang@new.example.com", "", "深圳新公司"
		seq++
		if err := s.Apply(ctx, seq, moved); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			keys domain.IdentityKeys
			want []string
		}{
			{name: "old phone", keys: domain.IdentityKeys{Phones: []string{"+8613800138000"}}, want: []string{}},
			{name: "old email", keys: domain.IdentityKeys{Email: "zhang@example.com"}, want: []string{}},
			{name: "old WeChat id", keys: domain.IdentityKeys{WeChatID: "wx_zhang01"}, want: []string{}},
			{name: "old company", keys: domain.IdentityKeys{Company: "上海星海贸易"}, want: []string{"c3"}},
			{name: "new phone", keys: domain.IdentityKeys{Phones: []string{"+8618600000000"}}, want: []string{"c1"}},
			{name: "new company", keys: domain.IdentityKeys{Company: domain.NormalizeCompanyName("深圳新公司")}, want: []string{"c1"}},
		} {
			got, err := s.FindByIdentity(ctx, "acme", tt.keys)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("after the change, %s: found ids mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
	})

	t.Run("count held", func(t *testing.T) {
		s := newStore(t)
		seq := applyAll(t, s,
			held("acme", "c1", "e1"), held("acme", "c2", "e1"), held("acme", "c3", "e1"),
			held("acme", "c4", "e2"), held("acme", "c5", ""), held("globex", "g1", "e1"))
		// e1 releases c3: it no longer counts.
		c3 := held("acme", "c3", "")
		if err := s.Apply(ctx, seq+1, c3); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			tenant, employee string
			want             int
		}{
			{"acme", "e1", 2}, {"acme", "e2", 1}, {"acme", "nobody", 0}, {"globex", "e1", 1}, {"initech", "e1", 0},
		} {
			got, err := s.CountHeld(ctx, tt.tenant, tt.employee)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CountHeld(%s, %s) = %d, want %d", tt.tenant, tt.employee, got, tt.want)
			}
		}
	})

	t.Run("claims are counted from since on", func(t *testing.T) {
		s := newStore(t)
		seq := applyAll(t, s, held("acme", "c1", ""), held("acme", "c2", ""), held("acme", "c3", ""), held("globex", "g1", ""))
		claim := func(tenant, employee, id string, when time.Time) {
			t.Helper()
			seq++
			c := held(tenant, id, employee)
			c.HeldSince = when
			if err := s.ApplyClaim(ctx, seq, store.Claim{Tenant: tenant, EmployeeID: employee, CustomerID: id, At: when}, c); err != nil {
				t.Fatal(err)
			}
		}
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		claim("acme", "e1", "c1", day.Add(-time.Second)) // yesterday
		claim("acme", "e1", "c2", day)                   // the first instant of the day
		claim("acme", "e1", "c3", day.Add(5*time.Hour))
		claim("acme", "e2", "c3", day.Add(6*time.Hour))
		claim("globex", "e1", "g1", day.Add(time.Hour))
		// A redelivered claim is applied once.
		if err := s.ApplyClaim(ctx, seq, store.Claim{Tenant: "globex", EmployeeID: "e1", CustomerID: "g1", At: day.Add(time.Hour)}, held("globex", "g1", "e1")); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			tenant, employee string
			since            time.Time
			want             int
		}{
			{"acme", "e1", day, 2},
			{"acme", "e1", day.Add(-time.Second), 3},
			{"acme", "e1", day.Add(time.Second), 1},
			{"acme", "e1", day.In(time.UTC), 2},
			{"acme", "e2", day, 1},
			{"acme", "e3", day, 0},
			{"globex", "e1", day, 1},
		} {
			got, err := s.CountClaimsSince(ctx, tt.tenant, tt.employee, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CountClaimsSince(%s, %s, %v) = %d, want %d", tt.tenant, tt.employee, tt.since, got, tt.want)
			}
		}
		c, err := s.GetCustomer(ctx, "acme", "c2")
		if err != nil {
			t.Fatal(err)
		}
		if c.OwnerID != "e1" || !c.HeldSince.Equal(day) {
			t.Errorf("claimed customer held by %q since %v, want e1 since %v", c.OwnerID, c.HeldSince, day)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != seq {
			t.Errorf("checkpoint = %d, %v; want %d", cp, err, seq)
		}
	})

	t.Run("idle held customers", func(t *testing.T) {
		s := newStore(t)
		cutoff := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		idle := func(tenant, id, owner string, heldSince, lastInteraction time.Time) domain.Customer {
			c := held(tenant, id, owner)
			c.HeldSince, c.LastInteractionAt = heldSince, lastInteraction
			if !lastInteraction.IsZero() {
				c.Interactions = 1
			}
			return c
		}
		long := cutoff.AddDate(0, 0, -10)
		seq := applyAll(t, s,
			idle("acme", "c1", "e1", cutoff.Add(-time.Second), time.Time{}),            // idle by a second
			idle("acme", "c2", "e1", cutoff, time.Time{}),                              // at the cutoff: not before it
			idle("acme", "c3", "e2", long, cutoff.Add(time.Hour)),                      // followed up since
			idle("acme", "c4", "e2", long, cutoff.Add(-time.Hour)),                     // followed up, long ago
			idle("acme", "c5", "", long, time.Time{}),                                  // in the pool
			idle("acme", "c6", "e1", long, cutoff),                                     // followed up at the cutoff
			idle("acme", "c7", "e3", cutoff.Add(time.Hour), cutoff.Add(-48*time.Hour)), // held since, after an old follow-up
			idle("globex", "g1", "e1", long, time.Time{}),                              // another tenant
		)
		got, err := s.IdleHeld(ctx, "acme", cutoff, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"c1", "c4"}, ids(got)); diff != "" {
			t.Errorf("idle ids mismatch (-want, +got):\n%s", diff)
		}
		if got, err := s.IdleHeld(ctx, "acme", cutoff, 1); err != nil || len(got) != 1 || got[0].ID != "c1" {
			t.Errorf("IdleHeld limit 1 = %v, %v; want c1 only", ids(got), err)
		}
		if _, err := s.IdleHeld(ctx, "acme", cutoff, 0); !errors.Is(err, store.ErrBadFilter) {
			t.Errorf("limit 0: err = %v, want ErrBadFilter", err)
		}
		// c1 is followed up and c4 returned to the pool: nothing is idle.
		c1 := idle("acme", "c1", "e1", cutoff.Add(-time.Second), cutoff.Add(time.Minute))
		c4 := idle("acme", "c4", "", long, cutoff.Add(-time.Hour))
		if err := s.Apply(ctx, seq+1, c1, c4); err != nil {
			t.Fatal(err)
		}
		if got, err := s.IdleHeld(ctx, "acme", cutoff, 10); err != nil || len(got) != 0 {
			t.Errorf("IdleHeld after follow-up and return = %v, %v; want none", ids(got), err)
		}
	})

	t.Run("list idle held customers", func(t *testing.T) {
		s := newStore(t)
		// IdleBefore is "now - idle_days": a customer idle since exactly then qualifies.
		cutoff := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		long := cutoff.AddDate(0, 0, -10)
		idle := func(id, owner string, heldSince, lastInteraction time.Time) domain.Customer {
			c := held("acme", id, owner)
			c.HeldSince, c.LastInteractionAt = heldSince, lastInteraction
			if !lastInteraction.IsZero() {
				c.Interactions = 1
			}
			return c
		}
		applyAll(t, s,
			idle("c1", "e1", cutoff, time.Time{}),                              // held since exactly the cutoff
			idle("c2", "e1", cutoff.Add(time.Second), time.Time{}),             // a second short
			idle("c3", "e1", cutoff.Add(-time.Microsecond), time.Time{}),       // a microsecond past it
			idle("c4", "e2", long, cutoff),                                     // followed up exactly at the cutoff
			idle("c5", "e2", long, cutoff.Add(time.Minute)),                    // followed up since
			idle("c6", "", long, time.Time{}),                                  // in the pool: nobody neglects it
			idle("c7", "e2", cutoff.Add(time.Hour), cutoff.Add(-48*time.Hour)), // got it since, after an old follow-up
			idle("c8", "e3", long, time.Time{}),                                // long idle
			domain.Customer{Tenant: "globex", ID: "g1", OwnerID: "e1", HeldSince: long, RegisteredAt: long, Version: 1},
		)
		for _, tt := range []struct {
			name string
			f    store.ListFilter
			want []string
		}{
			{"idle", store.ListFilter{IdleBefore: cutoff, Limit: 10}, []string{"c1", "c3", "c4", "c8"}},
			{"idle of one holder", store.ListFilter{OwnerID: "e2", IdleBefore: cutoff, Limit: 10}, []string{"c4"}},
			{"idle pages by id", store.ListFilter{IdleBefore: cutoff, After: "c3", Limit: 1}, []string{"c4"}},
			{"idle from a source nobody came from", store.ListFilter{IdleBefore: cutoff, Source: domain.SourceImport, Limit: 10}, []string{}},
			{"the pool is never idle", store.ListFilter{InPool: true, IdleBefore: cutoff, Limit: 10}, []string{}},
			{"a second earlier", store.ListFilter{IdleBefore: cutoff.Add(-time.Second), Limit: 10}, []string{"c8"}},
			{"a day later", store.ListFilter{IdleBefore: cutoff.AddDate(0, 0, 1), Limit: 10}, []string{"c1", "c2", "c3", "c4", "c5", "c7", "c8"}},
			{"no idle filter", store.ListFilter{Limit: 10}, []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"}},
		} {
			got, err := s.ListCustomers(ctx, "acme", tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("%s: listed ids mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
	})

	t.Run("tenants", func(t *testing.T) {
		s := newStore(t)
		got, err := s.Tenants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("Tenants of an empty store = %v, want none", got)
		}
		if err := s.Park(ctx, 1, "client.parked.customer.x", "bad", nil); err != nil {
			t.Fatal(err)
		}
		for i, c := range []domain.Customer{held("initech", "i1", "e1"), held("acme", "c1", ""), held("globex", "g1", "e1"), held("acme", "c2", "e1")} {
			if err := s.Apply(ctx, uint64(i+2), c); err != nil {
				t.Fatal(err)
			}
		}
		got, err = s.Tenants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"acme", "globex", "initech"}, got); diff != "" {
			t.Errorf("tenants mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("list by pool and source", func(t *testing.T) {
		s := newStore(t)
		from := func(c domain.Customer, src domain.SourceChannel) domain.Customer {
			c.Source = src
			return c
		}
		applyAll(t, s,
			from(held("acme", "c1", "e1"), domain.SourceReferral),
			from(held("acme", "c2", ""), domain.SourceReferral),
			from(held("acme", "c3", ""), domain.SourceWebsite),
			from(held("acme", "c4", "e2"), domain.SourceWebsite),
			from(held("acme", "c5", ""), domain.SourcePersonal),
			from(held("globex", "g1", ""), domain.SourceReferral),
		)
		for _, tt := range []struct {
			name string
			f    store.ListFilter
			want []string
		}{
			{"pool", store.ListFilter{InPool: true, Limit: 10}, []string{"c2", "c3", "c5"}},
			{"pool page after c2", store.ListFilter{InPool: true, After: "c2", Limit: 1}, []string{"c3"}},
			{"source", store.ListFilter{Source: domain.SourceReferral, Limit: 10}, []string{"c1", "c2"}},
			{"pool from a source", store.ListFilter{InPool: true, Source: domain.SourceWebsite, Limit: 10}, []string{"c3"}},
			{"owner from a source", store.ListFilter{OwnerID: "e2", Source: domain.SourceWebsite, Limit: 10}, []string{"c4"}},
			{"owner from another source", store.ListFilter{OwnerID: "e2", Source: domain.SourceReferral, Limit: 10}, []string{}},
			{"source nobody came from", store.ListFilter{Source: domain.SourceImport, Limit: 10}, []string{}},
			{"everything", store.ListFilter{Limit: 10}, []string{"c1", "c2", "c3", "c4", "c5"}},
		} {
			got, err := s.ListCustomers(ctx, "acme", tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("%s: listed ids mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
	})
}

// runInteractions is the contract of the interaction read model: applied
// with the customer it changes in one step, redelivery harmless, listed
// newest first, deleted ones hidden unless asked for.
func runInteractions(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	interaction := func(tenant, id, customer, employee string, seq uint64) domain.LoggedInteraction {
		return domain.LoggedInteraction{
			Tenant: tenant, ID: id, EmployeeID: employee, Sequence: seq,
			Interaction: domain.Interaction{
				CustomerID: customer, Kind: domain.KindCall, Direction: domain.DirectionOutbound,
				Text: "报价 " + id, Duration: 90 * time.Second, OccurredAt: at.Add(time.Duration(seq) * time.Minute),
			},
		}
	}
	customer := domain.Customer{
		Tenant: "acme", ID: "c1", PersonName: "王伟", Phones: []string{"+8613800138000"},
		Source: domain.SourceWebsite, OwnerID: "e1", RegisteredBy: "e1", RegisteredAt: at, HeldSince: at, Version: 1,
	}
	ids := func(ins []domain.LoggedInteraction) []string {
		out := []string{}
		for _, in := range ins {
			out = append(out, in.ID)
		}
		return out
	}

	t.Run("interaction and its customer round trip", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 1, customer); err != nil {
			t.Fatal(err)
		}
		in := interaction("acme", "i1", "c1", "e1", 2)
		// Times are kept to the microsecond.
		in.OccurredAt = in.OccurredAt.Add(1500 * time.Nanosecond)
		followed := customer
		followed.Interactions, followed.LastInteractionAt, followed.Version = 1, in.OccurredAt, 2
		if err := s.ApplyInteraction(ctx, 2, in, &followed); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetInteraction(ctx, "acme", "i1")
		if err != nil {
			t.Fatal(err)
		}
		want := in
		want.OccurredAt = in.OccurredAt.Add(-500 * time.Nanosecond)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("interaction mismatch (-want, +got):\n%s", diff)
		}
		c, err := s.GetCustomer(ctx, "acme", "c1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(followed, c); diff != "" {
			t.Errorf("customer mismatch (-want, +got):\n%s", diff)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 2 {
			t.Errorf("checkpoint = %d, %v; want 2", cp, err)
		}
	})

	t.Run("counterparty interaction changes no customer", func(t *testing.T) {
		s := newStore(t)
		in := interaction("acme", "i1", "", "e1", 1)
		in.Counterparty = "wx_chen_88"
		if err := s.ApplyInteraction(ctx, 1, in, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetInteraction(ctx, "acme", "i1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(in, got); diff != "" {
			t.Errorf("interaction mismatch (-want, +got):\n%s", diff)
		}
		if tenants, err := s.Tenants(ctx); err != nil || len(tenants) != 0 {
			t.Errorf("Tenants = %v, %v; want none: no customer was written", tenants, err)
		}
	})

	t.Run("redelivered interaction changes nothing", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 1, customer); err != nil {
			t.Fatal(err)
		}
		first := interaction("acme", "i1", "c1", "e1", 2)
		followed := customer
		followed.Interactions = 1
		if err := s.ApplyInteraction(ctx, 2, first, &followed); err != nil {
			t.Fatal(err)
		}
		again := first
		again.Text, again.Deleted = "changed", true
		twice := followed
		twice.Interactions = 2
		for _, seq := range []uint64{2, 1} {
			if err := s.ApplyInteraction(ctx, seq, again, &twice); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.GetInteraction(ctx, "acme", "i1"); err != nil || got.Text != first.Text || got.Deleted {
			t.Errorf("interaction after redelivery = %+v, %v; want the first", got, err)
		}
		if c, err := s.GetCustomer(ctx, "acme", "c1"); err != nil || c.Interactions != 1 {
			t.Errorf("customer after redelivery has %d interactions (%v), want 1", c.Interactions, err)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 2 {
			t.Errorf("checkpoint = %d, %v; want 2", cp, err)
		}
	})

	t.Run("unknown interaction and other tenant are not found", func(t *testing.T) {
		s := newStore(t)
		if err := s.ApplyInteraction(ctx, 1, interaction("acme", "i1", "c1", "e1", 1), nil); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ tenant, id string }{{"acme", "nope"}, {"globex", "i1"}} {
			if _, err := s.GetInteraction(ctx, tc.tenant, tc.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetInteraction(%s, %s) err = %v, want ErrNotFound", tc.tenant, tc.id, err)
			}
		}
	})

	t.Run("list newest first, by customer or employee, deleted hidden", func(t *testing.T) {
		s := newStore(t)
		counterparty := interaction("acme", "i4", "", "e1", 4)
		counterparty.Counterparty = "+8613900139000"
		for _, in := range []domain.LoggedInteraction{
			interaction("acme", "i1", "c1", "e1", 1),
			interaction("acme", "i2", "c2", "e2", 2),
			interaction("acme", "i3", "c1", "e2", 3),
			counterparty,
			interaction("globex", "g5", "c1", "e1", 5),
			interaction("acme", "i6", "c1", "e1", 6),
			interaction("acme", "i7", "c2", "e1", 7),
		} {
			if err := s.ApplyInteraction(ctx, in.Sequence, in, nil); err != nil {
				t.Fatal(err)
			}
		}
		// i3 is deleted at a later sequence; it keeps its place.
		deleted := interaction("acme", "i3", "c1", "e2", 3)
		deleted.Deleted = true
		if err := s.ApplyInteraction(ctx, 8, deleted, nil); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			f    store.InteractionFilter
			want []string
		}{
			{"customer", store.InteractionFilter{CustomerID: "c1", Limit: 10}, []string{"i6", "i1"}},
			{"customer with deleted", store.InteractionFilter{CustomerID: "c1", IncludeDeleted: true, Limit: 10}, []string{"i6", "i3", "i1"}},
			{"employee, counterparty included", store.InteractionFilter{EmployeeID: "e1", Limit: 10}, []string{"i7", "i6", "i4", "i1"}},
			{"employee with deleted", store.InteractionFilter{EmployeeID: "e2", IncludeDeleted: true, Limit: 10}, []string{"i3", "i2"}},
			{"employee without deleted", store.InteractionFilter{EmployeeID: "e2", Limit: 10}, []string{"i2"}},
			{"customer and employee", store.InteractionFilter{CustomerID: "c2", EmployeeID: "e1", Limit: 10}, []string{"i7"}},
			{"first page", store.InteractionFilter{EmployeeID: "e1", Limit: 2}, []string{"i7", "i6"}},
			{"next page", store.InteractionFilter{EmployeeID: "e1", Before: 6, Limit: 2}, []string{"i4", "i1"}},
			{"past the end", store.InteractionFilter{EmployeeID: "e1", Before: 1, Limit: 2}, []string{}},
			{"the whole tenant", store.InteractionFilter{IncludeDeleted: true, Limit: 10}, []string{"i7", "i6", "i4", "i3", "i2", "i1"}},
			{"nobody's", store.InteractionFilter{EmployeeID: "e9", Limit: 10}, []string{}},
		} {
			got, err := s.ListInteractions(ctx, "acme", tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("%s: listed ids mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
		got, err := s.ListInteractions(ctx, "acme", store.InteractionFilter{EmployeeID: "e1", Before: 5, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]domain.LoggedInteraction{counterparty}, got); diff != "" {
			t.Errorf("listed interaction mismatch (-want, +got):\n%s", diff)
		}
		if got, err := s.ListInteractions(ctx, "initech", store.InteractionFilter{Limit: 10}); err != nil || len(got) != 0 {
			t.Errorf("ListInteractions of an unknown tenant = %v, %v; want none", ids(got), err)
		}
		if _, err := s.ListInteractions(ctx, "acme", store.InteractionFilter{Limit: 0}); !errors.Is(err, store.ErrBadFilter) {
			t.Errorf("limit 0: err = %v, want ErrBadFilter", err)
		}
	})
}

// runTrail is the contract of the customer trail: every event applied with
// a customer joins its trail once, in sequence order, per tenant.
func runTrail(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	customer := func(tenant, id, owner string) domain.Customer {
		return domain.Customer{
			Tenant: tenant, ID: id, PersonName: "客户 " + id, Phones: []string{"+8613800138000"},
			Source: domain.SourceWebsite, OwnerID: owner, RegisteredBy: owner, RegisteredAt: at, HeldSince: at, Version: 1,
		}
	}
	interaction := func(id, customerID string, deleted bool) domain.LoggedInteraction {
		return domain.LoggedInteraction{
			Tenant: "acme", ID: id, EmployeeID: "e1", Sequence: 3, Deleted: deleted,
			Interaction: domain.Interaction{CustomerID: customerID, Kind: domain.KindChat, Direction: domain.DirectionOutbound, Text: "报价", OccurredAt: at},
		}
	}
	trail := func(t *testing.T, s store.Store, tenant, id string, after uint64, limit int) []uint64 {
		t.Helper()
		got, err := s.CustomerTrail(ctx, tenant, id, after, limit)
		if err != nil {
			t.Fatalf("CustomerTrail(%s, %s, %d, %d): %v", tenant, id, after, limit, err)
		}
		return got
	}

	t.Run("customer trail", func(t *testing.T) {
		s := newStore(t)
		c1, c2 := customer("acme", "c1", "e1"), customer("acme", "c2", "e2")
		steps := []struct {
			seq   uint64
			apply func(seq uint64) error
		}{
			{1, func(seq uint64) error { return s.Apply(ctx, seq, c1) }},
			{2, func(seq uint64) error { return s.Apply(ctx, seq, c2) }},
			{3, func(seq uint64) error { return s.ApplyInteraction(ctx, seq, interaction("i1", "c1", false), &c1) }},
			{4, func(seq uint64) error { return s.ApplyMention(ctx, seq, "acme", "c1") }},
			// A policy change, say: about no customer.
			{5, func(seq uint64) error { return s.Apply(ctx, seq) }},
			{6, func(seq uint64) error {
				return s.ApplyClaim(ctx, seq, store.Claim{Tenant: "acme", EmployeeID: "e3", CustomerID: "c1", At: at}, c1)
			}},
			// A deletion, applied without the customer.
			{7, func(seq uint64) error { return s.ApplyInteraction(ctx, seq, interaction("i1", "c1", true), nil) }},
			// With an unregistered contact: about no customer.
			{8, func(seq uint64) error {
				in := interaction("i2", "", false)
				in.Counterparty = "+8613900139000"
				return s.ApplyInteraction(ctx, seq, in, nil)
			}},
			{9, func(seq uint64) error { return s.Park(ctx, seq, "client.acme.customer.c1", "bad", nil) }},
			{10, func(seq uint64) error { return s.Apply(ctx, seq, customer("globex", "c1", "e1")) }},
			{11, func(seq uint64) error { return s.ApplyMention(ctx, seq, "acme", "c2") }},
		}
		for _, st := range steps {
			if err := st.apply(st.seq); err != nil {
				t.Fatalf("apply %d: %v", st.seq, err)
			}
		}
		// Redelivery adds nothing.
		for _, st := range steps[:4] {
			if err := st.apply(st.seq); err != nil {
				t.Fatalf("reapply %d: %v", st.seq, err)
			}
		}
		if err := s.ApplyMention(ctx, 4, "acme", "c2"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, tenant, id string
			after            uint64
			limit            int
			want             []uint64
		}{
			{"whole trail", "acme", "c1", 0, 10, []uint64{1, 3, 4, 6, 7}},
			{"first page", "acme", "c1", 0, 2, []uint64{1, 3}},
			{"next page", "acme", "c1", 3, 2, []uint64{4, 6}},
			{"after a sequence not in the trail", "acme", "c1", 5, 10, []uint64{6, 7}},
			{"past the end", "acme", "c1", 7, 10, nil},
			{"another customer", "acme", "c2", 0, 10, []uint64{2, 11}},
			{"the same id in another tenant", "globex", "c1", 0, 10, []uint64{10}},
			{"unknown customer", "acme", "c9", 0, 10, nil},
			{"unknown tenant", "initech", "c1", 0, 10, nil},
		} {
			got := trail(t, s, tt.tenant, tt.id, tt.after, tt.limit)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: trail mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 11 {
			t.Errorf("checkpoint = %d, %v; want 11", cp, err)
		}
		if _, err := s.CustomerTrail(ctx, "acme", "c1", 0, 0); !errors.Is(err, store.ErrBadFilter) {
			t.Errorf("limit 0: err = %v, want ErrBadFilter", err)
		}
	})
}
