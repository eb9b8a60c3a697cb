package clientsvc_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// testListPages pages through one tenant's customers as sales and as a
// manager.
func testListPages(t *testing.T, env *testEnv, svc *runningService) {
	env.oneTeam(t, "paging", map[string]auth.Role{"s-pager": auth.RoleSales, "s-colleague": auth.RoleSales, "m-1": auth.RoleManager})
	pager := env.dial(t, svc, principal("paging", "s-pager", auth.RoleSales))
	colleague := env.dial(t, svc, principal("paging", "s-colleague", auth.RoleSales))
	manager := env.dial(t, svc, principal("paging", "m-1", auth.RoleManager))

	var mine, theirs []string
	var lastSeq uint64
	register := func(c clientv1.ClientServiceClient, requestID string) string {
		// Each customer has its own phone: equal phones would be one customer.
		phone := fmt.Sprintf("1380013%04d", len(mine)+len(theirs))
		resp, err := c.RegisterCustomer(t.Context(), registerRequest(requestID, "客户 "+requestID, phone))
		if err != nil {
			t.Fatalf("RegisterCustomer %s: %v", requestID, err)
		}
		lastSeq = max(lastSeq, resp.GetSequence())
		return resp.GetCustomer().GetCustomerId()
	}
	for _, r := range []string{"p1", "p2", "p3", "p4", "p5"} {
		mine = append(mine, register(pager, r))
	}
	for _, r := range []string{"c1", "c2"} {
		theirs = append(theirs, register(colleague, r))
	}
	slices.Sort(mine)
	slices.Sort(theirs)

	// listAll follows next_page_token to the end and returns the ids and
	// the size of each page.
	listAll := func(c clientv1.ClientServiceClient, size int32) (ids []string, pages []int) {
		t.Helper()
		token := ""
		for {
			resp, err := c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{PageSize: size, PageToken: token, MinSequence: lastSeq})
			if err != nil {
				t.Fatalf("ListCustomers(page_token %q): %v", token, err)
			}
			pages = append(pages, len(resp.GetCustomers()))
			for _, c := range resp.GetCustomers() {
				ids = append(ids, c.GetCustomerId())
			}
			token = resp.GetNextPageToken()
			if token == "" || len(pages) > 10 {
				return ids, pages
			}
		}
	}

	ids, pages := listAll(pager, 2)
	if diff := cmp.Diff([]int{2, 2, 1}, pages); diff != "" {
		t.Errorf("page sizes mismatch (-want, +got):\n%s", diff)
	}
	if diff := cmp.Diff(mine, ids); diff != "" {
		t.Errorf("sales lists mismatch (-own customers, +listed):\n%s", diff)
	}
	ids, _ = listAll(colleague, 0)
	if diff := cmp.Diff(theirs, ids); diff != "" {
		t.Errorf("colleague lists mismatch (-own customers, +listed):\n%s", diff)
	}
	ids, pages = listAll(manager, 5)
	if diff := cmp.Diff([]int{5, 2}, pages); diff != "" {
		t.Errorf("manager page sizes mismatch (-want, +got):\n%s", diff)
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(mine), theirs...)))
	if diff := cmp.Diff(all, ids); diff != "" {
		t.Errorf("manager lists mismatch (-all customers, +listed):\n%s", diff)
	}
	resp, err := manager.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-colleague", MinSequence: lastSeq})
	if err != nil {
		t.Fatalf("ListCustomers by owner: %v", err)
	}
	var got []string
	for _, c := range resp.GetCustomers() {
		got = append(got, c.GetCustomerId())
	}
	if diff := cmp.Diff(theirs, got); diff != "" {
		t.Errorf("manager's owner filter mismatch (-want, +got):\n%s", diff)
	}
}

func TestListIdleCustomersMemory(t *testing.T) {
	t.Parallel()
	testListIdleCustomers(t, nil)
}

func TestListIdleCustomersPostgres(t *testing.T) {
	t.Parallel()
	testListIdleCustomers(t, testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	}))
}

