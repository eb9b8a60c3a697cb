package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// BenchmarkGetCustomerByTier measures what deciding visibility from the
// roster adds to a read: GetCustomer of one customer as its holder (sales:
// no roster lookup, the baseline) and as the manager of a region of 8
// teams of 10 (catch-up to ATTENDANCE's end, the manager's roster entry,
// the subtree, its members), on a real event log and the memory read model.
//
//	go test -run '^$' -bench GetCustomerByTier ./internal/app/
func BenchmarkGetCustomerByTier(b *testing.B) {
	_, log := testkit.StartEventLog(b)
	uc := app.New(log, store.NewMemory(), slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- uc.Project(ctx) }()
	go func() { done <- uc.ProjectRoster(ctx) }()
	b.Cleanup(func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				b.Errorf("projector: %v", err)
			}
		}
	})
	const tenant = "bench"
	write := func(typ, id string, ev proto.Message) {
		ref := eventlog.AggregateRef{Context: "attendance", Tenant: tenant, Type: typ, ID: id}
		if _, err := log.Append(b.Context(), eventlog.AppendRequest{Ref: ref, RequestID: "r-" + id, ActorID: "hr-1", Payload: ev}); err != nil {
			b.Fatal(err)
		}
	}
	write("orgunit", "region", &attendancev1.OrgUnitCreated{OrgUnitId: "region", Name: "region"})
	write("employee", "m-region", &attendancev1.EmployeeHired{EmployeeId: "m-region", OrgUnitId: "region", Role: "manager"})
	for team := range 8 {
		unit := fmt.Sprintf("team-%d", team)
		write("orgunit", unit, &attendancev1.OrgUnitCreated{OrgUnitId: unit, ParentId: "region", Name: unit})
		for i := range 10 {
			id := fmt.Sprintf("s-%d-%d", team, i)
			write("employee", id, &attendancev1.EmployeeHired{EmployeeId: id, OrgUnitId: unit, ManagerId: "m-region", Role: "sales"})
		}
	}
	holder := domain.Actor{Tenant: tenant, EmployeeID: "s-3-7", Roles: []string{"sales"}}
	c, seq, err := uc.RegisterCustomer(b.Context(), holder, "bench-customer", domain.Registration{
		PersonName: "客户", Phones: []string{"13800001234"}, Source: domain.SourceWebsite,
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := uc.GetCustomer(b.Context(), holder, c.ID, seq); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor domain.Actor
	}{
		{"sales holder", holder},
		{"manager of the region", domain.Actor{Tenant: tenant, EmployeeID: "m-region", Roles: []string{"manager"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := uc.GetCustomer(b.Context(), tc.actor, c.ID, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
