package domain

import "slices"

// EmployeeStatus is where an employee is in their lifecycle, as the
// attendance service records it.
type EmployeeStatus int

// Employee statuses.
const (
	StatusActive EmployeeStatus = iota + 1
	StatusOnNotice
	StatusDeparted
)

// RosterEmployee is one employee as the client service's roster projection
// of ATTENDANCE keeps them: where they sit in the organisation tree.
type RosterEmployee struct {
	Tenant    string
	ID        string
	OrgUnitID string
	ManagerID string
	// Role is the employee's role in the roster (pkg/auth role names).
	Role   string
	Status EmployeeStatus
}

// OnRoster reports whether e is a hired employee who has not left.
func (e RosterEmployee) OnRoster() bool {
	return e.ID != "" && e.Status != StatusDeparted && e.Status != 0
}

// OrgUnit is one node of the organisation tree; ParentID is empty at the root.
type OrgUnit struct {
	Tenant   string
	ID       string
	ParentID string
}

// MaxOrgDepth bounds how many levels below a unit a subtree lookup
// descends: deeper units are not part of the subtree, and a cycle in a
// malformed tree ends there instead of looping.
const MaxOrgDepth = 16

// Tier is how far an actor's view of customers reaches in the tree.
type Tier int

// Tiers, narrowest first.
const (
	// TierOwn sees the actor's own customers.
	TierOwn Tier = iota
	// TierTeam sees the customers held by anyone in the actor's org unit.
	TierTeam
	// TierSubtree sees the customers held in the actor's org unit and below.
	TierSubtree
	// TierAll sees every customer of the tenant.
	TierAll
)

// String names the tier for messages.
func (t Tier) String() string {
	switch t {
	case TierTeam:
		return "team"
	case TierSubtree:
		return "org unit subtree"
	case TierAll:
		return "tenant"
	default:
		return "own"
	}
}

// rank is how far a role reaches in the tree, for tokens and roster alike.
func rank(role string) Tier {
	switch role {
	case "manager":
		return TierSubtree
	case "senior_sales":
		return TierTeam
	default:
		return TierOwn
	}
}

// TierOf decides how far actor sees, given their roster entry (the zero
// value when they are not on the roster). hr, auditors and admins see the
// tenant whatever the roster says. senior_sales and managers see their team
// or subtree only while the roster places them: the narrower of the token's
// role and the roster's role counts, so a demotion recorded in attendance
// takes effect before the old token expires. Anyone else, and anyone not
// on the roster, sees their own customers.
func TierOf(a Actor, me RosterEmployee) Tier {
	if a.has("hr", "auditor", "admin") {
		return TierAll
	}
	if !me.OnRoster() || me.ID != a.EmployeeID || me.OrgUnitID == "" {
		return TierOwn
	}
	token := TierOwn
	for _, r := range a.Roles {
		token = max(token, rank(r))
	}
	return min(token, rank(me.Role))
}

// Visibility is whose customers an actor sees: decided per call from their
// token's roles and the roster (see TierOf).
type Visibility struct {
	Tier Tier
	// Units are the org units the tier covers (TierTeam and TierSubtree).
	Units []string
	// members are the employees whose customers the tier covers, besides
	// the actor; any status, so a departed employee's customers stay
	// visible until the handover moves them.
	members map[string]bool
}

// NewVisibility returns a tier's visibility over units and the employees
// in them.
func NewVisibility(tier Tier, units, employees []string) Visibility {
	v := Visibility{Tier: tier, Units: slices.Clone(units), members: make(map[string]bool, len(employees))}
	for _, e := range employees {
		v.members[e] = true
	}
	return v
}

// Members returns the employees the visibility covers besides the actor,
// sorted.
func (v Visibility) Members() []string {
	out := make([]string, 0, len(v.members))
	for e := range v.members {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// WithVisibility returns a with v decided.
func (a Actor) WithVisibility(v Visibility) Actor {
	a.visibility = &v
	return a
}

// Visibility is what a sees: as decided by WithVisibility, else what the
// token alone allows (hr, auditors and admins the tenant, anyone else their
// own customers), so an undecided actor never sees more than it should.
func (a Actor) Visibility() Visibility {
	if a.visibility != nil {
		return *a.visibility
	}
	if a.has("hr", "auditor", "admin") {
		return Visibility{Tier: TierAll}
	}
	return Visibility{Tier: TierOwn}
}

// SeesHolder reports whether employee's customers are within what a sees:
// their own, their tier's members', or everyone's.
func (a Actor) SeesHolder(employee string) bool {
	if employee == "" {
		return false
	}
	if employee == a.EmployeeID {
		return true
	}
	v := a.Visibility()
	return v.Tier == TierAll || v.members[employee]
}

// SeesPool: the roles that read pooled customers, wherever they sit in
// the tree (anyone may list the pool to claim from it).
func (a Actor) SeesPool() bool {
	return a.has("senior_sales", "manager", "hr", "auditor", "admin")
}

// oversees: a manager whose tree holds the customer (or the pool holds it),
// or hr or an admin. These act on customers they do not hold.
func (a Actor) oversees(c Customer) bool {
	if a.has("hr", "admin") {
		return true
	}
	return a.has("manager") && (c.OwnerID == "" || a.SeesHolder(c.OwnerID))
}