// testListIdleCustomers lists neglected customers by idle_days as the
// service's clock moves: a customer idle for exactly idle_days is listed.
func testListIdleCustomers(t *testing.T, pool *pgxpool.Pool) {
	env := newEnv(t)
	// Far from the wall clock: anything measured with time.Now instead of
	// the service's clock would list nothing or everything.
	clock := &testClock{t: time.Date(2031, 5, 12, 10, 0, 0, 0, time.UTC)}
	svc := env.startWithClock(t, pool, clock.now)
	const tenant = "idle"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-1": auth.RoleSales, "s-2": auth.RoleSales, "m-1": auth.RoleManager})
	s1 := env.dial(t, svc, principal(tenant, "s-1", auth.RoleSales))
	s2 := env.dial(t, svc, principal(tenant, "s-2", auth.RoleSales))
	manager := env.dial(t, svc, principal(tenant, "m-1", auth.RoleManager))
	day := 24 * time.Hour
	var lastSeq uint64
	register := func(c clientv1.ClientServiceClient, requestID, phone string) string {
		t.Helper()
		resp, err := c.RegisterCustomer(t.Context(), registerRequest(requestID, "客户 "+requestID, phone))
		if err != nil {
			t.Fatalf("RegisterCustomer %s: %v", requestID, err)
		}
		lastSeq = resp.GetSequence()
		return resp.GetCustomer().GetCustomerId()
	}

	// Day 0: s-1 gets a and b, s-2 gets c; day 1: c goes back to the pool;
	// day 2: s-1 follows b up; day 3: s-2 gets d.
	a := register(s1, "a", "13800138001")
	b := register(s1, "b", "13800138002")
	c := register(s2, "c", "13800138003")
	clock.advance(day)
	if _, err := s2.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "release-c", CustomerId: c, Reason: "不跟了"}); err != nil {
		t.Fatalf("ReleaseCustomer: %v", err)
	}
	clock.advance(day)
	if _, err := s1.LogInteraction(t.Context(), noteRequest("follow-up-b", b)); err != nil {
		t.Fatalf("LogInteraction: %v", err)
	}
	clock.advance(day)
	d := register(s2, "d", "13800138004")
	// A second short of five days after day 0.
	clock.advance(2*day - time.Second)

	list := func(c clientv1.ClientServiceClient, req *clientv1.ListCustomersRequest) []string {
		t.Helper()
		req.MinSequence = lastSeq
		resp, err := c.ListCustomers(t.Context(), req)
		if err != nil {
			t.Fatalf("ListCustomers(%v): %v", req, err)
		}
		ids := []string{}
		for _, c := range resp.GetCustomers() {
			ids = append(ids, c.GetCustomerId())
		}
		return ids
	}
	sorted := func(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }

	if diff := cmp.Diff([]string{}, list(manager, &clientv1.ListCustomersRequest{IdleDays: 5})); diff != "" {
		t.Errorf("idle 5 days, a second early: mismatch (-want, +got):\n%s", diff)
	}
	clock.advance(time.Second)
	for _, tt := range []struct {
		name   string
		caller clientv1.ClientServiceClient
		req    *clientv1.ListCustomersRequest
		want   []string
	}{
		{"idle exactly 5 days", manager, &clientv1.ListCustomersRequest{IdleDays: 5}, sorted(a)},
		{"idle 3 days: since the follow-up", manager, &clientv1.ListCustomersRequest{IdleDays: 3}, sorted(a, b)},
		{"idle 2 days", manager, &clientv1.ListCustomersRequest{IdleDays: 2}, sorted(a, b, d)},
		{"idle 6 days", manager, &clientv1.ListCustomersRequest{IdleDays: 6}, []string{}},
		{"the most days", manager, &clientv1.ListCustomersRequest{IdleDays: 3650}, []string{}},
		{"no filter lists the pool too", manager, &clientv1.ListCustomersRequest{}, sorted(a, b, c, d)},
		{"one holder's", manager, &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-2", IdleDays: 2}, sorted(d)},
		{"sales see their own", s1, &clientv1.ListCustomersRequest{IdleDays: 2}, sorted(a, b)},
		{"and only their own", s2, &clientv1.ListCustomersRequest{IdleDays: 2}, sorted(d)},
		{"paged", manager, &clientv1.ListCustomersRequest{IdleDays: 2, PageSize: 1}, sorted(a, b, d)[:1]},
	} {
		if diff := cmp.Diff(tt.want, list(tt.caller, tt.req)); diff != "" {
			t.Errorf("%s: listed ids mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}

	for _, tt := range []struct {
		name string
		req  *clientv1.ListCustomersRequest
	}{
		{"negative", &clientv1.ListCustomersRequest{IdleDays: -1}},
		{"more than ten years", &clientv1.ListCustomersRequest{IdleDays: 3651}},
		{"with the pool", &clientv1.ListCustomersRequest{IdleDays: 1, InPool: true}},
	} {
		_, err := manager.ListCustomers(t.Context(), tt.req)
		if diff := cmp.Diff([]string{"idle_days"}, violatedFields(t, err)); diff != "" {
			t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
}
