package clientsvc_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// testListPages pages through one tenant's customers as sales and as a
// manager.
func testListPages(t *testing.T, env *testEnv, svc *runningService) {
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
