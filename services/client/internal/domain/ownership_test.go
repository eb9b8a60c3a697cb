package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// ownOutcome names how an ownership decision ended, for compact tables.
type ownOutcome string

const (
	ownOK           ownOutcome = "ok"
	ownDenied       ownOutcome = "denied"
	ownPrecondition ownOutcome = "precondition"
	ownInvalid      ownOutcome = "invalid"
	ownQuota        ownOutcome = "quota"
)

func ownOutcomeOf(t *testing.T, err error) ownOutcome {
	t.Helper()
	var ve *domain.ValidationError
	switch {
	case err == nil:
		return ownOK
	case errors.As(err, &ve):
		return ownInvalid
	case errors.Is(err, domain.ErrPermissionDenied):
		return ownDenied
	case errors.Is(err, domain.ErrQuotaExhausted):
		return ownQuota
	case errors.Is(err, domain.ErrPrecondition):
		return ownPrecondition
	}
	t.Fatalf("unexpected error %v", err)
	return ""
}

// The customer states every decision is tried in.
const (
	stateInPool      = "in pool"
	stateHeldByActor = "held by actor"
	stateHeldByOther = "held by other"
	ownActorID       = "e-actor"
	ownOtherID       = "e-other"
	ownTargetID      = "e-target"
	ownReason        = "  客户在浦东，交给就近的同事  "
	ownReasonTrimmed = "客户在浦东，交给就近的同事"
	ownCustomerID    = "c-1"
)

func ownCustomerIn(state string) domain.Customer {
	c := domain.Customer{Tenant: "acme", ID: ownCustomerID, PersonName: "张三"}
	switch state {
	case stateHeldByActor:
		c.OwnerID = ownActorID
	case stateHeldByOther:
		c.OwnerID = ownOtherID
	}
	return c
}

var ownershipRoles = []string{"sales", "senior_sales", "manager", "hr", "auditor", "admin"}

