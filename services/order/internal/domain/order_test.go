package domain

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestApprovalChain(t *testing.T) {
	t.Parallel()
	p := Policy{Thresholds: []Threshold{{Currency: "CNY", AutoApproveUpToMinor: 100_000, AdminAboveMinor: 10_000_000}}}
	tests := []struct {
		name     string
		policy   Policy
		currency string
		amount   int64
		want     []string
	}{
		{"at the auto limit", p, "CNY", 100_000, nil},
		{"just above it", p, "CNY", 100_001, []string{"manager"}},
		{"at the admin limit", p, "CNY", 10_000_000, []string{"manager"}},
		{"above it", p, "CNY", 10_000_001, []string{"manager", "admin"}},
		{"a currency without threshold", p, "USD", 1, []string{"manager", "admin"}},
		{"no policy", Policy{}, "CNY", 1, []string{"manager", "admin"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.policy.ApprovalChain(tt.currency, tt.amount)); diff != "" {
			t.Errorf("%s: chain mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
}

func TestApprove(t *testing.T) {
	t.Parallel()
	pending := Order{SellerID: "e1", Status: StatusPendingApproval, ApprovalChain: []string{"manager", "admin"}}
	afterManager := pending
	afterManager.Approvals = []Approval{{Role: "manager", ApproverID: "m1"}}
	overseesE1 := func(seller string) bool { return seller == "e1" }
	manager := Actor{EmployeeID: "m1", Roles: []string{"manager"}, Oversees: overseesE1}
	otherManager := Actor{EmployeeID: "m2", Roles: []string{"manager"}, Oversees: overseesE1}
	elsewhere := Actor{EmployeeID: "m3", Roles: []string{"manager"}, Oversees: func(string) bool { return false }}
	admin := Actor{EmployeeID: "a1", Roles: []string{"admin"}}
	managerAdmin := Actor{EmployeeID: "m1", Roles: []string{"manager", "admin"}}
	sellerManager := Actor{EmployeeID: "e1", Roles: []string{"manager", "admin"}}
	tests := []struct {
		name      string
		order     Order
		actor     Actor
		wantStep  int
		wantFinal bool
		wantErr   error
	}{
		{"manager takes the manager step", pending, manager, 0, false, nil},
		{"a manager of another branch may not", pending, elsewhere, 0, false, ErrPermissionDenied},
		{"a manager off the roster may not", pending, Actor{EmployeeID: "m4", Roles: []string{"manager"}}, 0, false, ErrPermissionDenied},
		{"admin may take the manager step", pending, admin, 0, false, nil},
		{"the seller never approves", pending, sellerManager, 0, false, ErrPermissionDenied},
		{"a manager may not take the admin step", afterManager, otherManager, 0, false, ErrPermissionDenied},
		{"one person never takes two steps", afterManager, managerAdmin, 0, false, ErrPrecondition},
		{"admin takes the last step", afterManager, admin, 1, true, nil},
		{"a draft is not pending", Order{Status: StatusDraft}, admin, 0, false, ErrPrecondition},
	}
	for _, tt := range tests {
		step, _, final, err := Approve(tt.order, tt.actor)
		if !errors.Is(err, tt.wantErr) || (err == nil && (step != tt.wantStep || final != tt.wantFinal)) {
			t.Errorf("%s: step %d final %v err %v; want %d %v %v", tt.name, step, final, err, tt.wantStep, tt.wantFinal, tt.wantErr)
		}
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	statuses := []Status{StatusDraft, StatusPendingApproval, StatusApproved, StatusRejected, StatusWon, StatusLost, StatusCancelled, StatusRefunded}
	allowed := map[string]map[Status]bool{
		"win":    {StatusApproved: true},
		"lose":   {StatusDraft: true, StatusPendingApproval: true, StatusApproved: true},
		"cancel": {StatusDraft: true, StatusPendingApproval: true, StatusApproved: true, StatusWon: true},
		"refund": {StatusWon: true, StatusCancelled: true},
	}
	for _, s := range statuses {
		o := Order{Status: s, Currency: "CNY", PaidTotalMinor: 100, PaidToCompanyTotalMinor: 100}
		got := map[string]error{"win": Win(o), "lose": Lose(o), "cancel": Cancel(o), "refund": Refund(o, 100, "CNY")}
		for action, err := range got {
			if want := allowed[action][s]; (err == nil) != want {
				t.Errorf("%s a %s order: err %v, want allowed=%v", action, s, err, want)
			}
		}
	}
	won := Order{Status: StatusWon, Currency: "CNY", PaidTotalMinor: 100, PaidToCompanyTotalMinor: 100, RefundedTotalMinor: 60}
	if err := Refund(won, 41, "CNY"); !errors.Is(err, ErrPrecondition) {
		t.Errorf("refund beyond the unrefunded 40: %v, want ErrPrecondition", err)
	}
	if err := Refund(won, 40, "CNY"); err != nil {
		t.Errorf("a second partial refund of the last 40: %v", err)
	}
	personal := Order{Status: StatusWon, Currency: "CNY", PaidTotalMinor: 100, PaidToCompanyTotalMinor: 30}
	if err := Refund(personal, 31, "CNY"); !errors.Is(err, ErrPrecondition) {
		t.Errorf("refunding money paid to a personal account: %v, want ErrPrecondition", err)
	}
	if err := Refund(won, 40, "USD"); !errors.Is(err, ErrPrecondition) {
		t.Errorf("refund in another currency: %v, want ErrPrecondition", err)
	}
}

func TestCheckCustomer(t *testing.T) {
	t.Parallel()
	held := Customer{ID: "c1", OwnerID: "e1"}
	tests := []struct {
		name   string
		seller string
		c      Customer
		found  bool
		want   Refusal
	}{
		{"the holder", "e1", held, true, RefusalNone},
		{"another employee", "e2", held, true, RefusalNotHeldBySeller},
		{"a pooled customer", "e1", Customer{ID: "c2"}, true, RefusalNotHeldBySeller},
		{"no such customer", "e1", Customer{}, false, RefusalCustomerNotFound},
	}
	for _, tt := range tests {
		if got := CheckCustomer(tt.seller, tt.c, tt.found); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSourceContradiction(t *testing.T) {
	t.Parallel()
	for recorded := SourceWebsite; recorded <= SourcePersonal; recorded++ {
		for claimed := SourceWebsite; claimed <= SourcePersonal; claimed++ {
			want := recorded != SourcePersonal && claimed == SourcePersonal
			if got := SourceContradiction(claimed, recorded); got != want {
				t.Errorf("claimed %d on recorded %d: %v, want %v", claimed, recorded, got, want)
			}
		}
	}
	if SourceContradiction(SourcePersonal, SourceUnspecified) {
		t.Error("an unknown recorded source contradicts a claim")
	}
}

func TestRecordPayment(t *testing.T) {
	t.Parallel()
	o := Order{Currency: "CNY", AmountMinor: 1000, PaidTotalMinor: 600, PaidToCompanyTotalMinor: 500}
	company := map[string]bool{"ACME01": true}
	payers := map[string]PayerRelation{"PARENT1": PayerParentCompany, "OWN1": PayerOwn}
	tests := []struct {
		name         string
		in           PaymentInput
		wantCompany  bool
		wantRelation PayerRelation
		wantTotal    int64
		wantFull     bool
		wantOver     bool
		wantCompanyT int64
	}{
		{"parent pays the company in full (H4)", PaymentInput{AmountMinor: 400, Currency: "CNY", PayerAccount: "PARENT1", PayeeAccount: "ACME01"}, true, PayerParentCompany, 1000, true, false, 900},
		{"unknown payer to a personal account (S6)", PaymentInput{AmountMinor: 100, Currency: "CNY", PayerAccount: "X123", PayeeAccount: "ME123"}, false, PayerUnknown, 700, false, false, 500},
		{"overpaid", PaymentInput{AmountMinor: 500, Currency: "CNY", PayerAccount: "OWN1", PayeeAccount: "ACME01"}, true, PayerOwn, 1100, true, true, 1000},
		{"another currency is not counted", PaymentInput{AmountMinor: 500, Currency: "USD", PayerAccount: "OWN1", PayeeAccount: "ACME01"}, true, PayerOwn, 600, false, false, 500},
	}
	for _, tt := range tests {
		f := RecordPayment(o, "p", tt.in, company, payers)
		if f.Payment.PayeeIsCompanyAccount != tt.wantCompany || f.Payment.PayerRelation != tt.wantRelation ||
			f.PaidTotalMinor != tt.wantTotal || f.PaidInFull != tt.wantFull || f.Overpaid != tt.wantOver || f.PaidToCompanyTotalMinor != tt.wantCompanyT {
			t.Errorf("%s: %+v", tt.name, f)
		}
	}
}

func TestCheckDraft(t *testing.T) {
	t.Parallel()
	d := Draft{Currency: "CNY", ClaimedSource: SourceWebsite, Lines: []LineItem{{Product: "a", Quantity: 3, UnitPriceMinor: 250}, {Product: "b", Quantity: 1, UnitPriceMinor: 1}}}
	amount, err := CheckDraft(d)
	if err != nil || amount != 751 {
		t.Errorf("CheckDraft = %d, %v; want 751", amount, err)
	}
	d.Lines = append(d.Lines, LineItem{Product: "c", Quantity: maxQuantity, UnitPriceMinor: MaxAmountMinor})
	var ve *ValidationError
	if _, err := CheckDraft(d); !errors.As(err, &ve) {
		t.Errorf("an overflowing total: %v, want a validation error", err)
	}
}

func TestCreatorAndSubmitterNeverApprove(t *testing.T) {
	t.Parallel()
	base := Order{Status: StatusPendingApproval, SellerID: "e1", ApprovalChain: []string{RoleManager}, Currency: "CNY"}
	m1 := Actor{Tenant: "acme", EmployeeID: "m1", Roles: []string{RoleManager}, Oversees: func(string) bool { return true }}
	for name, o := range map[string]Order{
		"created by the approver":   func() Order { o := base; o.CreatedBy = "m1"; return o }(),
		"submitted by the approver": func() Order { o := base; o.SubmittedBy = "m1"; return o }(),
	} {
		if _, _, _, err := Approve(o, m1); !errors.Is(err, ErrPermissionDenied) {
			t.Errorf("%s: err %v, want ErrPermissionDenied", name, err)
		}
	}
	if _, _, _, err := Approve(base, m1); err != nil {
		t.Errorf("an order m1 neither created nor submitted: %v", err)
	}
}
