package domain_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

func shanghai() domain.Calendar {
	return domain.Calendar{TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{5, 1, 2, 3, 4}, Holidays: []string{"2026-10-01", "2026-05-01"}}
}

func TestNormalizeOrgUnit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		unit       domain.OrgUnit
		wantFields []string
	}{
		{"company", domain.OrgUnit{Kind: domain.KindCompany, Name: "Acme"}, nil},
		{"branch", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: shanghai()}, nil},
		{"team", domain.OrgUnit{Kind: domain.KindTeam, ParentID: "b1", Name: "销售一组"}, nil},
		{"no name, no kind", domain.OrgUnit{Name: "  "}, []string{"name", "kind"}},
		{"company with parent", domain.OrgUnit{Kind: domain.KindCompany, ParentID: "c0", Name: "Acme"}, []string{"parent_id"}},
		{"branch without parent", domain.OrgUnit{Kind: domain.KindBranch, Name: "上海", Calendar: shanghai()}, []string{"parent_id"}},
		{"branch without time zone", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{WorkingWeekdays: []int{1}}}, []string{"time_zone"}},
		{"branch with unknown time zone", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "Mars/Olympus", WorkingWeekdays: []int{1}}}, []string{"time_zone"}},
		{"branch with Local", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "Local", WorkingWeekdays: []int{1}}}, []string{"time_zone"}},
		{"no working day", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "UTC"}}, []string{"working_weekdays"}},
		{"weekday 0", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "UTC", WorkingWeekdays: []int{0, 1}}}, []string{"working_weekdays"}},
		{"weekday 8", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "UTC", WorkingWeekdays: []int{8}}}, []string{"working_weekdays"}},
		{"weekday twice", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "UTC", WorkingWeekdays: []int{1, 1}}}, []string{"working_weekdays"}},
		{"bad holiday", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "UTC", WorkingWeekdays: []int{1}, Holidays: []string{"2026-02-30"}}}, []string{"holidays"}},
		{"holiday twice", domain.OrgUnit{Kind: domain.KindBranch, ParentID: "c1", Name: "上海", Calendar: domain.Calendar{TimeZone: "UTC", WorkingWeekdays: []int{1}, Holidays: []string{"2026-01-01", "2026-01-01"}}}, []string{"holidays"}},
		{"team with calendar", domain.OrgUnit{Kind: domain.KindTeam, ParentID: "b1", Name: "一组", Calendar: shanghai()}, []string{"time_zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.NormalizeOrgUnit(tt.unit)
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if diff := cmp.Diff(tt.wantFields, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeCalendarSorts(t *testing.T) {
	t.Parallel()
	got, bad := domain.NormalizeCalendar(shanghai())
	if len(bad) != 0 {
		t.Fatalf("violations: %v", bad)
	}
	want := domain.Calendar{TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}, Holidays: []string{"2026-05-01", "2026-10-01"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calendar mismatch (-want, +got):\n%s", diff)
	}
}

func TestCheckPlacement(t *testing.T) {
	t.Parallel()
	tree := map[string]domain.OrgUnit{
		"c1": {ID: "c1", Kind: domain.KindCompany},
		"b1": {ID: "b1", ParentID: "c1", Kind: domain.KindBranch},
		"t1": {ID: "t1", ParentID: "b1", Kind: domain.KindTeam},
		// loop1 and loop2 are each other's parent: a corrupt tree.
		"loop1": {ID: "loop1", ParentID: "loop2", Kind: domain.KindBranch},
		"loop2": {ID: "loop2", ParentID: "loop1", Kind: domain.KindBranch},
		// orphan's parent is missing.
		"orphan": {ID: "orphan", ParentID: "gone", Kind: domain.KindBranch},
		// under-new sits under the unit being placed.
		"under-new": {ID: "under-new", ParentID: "new", Kind: domain.KindBranch},
		// new is in the tree already (a corrupt history), under its own child.
		"new": {ID: "new", ParentID: "under-new", Kind: domain.KindBranch},
	}
	lookup := func(id string) (domain.OrgUnit, bool, error) { u, ok := tree[id]; return u, ok, nil }
	tests := []struct {
		name    string
		kind    domain.OrgUnitKind
		parent  string
		wantErr bool
	}{
		{"company at the root", domain.KindCompany, "", false},
		{"branch under company", domain.KindBranch, "c1", false},
		{"region branch under branch", domain.KindBranch, "b1", false},
		{"team under branch", domain.KindTeam, "b1", false},
		{"team under team", domain.KindTeam, "t1", false},
		{"unknown parent", domain.KindTeam, "nope", true},
		{"branch under team", domain.KindBranch, "t1", true},
		{"team under company", domain.KindTeam, "c1", true},
		{"own parent", domain.KindBranch, "new", true},
		{"cycle through a descendant", domain.KindBranch, "under-new", true},
		{"cycle above the parent", domain.KindBranch, "loop1", true},
		{"missing ancestor", domain.KindBranch, "orphan", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.CheckPlacement(domain.OrgUnit{ID: "new", ParentID: tt.parent, Kind: tt.kind}, lookup)
			if tt.wantErr != errors.Is(err, domain.ErrPrecondition) || (!tt.wantErr && err != nil) {
				t.Errorf("CheckPlacement = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
