package domain

import (
	"fmt"
	"strings"
)

// OrgUnitKind is a level of the organisation tree; the values match the wire's.
type OrgUnitKind int

// Org unit kinds.
const (
	KindUnspecified OrgUnitKind = iota
	KindCompany
	KindBranch
	KindTeam
)

func (k OrgUnitKind) String() string {
	switch k {
	case KindCompany:
		return "company"
	case KindBranch:
		return "branch"
	case KindTeam:
		return "team"
	}
	return "unspecified"
}

// OrgUnit is one node of a tenant's organisation tree.
type OrgUnit struct {
	Tenant   string
	ID       string
	ParentID string
	Kind     OrgUnitKind
	Name     string
	// Calendar is set for branches only.
	Calendar Calendar
	Version  uint64
}

// maxNameRunes bounds a unit's or employee's name.
const maxNameRunes = 200

// NormalizeOrgUnit trims and checks a new unit on its own, reporting every
// bad field: a name, a known kind, a parent for all but a company, and a
// valid calendar on branches (and none elsewhere).
func NormalizeOrgUnit(u OrgUnit) (OrgUnit, error) {
	var v violations
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" || len([]rune(u.Name)) > maxNameRunes {
		v.Add("name", "required, at most %d characters", maxNameRunes)
	}
	switch u.Kind {
	case KindCompany:
		if u.ParentID != "" {
			v.Add("parent_id", "a company has no parent")
		}
	case KindBranch, KindTeam:
		if u.ParentID == "" {
			v.Add("parent_id", "required for a %s", u.Kind)
		}
	default:
		v.Add("kind", "must be COMPANY, BRANCH or TEAM")
	}
	if u.Kind == KindBranch {
		cal, bad := NormalizeCalendar(u.Calendar)
		v = append(v, bad...)
		u.Calendar = cal
	} else if !u.Calendar.IsEmpty() {
		v.Add("time_zone", "only branches have a time zone and working calendar")
	}
	return u, v.Err()
}

// allowedParents is which kinds a kind may sit under.
var allowedParents = map[OrgUnitKind][]OrgUnitKind{
	KindBranch: {KindCompany, KindBranch},
	KindTeam:   {KindBranch, KindTeam},
}

// maxTreeDepth bounds the walk up the tree; a deeper chain is corrupt.
const maxTreeDepth = 64

// CheckPlacement checks that u may sit under its parent in the tree that
// lookup reads (ok = false for an unknown id): the parent exists, its kind
// may hold u's, and walking up from it never reaches u again (a cycle).
func CheckPlacement(u OrgUnit, lookup func(id string) (OrgUnit, bool, error)) error {
	if u.ParentID == "" {
		return nil
	}
	parent, ok, err := lookup(u.ParentID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: parent org unit %s does not exist", ErrPrecondition, u.ParentID)
	}
	kindOK := false
	for _, k := range allowedParents[u.Kind] {
		kindOK = kindOK || parent.Kind == k
	}
	if !kindOK {
		return fmt.Errorf("%w: a %s cannot sit under a %s", ErrPrecondition, u.Kind, parent.Kind)
	}
	seen := map[string]bool{u.ID: true}
	for cur, depth := parent, 0; ; depth++ {
		if seen[cur.ID] {
			return fmt.Errorf("%w: org unit %s would be its own ancestor", ErrPrecondition, u.ID)
		}
		if depth > maxTreeDepth {
			return fmt.Errorf("%w: the org tree is deeper than %d", ErrPrecondition, maxTreeDepth)
		}
		seen[cur.ID] = true
		if cur.ParentID == "" {
			return nil
		}
		next, ok, err := lookup(cur.ParentID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: ancestor org unit %s does not exist", ErrPrecondition, cur.ParentID)
		}
		cur = next
	}
}
