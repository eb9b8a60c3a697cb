package domain_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// seeing is an actor whose visibility was decided as tier over employees.
func seeing(id string, role string, tier domain.Tier, employees ...string) domain.Actor {
	a := domain.Actor{Tenant: "acme", EmployeeID: id, Roles: []string{role}}
	return a.WithVisibility(domain.NewVisibility(tier, []string{"ou"}, employees))
}

func TestActorPolicy(t *testing.T) {
	t.Parallel()
	customer := domain.Customer{Tenant: "acme", ID: "c-1", OwnerID: "e-owner"}
	type decisions struct {
		Register, Read, LogInteraction, History, Reveal bool
	}
	tests := []struct {
		name  string
		actor domain.Actor
		want  decisions
	}{
		{
			name:  "sales owner",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-owner", Roles: []string{"sales"}},
			want:  decisions{Register: true, Read: true, LogInteraction: true, History: true, Reveal: true},
		},
		{
			name:  "sales non-owner",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-other", Roles: []string{"sales"}},
			want:  decisions{Register: true},
		},
		{
			name:  "senior_sales in the owner's team",
			actor: seeing("e-senior", "senior_sales", domain.TierTeam, "e-owner", "e-senior"),
			want:  decisions{Register: true, Read: true},
		},
		{
			name:  "senior_sales in another team",
			actor: seeing("e-senior", "senior_sales", domain.TierTeam, "e-senior", "e-x"),
			want:  decisions{Register: true},
		},
		{
			name:  "senior_sales not on the roster (visibility undecided)",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-senior", Roles: []string{"senior_sales"}},
			want:  decisions{Register: true},
		},
		{
			name:  "senior_sales owner",
			actor: seeing("e-owner", "senior_sales", domain.TierOwn),
			want:  decisions{Register: true, Read: true, LogInteraction: true, History: true, Reveal: true},
		},
		{
			name:  "manager over the owner",
			actor: seeing("e-manager", "manager", domain.TierSubtree, "e-owner", "e-manager"),
			want:  decisions{Register: true, Read: true, LogInteraction: true, History: true, Reveal: true},
		},
		{
			name:  "manager of another subtree",
			actor: seeing("e-manager", "manager", domain.TierSubtree, "e-manager", "e-x"),
			want:  decisions{Register: true},
		},
		{
			name:  "manager not on the roster (visibility undecided)",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-manager", Roles: []string{"manager"}},
			want:  decisions{Register: true},
		},
		{
			name:  "hr",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-hr", Roles: []string{"hr"}},
			want:  decisions{Read: true, History: true, Reveal: true},
		},
		{
			name:  "auditor",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-auditor", Roles: []string{"auditor"}},
			want:  decisions{Read: true, History: true, Reveal: true},
		},
		{
			name:  "admin",
			actor: domain.Actor{Tenant: "acme", EmployeeID: "e-admin", Roles: []string{"admin"}},
			want:  decisions{Register: true, Read: true, LogInteraction: true, History: true, Reveal: true},
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
			want:  decisions{Register: true, Read: true, History: true, Reveal: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := decisions{
				Register:       tt.actor.CanRegister(),
				Read:           tt.actor.CanRead(customer),
				LogInteraction: tt.actor.CanLogInteraction(customer),
				History:        tt.actor.CanReadHistory(customer),
				Reveal:         tt.actor.CanReveal(customer),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decisions mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestPooledCustomerReaders(t *testing.T) {
	t.Parallel()
	pooled := domain.Customer{Tenant: "acme", ID: "c-1"}
	if (domain.Actor{Tenant: "acme", Roles: []string{"sales"}}).CanReadHistory(pooled) {
		t.Error("an actor without an employee id reads a pooled customer's history as its holder")
	}
	if (domain.Actor{Tenant: "acme", EmployeeID: "e-1", Roles: []string{"sales"}}).CanRead(pooled) {
		t.Error("sales read a pooled customer's record")
	}
	// The pool stays visible to the roles that oversee customers, wherever
	// (and whether) the roster places them.
	for _, a := range []domain.Actor{
		{Tenant: "acme", EmployeeID: "ss-off", Roles: []string{"senior_sales"}},
		seeing("m-1", "manager", domain.TierSubtree, "m-1"),
	} {
		if !a.CanRead(pooled) {
			t.Errorf("%s cannot read a pooled customer", a.EmployeeID)
		}
	}
}

func TestTierOf(t *testing.T) {
	t.Parallel()
	on := func(role string) domain.RosterEmployee {
		return domain.RosterEmployee{Tenant: "acme", ID: "e-1", OrgUnitID: "ou-1", Role: role, Status: domain.StatusActive}
	}
	tests := []struct {
		name  string
		roles []string
		me    domain.RosterEmployee
		want  domain.Tier
	}{
		{"sales on the roster", []string{"sales"}, on("sales"), domain.TierOwn},
		{"senior_sales on the roster", []string{"senior_sales"}, on("senior_sales"), domain.TierTeam},
		{"manager on the roster", []string{"manager"}, on("manager"), domain.TierSubtree},
		{"manager on notice", []string{"manager"}, func() domain.RosterEmployee { e := on("manager"); e.Status = domain.StatusOnNotice; return e }(), domain.TierSubtree},
		{"manager token, roster demoted to senior_sales", []string{"manager"}, on("senior_sales"), domain.TierTeam},
		{"manager token, roster demoted to sales", []string{"manager"}, on("sales"), domain.TierOwn},
		{"senior_sales token, roster promoted to manager", []string{"senior_sales"}, on("manager"), domain.TierTeam},
		{"sales token, roster manager", []string{"sales"}, on("manager"), domain.TierOwn},
		{"manager not on the roster", []string{"manager"}, domain.RosterEmployee{}, domain.TierOwn},
		{"manager departed", []string{"manager"}, func() domain.RosterEmployee { e := on("manager"); e.Status = domain.StatusDeparted; return e }(), domain.TierOwn},
		{"manager without an org unit", []string{"manager"}, func() domain.RosterEmployee { e := on("manager"); e.OrgUnitID = ""; return e }(), domain.TierOwn},
		{"someone else's roster entry", []string{"manager"}, func() domain.RosterEmployee { e := on("manager"); e.ID = "e-2"; return e }(), domain.TierOwn},
		{"hr, not on the roster", []string{"hr"}, domain.RosterEmployee{}, domain.TierAll},
		{"auditor", []string{"auditor"}, on("sales"), domain.TierAll},
		{"admin", []string{"admin"}, domain.RosterEmployee{}, domain.TierAll},
		{"service", []string{"service"}, domain.RosterEmployee{}, domain.TierOwn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := domain.Actor{Tenant: "acme", EmployeeID: "e-1", Roles: tt.roles}
			if got := domain.TierOf(a, tt.me); got != tt.want {
				t.Errorf("TierOf = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSeesHolder(t *testing.T) {
	t.Parallel()
	team := seeing("ss-1", "senior_sales", domain.TierTeam, "e-1", "ss-1")
	for _, tt := range []struct {
		employee string
		want     bool
	}{{"ss-1", true}, {"e-1", true}, {"e-2", false}, {"", false}} {
		if got := team.SeesHolder(tt.employee); got != tt.want {
			t.Errorf("SeesHolder(%q) = %v, want %v", tt.employee, got, tt.want)
		}
	}
	if got, want := team.Visibility().Members(), []string{"e-1", "ss-1"}; !cmp.Equal(got, want) {
		t.Errorf("Members = %v, want %v", got, want)
	}
}
