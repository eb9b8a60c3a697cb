package domain_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestActorPolicy(t *testing.T) {
	t.Parallel()
	customer := domain.Customer{Tenant: "acme", ID: "c-1", OwnerID: "e-owner"}
	type decisions struct {
		Register, Read, LogInteraction, ListAll, History bool
	}
	tests := []struct {
		name  string
		actor domain.Actor
		want  decisions
	}{
		{
			name:  "sales owner",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-owner", Roles: []string{"sales"}},
			want:  decisions{Register: true, Read: true, LogInteraction: true, ListAll: false, History: true},
		},
		{
			name:  "sales non-owner",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-other", Roles: []string{"sales"}},
			want:  decisions{Register: true, Read: false, LogInteraction: false, ListAll: false},
		},
		{
			name:  "senior_sales non-owner",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-senior", Roles: []string{"senior_sales"}},
			want:  decisions{Register: true, Read: true, LogInteraction: false, ListAll: true},
		},
		{
			name:  "senior_sales owner",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-owner", Roles: []string{"senior_sales"}},
			want:  decisions{Register: true, Read: true, LogInteraction: true, ListAll: true, History: true},
		},
		{
			name:  "manager",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-manager", Roles: []string{"manager"}},
			want:  decisions{Register: true, Read: true, LogInteraction: true, ListAll: true, History: true},
		},
		{
			name:  "hr",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-hr", Roles: []string{"hr"}},
			want:  decisions{Register: false, Read: true, LogInteraction: false, ListAll: true, History: true},
		},
		{
			name:  "auditor",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-auditor", Roles: []string{"auditor"}},
			want:  decisions{Register: false, Read: true, LogInteraction: false, ListAll: true, History: true},
		},
		{
			name:  "admin",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-admin", Roles: []string{"admin"}},
			want:  decisions{Register: true, Read: true, LogInteraction: true, ListAll: true, History: true},
		},
		{
			name:  "service",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "risk", Roles: []string{"service"}},
			want:  decisions{},
		},
		{
			name:  "no roles",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-other"},
			want:  decisions{},
		},
		{
			name:  "hr and sales together",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-other", Roles: []string{"hr", "sales"}},
			want:  decisions{Register: true, Read: true, LogInteraction: false, ListAll: true, History: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := decisions{
				Register:       tt.actor.CanRegister(),
				Read:           tt.actor.CanRead(customer),
				LogInteraction: tt.actor.CanLogInteraction(customer),
				ListAll:        tt.actor.CanListAll(),
				History:        tt.actor.CanReadHistory(customer),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decisions mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestPooledCustomerHistoryIsNotEveryonesOwn(t *testing.T) {
	t.Parallel()
	pooled := domain.Customer{Tenant: "acme", ID: "c-1"}
	if (domain.Actor{Tenant: "acme", Roles: []string{"sales"}}).CanReadHistory(pooled) {
		t.Error("an actor without an employee id reads a pooled customer's history as its holder")
	}
}
