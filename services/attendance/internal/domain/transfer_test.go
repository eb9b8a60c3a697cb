package domain_test

import (
	"errors"
	"testing"

	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

func TestTransferEmployee(t *testing.T) {
	t.Parallel()
	e := employeeIn(domain.StatusActive)
	e.ManagerID = "m1"
	tests := []struct {
		name      string
		transfer  domain.Transfer
		wantField string // a violation of this field
		wantPre   bool   // ErrPrecondition
	}{
		{name: "to another team", transfer: domain.Transfer{OrgUnitID: "t2", ManagerID: "m1", EffectiveDate: "2026-02-01"}},
		{name: "new manager only", transfer: domain.Transfer{OrgUnitID: "b1", ManagerID: "m2", EffectiveDate: "2026-02-01"}},
		{name: "to no manager", transfer: domain.Transfer{OrgUnitID: "b1", EffectiveDate: "2026-02-01"}},
		{name: "nothing changes", transfer: domain.Transfer{OrgUnitID: "b1", ManagerID: "m1", EffectiveDate: "2026-02-01"}, wantPre: true},
		{name: "before the start", transfer: domain.Transfer{OrgUnitID: "t2", EffectiveDate: "2025-12-31"}, wantPre: true},
		{name: "bad date", transfer: domain.Transfer{OrgUnitID: "t2", EffectiveDate: "2026-02-30"}, wantField: "effective_date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.TransferEmployee(e, tc.transfer)
			switch {
			case tc.wantField != "":
				var ve *domain.ValidationError
				if !errors.As(err, &ve) || ve.Violations[0].Field != tc.wantField {
					t.Fatalf("err = %v, want a violation of %s", err, tc.wantField)
				}
			case tc.wantPre:
				if !errors.Is(err, domain.ErrPrecondition) {
					t.Fatalf("err = %v, want ErrPrecondition", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if got.OrgUnitID != tc.transfer.OrgUnitID || got.ManagerID != tc.transfer.ManagerID {
					t.Errorf("after transfer: unit %s manager %s, want %s %s", got.OrgUnitID, got.ManagerID, tc.transfer.OrgUnitID, tc.transfer.ManagerID)
				}
			}
		})
	}
}

func TestChangeRole(t *testing.T) {
	t.Parallel()
	e := employeeIn(domain.StatusActive)
	if got, err := domain.ChangeRole(e, "manager", "2026-06-01"); err != nil || got.Role != "manager" {
		t.Errorf("promote: %v, %v", got.Role, err)
	}
	if _, err := domain.ChangeRole(e, "sales", "2026-06-01"); !errors.Is(err, domain.ErrPrecondition) {
		t.Errorf("same role: err = %v, want ErrPrecondition", err)
	}
	if _, err := domain.ChangeRole(e, "manager", "2025-06-01"); !errors.Is(err, domain.ErrPrecondition) {
		t.Errorf("before start: err = %v, want ErrPrecondition", err)
	}
	var ve *domain.ValidationError
	if _, err := domain.ChangeRole(e, "king", "June"); !errors.As(err, &ve) || len(ve.Violations) != 2 {
		t.Errorf("bad role and date: err = %v, want two violations", err)
	}
}
