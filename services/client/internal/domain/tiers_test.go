package domain_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// treeEmployees are the employees the domain tests name.
var treeEmployees = []string{"e-owner", "e-other", "e1", "e2", "e-9", ownActorID, ownOtherID, ownTargetID, expRequester}

// overseeing is a as the roster would place a senior_sales or a manager
// above every employee the tests name, so a test about another rule is
// not refused for the tree; other roles are returned as they are.
func overseeing(a domain.Actor) domain.Actor {
	switch {
	case slices.Contains(a.Roles, "manager"):
		return a.WithVisibility(domain.NewVisibility(domain.TierSubtree, []string{"ou-all"}, treeEmployees))
	case slices.Contains(a.Roles, "senior_sales"):
		return a.WithVisibility(domain.NewVisibility(domain.TierTeam, []string{"ou-all"}, treeEmployees))
	}
	return a
}

func TestManagerActsOnlyWithinTheTree(t *testing.T) {
	t.Parallel()
	// m-1 manages e-1 (subtree); e-x sits elsewhere.
	m := domain.Actor{Tenant: "acme", EmployeeID: "m-1", Roles: []string{"manager"}}.
		WithVisibility(domain.NewVisibility(domain.TierSubtree, []string{"ou-1"}, []string{"m-1", "e-1", "e-2"}))
	inTree := domain.Customer{ID: "c-1", OwnerID: "e-1"}
	outside := domain.Customer{ID: "c-2", OwnerID: "e-x"}
	pooled := domain.Customer{ID: "c-3"}
	export := func(by string) domain.Export {
		return domain.Export{ID: "x-1", RequestedBy: by, Status: domain.ExportStatusRequested}
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"reassign within the tree", second(domain.Reassign(m, inTree, "e-2", "覆盖")), nil},
		{"reassign a customer held outside", second(domain.Reassign(m, outside, "e-2", "覆盖")), domain.ErrPermissionDenied},
		{"reassign to someone outside", second(domain.Reassign(m, inTree, "e-x", "覆盖")), domain.ErrPermissionDenied},
		{"assign from the pool within the tree", second(domain.Assign(m, pooled, "e-1", "覆盖")), nil},
		{"assign from the pool to someone outside", second(domain.Assign(m, pooled, "e-x", "覆盖")), domain.ErrPermissionDenied},
		{"release within the tree", second(domain.Release(m, inTree, "无需求")), nil},
		{"release outside", second(domain.Release(m, outside, "无需求")), domain.ErrPermissionDenied},
		{"decide an export of the tree", second(domain.DecideExport(m, export("e-1"), true, "季度复盘")), nil},
		{"decide an export from outside", second(domain.DecideExport(m, export("e-x"), true, "季度复盘")), domain.ErrPermissionDenied},
		{"export a holder within the tree", second(domain.ScopeExport(m, domain.ExportFilter{OwnerID: "e-1"})), nil},
		{"export a holder outside", second(domain.ScopeExport(m, domain.ExportFilter{OwnerID: "e-x"})), domain.ErrPermissionDenied},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) || (tt.want == nil && tt.err != nil) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if !m.CanReveal(inTree) || m.CanReveal(outside) || !m.CanReveal(pooled) {
		t.Error("a manager reveals exactly the contacts of their tree's customers and the pool's")
	}
	if !m.CanReadExport(export("e-1")) || m.CanReadExport(export("e-x")) {
		t.Error("a manager reads exactly the exports their tree requested")
	}
	if err := domain.CheckDeletion(m, domain.LoggedInteraction{EmployeeID: "e-x"}, "e-x"); !errors.Is(err, domain.ErrPermissionDenied) {
		t.Errorf("a manager deletes an interaction of someone outside their tree: %v", err)
	}
}

// second is the error of a two-result call.
func second[T any](_ T, err error) error { return err }