func TestOwnershipDecisionMatrix(t *testing.T) {
	t.Parallel()
	roomy := domain.ClaimLimits{ClaimsToday: 0, ClaimQuota: 5, Held: 0, MaxHeld: 300}
	type cell map[string]ownOutcome // state → ownOutcome
	tests := []struct {
		name   string
		decide func(domain.Actor, domain.Customer) (domain.OwnerChange, error)
		want   map[string]cell // role → state → ownOutcome
		// change is the decision taken on a customer in state when it is allowed.
		change func(state string) domain.OwnerChange
	}{
		{
			name: "Assign",
			decide: func(a domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
				return domain.Assign(a, c, ownTargetID, ownReason)
			},
			want: map[string]cell{
				"sales":        {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"senior_sales": {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"manager":      {stateInPool: ownOK, stateHeldByActor: ownPrecondition, stateHeldByOther: ownPrecondition},
				"hr":           {stateInPool: ownOK, stateHeldByActor: ownPrecondition, stateHeldByOther: ownPrecondition},
				"auditor":      {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"admin":        {stateInPool: ownOK, stateHeldByActor: ownPrecondition, stateHeldByOther: ownPrecondition},
			},
			change: func(string) domain.OwnerChange {
				return domain.OwnerChange{CustomerID: ownCustomerID, To: ownTargetID, Cause: domain.CauseAssigned, Reason: ownReasonTrimmed}
			},
		},
		{
			name: "Reassign",
			decide: func(a domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
				return domain.Reassign(a, c, ownTargetID, ownReason)
			},
			want: map[string]cell{
				"sales":        {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"senior_sales": {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"manager":      {stateInPool: ownPrecondition, stateHeldByActor: ownOK, stateHeldByOther: ownOK},
				"hr":           {stateInPool: ownPrecondition, stateHeldByActor: ownOK, stateHeldByOther: ownOK},
				"auditor":      {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"admin":        {stateInPool: ownPrecondition, stateHeldByActor: ownOK, stateHeldByOther: ownOK},
			},
			change: func(state string) domain.OwnerChange {
				return domain.OwnerChange{CustomerID: ownCustomerID, From: ownCustomerIn(state).OwnerID, To: ownTargetID, Cause: domain.CauseReassigned, Reason: ownReasonTrimmed}
			},
		},
		{
			name: "Release",
			decide: func(a domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
				return domain.Release(a, c, ownReason)
			},
			// The holder releases whatever their role; others need to oversee.
			want: map[string]cell{
				"sales":        {stateInPool: ownDenied, stateHeldByActor: ownOK, stateHeldByOther: ownDenied},
				"senior_sales": {stateInPool: ownDenied, stateHeldByActor: ownOK, stateHeldByOther: ownDenied},
				"manager":      {stateInPool: ownPrecondition, stateHeldByActor: ownOK, stateHeldByOther: ownOK},
				"hr":           {stateInPool: ownPrecondition, stateHeldByActor: ownOK, stateHeldByOther: ownOK},
				"auditor":      {stateInPool: ownDenied, stateHeldByActor: ownOK, stateHeldByOther: ownDenied},
				"admin":        {stateInPool: ownPrecondition, stateHeldByActor: ownOK, stateHeldByOther: ownOK},
			},
			change: func(state string) domain.OwnerChange {
				return domain.OwnerChange{CustomerID: ownCustomerID, From: ownCustomerIn(state).OwnerID, Cause: domain.CauseReleased, Reason: ownReasonTrimmed}
			},
		},
		{
			name: "Claim",
			decide: func(a domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
				return domain.Claim(a, c, roomy)
			},
			want: map[string]cell{
				"sales":        {stateInPool: ownOK, stateHeldByActor: ownPrecondition, stateHeldByOther: ownPrecondition},
				"senior_sales": {stateInPool: ownOK, stateHeldByActor: ownPrecondition, stateHeldByOther: ownPrecondition},
				"manager":      {stateInPool: ownOK, stateHeldByActor: ownPrecondition, stateHeldByOther: ownPrecondition},
				"hr":           {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"auditor":      {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
				"admin":        {stateInPool: ownDenied, stateHeldByActor: ownDenied, stateHeldByOther: ownDenied},
			},
			change: func(string) domain.OwnerChange {
				return domain.OwnerChange{CustomerID: ownCustomerID, To: ownActorID, Cause: domain.CauseClaimed}
			},
		},
	}
	for _, tt := range tests {
		for _, role := range ownershipRoles {
			for _, state := range []string{stateInPool, stateHeldByActor, stateHeldByOther} {
				t.Run(tt.name+"/"+role+"/"+state, func(t *testing.T) {
					t.Parallel()
					want, found := tt.want[role][state]
					if !found {
						t.Fatalf("the matrix has no cell for %s × %s × %s", tt.name, role, state)
					}
					actor := overseeing(domain.Actor{Tenant: "acme", EmployeeID: ownActorID, Roles: []string{role}})
					c := ownCustomerIn(state)
					got, err := tt.decide(actor, c)
					if o := ownOutcomeOf(t, err); o != want {
						t.Fatalf("%s by %s of a customer %s = %s (%v), want %s", tt.name, role, state, o, err, want)
					}
					if want != ownOK {
						return
					}
					if diff := cmp.Diff(tt.change(state), got); diff != "" {
						t.Errorf("change mismatch (-want, +got):\n%s", diff)
					}
					if after := got.Apply(c); after.OwnerID != got.To {
						t.Errorf("after Apply the owner is %q, want %q", after.OwnerID, got.To)
					}
				})
			}
		}
	}
}

func TestOwnershipReasons(t *testing.T) {
	t.Parallel()
	manager := overseeing(domain.Actor{Tenant: "acme", EmployeeID: ownActorID, Roles: []string{"manager"}})
	sales := domain.Actor{Tenant: "acme", EmployeeID: ownActorID, Roles: []string{"sales"}}
	longest := strings.Repeat("因", 500)
	tests := []struct {
		name   string
		decide func(reason string) (domain.OwnerChange, error)
	}{
		{"Assign", func(r string) (domain.OwnerChange, error) {
			return domain.Assign(manager, ownCustomerIn(stateInPool), ownTargetID, r)
		}},
		{"Reassign", func(r string) (domain.OwnerChange, error) {
			return domain.Reassign(manager, ownCustomerIn(stateHeldByOther), ownTargetID, r)
		}},
		{"Release", func(r string) (domain.OwnerChange, error) {
			return domain.Release(sales, ownCustomerIn(stateHeldByActor), r)
		}},
	}
	reasons := []struct {
		name   string
		reason string
		want   ownOutcome
	}{
		{"missing", "", ownInvalid},
		{"blank", " \t\n ", ownInvalid},
		{"longest allowed", longest, ownOK},
		{"too long", longest + "了", ownInvalid},
		{"not UTF-8", "调\xff整", ownInvalid},
	}
	for _, tt := range tests {
		for _, r := range reasons {
			t.Run(tt.name+"/"+r.name, func(t *testing.T) {
				t.Parallel()
				ch, err := tt.decide(r.reason)
				if got := ownOutcomeOf(t, err); got != r.want {
					t.Fatalf("%s with a %s reason = %s (%v), want %s", tt.name, r.name, got, err, r.want)
				}
				if r.want == ownInvalid {
					if diff := cmp.Diff([]string{"reason"}, violatedFields(t, err)); diff != "" {
						t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
					}
				} else if ch.Reason != r.reason {
					t.Errorf("reason = %q, want %q", ch.Reason, r.reason)
				}
			})
		}
	}

	t.Run("permission is checked before the reason", func(t *testing.T) {
		t.Parallel()
		_, err := domain.Assign(sales, ownCustomerIn(stateInPool), ownTargetID, "")
		if got := ownOutcomeOf(t, err); got != ownDenied {
			t.Errorf("Assign by sales without a reason = %s (%v), want denied", got, err)
		}
	})
	t.Run("reassign to the holder", func(t *testing.T) {
		t.Parallel()
		_, err := domain.Reassign(manager, ownCustomerIn(stateHeldByOther), ownOtherID, ownReason)
		if got := ownOutcomeOf(t, err); got != ownPrecondition {
			t.Errorf("Reassign to the current holder = %s (%v), want precondition", got, err)
		}
	})
}

func TestCheckReasonNamesTheField(t *testing.T) {
	t.Parallel()
	err := domain.CheckReason("policy_reason", "")
	if diff := cmp.Diff([]string{"policy_reason"}, violatedFields(t, err)); diff != "" {
		t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
	}
	if err := domain.CheckReason("reason", "交接"); err != nil {
		t.Errorf("CheckReason of a good reason: %v", err)
	}
}

func TestClaimLimits(t *testing.T) {
	t.Parallel()
	sales := domain.Actor{Tenant: "acme", EmployeeID: ownActorID, Roles: []string{"sales"}}
	tests := []struct {
		name string
		lim  domain.ClaimLimits
		want ownOutcome
	}{
		{"first claim of the day", domain.ClaimLimits{ClaimsToday: 0, ClaimQuota: 5, Held: 10, MaxHeld: 300}, ownOK},
		{"last claim of the quota", domain.ClaimLimits{ClaimsToday: 4, ClaimQuota: 5, Held: 10, MaxHeld: 300}, ownOK},
		{"quota spent", domain.ClaimLimits{ClaimsToday: 5, ClaimQuota: 5, Held: 10, MaxHeld: 300}, ownQuota},
		{"quota of zero allows none", domain.ClaimLimits{ClaimsToday: 0, ClaimQuota: 0, Held: 0, MaxHeld: 300}, ownQuota},
		{"one below the cap", domain.ClaimLimits{ClaimsToday: 0, ClaimQuota: 5, Held: 299, MaxHeld: 300}, ownOK},
		{"at the cap", domain.ClaimLimits{ClaimsToday: 0, ClaimQuota: 5, Held: 300, MaxHeld: 300}, ownPrecondition},
		{"over the cap", domain.ClaimLimits{ClaimsToday: 0, ClaimQuota: 5, Held: 301, MaxHeld: 300}, ownPrecondition},
		{"both spent: the quota is reported", domain.ClaimLimits{ClaimsToday: 5, ClaimQuota: 5, Held: 300, MaxHeld: 300}, ownQuota},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.Claim(sales, ownCustomerIn(stateInPool), tt.lim)
			if got := ownOutcomeOf(t, err); got != tt.want {
				t.Errorf("Claim with %+v = %s (%v), want %s", tt.lim, got, err, tt.want)
			}
		})
	}
}

func TestHandover(t *testing.T) {
	t.Parallel()
	const reason = "handover: e1 departed (last day 2026-11-20)"
	tests := []struct {
		name      string
		owner     string
		successor string
		want      domain.OwnerChange
		wantErr   error
	}{
		{
			name: "to the manager", owner: "e1", successor: "m1",
			want: domain.OwnerChange{CustomerID: "c1", From: "e1", To: "m1", Cause: domain.CauseHandover, Reason: reason},
		},
		{
			name: "to the pool", owner: "e1", successor: "",
			want: domain.OwnerChange{CustomerID: "c1", From: "e1", Cause: domain.CauseHandover, Reason: reason},
		},
		{
			name: "never to the departed", owner: "e1", successor: "e1",
			want: domain.OwnerChange{CustomerID: "c1", From: "e1", Cause: domain.CauseHandover, Reason: reason},
		},
		{name: "held by someone else", owner: "s2", successor: "m1", wantErr: domain.ErrNotHeldBy},
		{name: "in the pool", owner: "", successor: "m1", wantErr: domain.ErrNotHeldBy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.Handover(domain.Customer{ID: "c1", OwnerID: tt.owner}, "e1", tt.successor, reason)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("change mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestHandoverTarget(t *testing.T) {
	t.Parallel()
	manager := domain.DefaultClientPolicy()
	pool := domain.DefaultClientPolicy()
	pool.DepartureHandover = domain.DepartureHandoverPool
	tests := []struct {
		name          string
		policy        domain.ClientPolicy
		manager       string
		managerActive bool
		want          string
	}{
		{name: "manager policy, active manager", policy: manager, manager: "m1", managerActive: true, want: "m1"},
		{name: "manager policy, manager departed", policy: manager, manager: "m1", managerActive: false, want: ""},
		{name: "manager policy, no manager", policy: manager, manager: "", managerActive: true, want: ""},
		{name: "pool policy", policy: pool, manager: "m1", managerActive: true, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.policy.HandoverTarget(tt.manager, tt.managerActive); got != tt.want {
				t.Errorf("HandoverTarget = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidatePolicyDepartureHandover(t *testing.T) {
	t.Parallel()
	if got := domain.DefaultClientPolicy().DepartureHandover; got != domain.DepartureHandoverManager {
		t.Errorf("default departure handover = %v, want manager", got)
	}
	for _, dh := range []domain.DepartureHandover{domain.DepartureHandoverManager, domain.DepartureHandoverPool} {
		p := domain.DefaultClientPolicy()
		p.DepartureHandover = dh
		if err := domain.ValidatePolicy(p); err != nil {
			t.Errorf("ValidatePolicy(%v): %v", dh, err)
		}
	}
	for _, dh := range []domain.DepartureHandover{domain.DepartureHandoverUnspecified, 3} {
		p := domain.DefaultClientPolicy()
		p.DepartureHandover = dh
		if err := domain.ValidatePolicy(p); err == nil {
			t.Errorf("ValidatePolicy(%v) accepted it", dh)
		}
	}
}
