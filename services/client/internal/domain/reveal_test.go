package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// fields returns the sorted, distinct fields err names if it is a
// *domain.ValidationError, else nil.
func fields(err error) []string {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestNormalizeReveal(t *testing.T) {
	t.Parallel()
	valid := domain.RevealRequest{CustomerID: "c-1", Field: domain.ContactPhone, Index: 1, Reason: "  回访报价  "}
	tests := []struct {
		name       string
		change     func(*domain.RevealRequest)
		want       domain.RevealRequest
		wantFields []string
	}{
		{
			name:   "valid phone: reason trimmed",
			change: func(*domain.RevealRequest) {},
			want:   domain.RevealRequest{CustomerID: "c-1", Field: domain.ContactPhone, Index: 1, Reason: "回访报价"},
		},
		{
			name:   "valid e-mail",
			change: func(r *domain.RevealRequest) { r.Field, r.Index = domain.ContactEmail, 0 },
			want:   domain.RevealRequest{CustomerID: "c-1", Field: domain.ContactEmail, Reason: "回访报价"},
		},
		{
			name:   "reason of exactly 500 characters",
			change: func(r *domain.RevealRequest) { r.Reason = strings.Repeat("因", 500) },
			want:   domain.RevealRequest{CustomerID: "c-1", Field: domain.ContactPhone, Index: 1, Reason: strings.Repeat("因", 500)},
		},
		{
			name:       "no reason",
			change:     func(r *domain.RevealRequest) { r.Reason = "" },
			wantFields: []string{"reason"},
		},
		{
			name:       "reason of only spaces",
			change:     func(r *domain.RevealRequest) { r.Reason = " \t " },
			wantFields: []string{"reason"},
		},
		{
			name:       "reason of 501 characters",
			change:     func(r *domain.RevealRequest) { r.Reason = strings.Repeat("因", 501) },
			wantFields: []string{"reason"},
		},
		{
			name:       "reason not UTF-8",
			change:     func(r *domain.RevealRequest) { r.Reason = "\xff" },
			wantFields: []string{"reason"},
		},
		{
			name:       "no field",
			change:     func(r *domain.RevealRequest) { r.Field = domain.ContactUnspecified },
			wantFields: []string{"field"},
		},
		{
			name:       "unknown field",
			change:     func(r *domain.RevealRequest) { r.Field = 9 },
			wantFields: []string{"field"},
		},
		{
			name:       "negative index",
			change:     func(r *domain.RevealRequest) { r.Index = -1 },
			wantFields: []string{"index"},
		},
		{
			name:       "index on a WeChat id",
			change:     func(r *domain.RevealRequest) { r.Field = domain.ContactWeChatID },
			wantFields: []string{"index"},
		},
		{
			name: "every bad field at once",
			change: func(r *domain.RevealRequest) {
				*r = domain.RevealRequest{Field: domain.ContactUnspecified}
			},
			wantFields: []string{"customer_id", "field", "reason"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := valid
			tt.change(&r)
			got, err := domain.NormalizeReveal(r)
			if diff := cmp.Diff(tt.wantFields, fields(err)); diff != "" {
				t.Fatalf("violated fields mismatch (-want, +got):\n%s", diff)
			}
			if err == nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("NormalizeReveal mismatch (-want, +got):\n%s", diff)
				}
			}
		})
	}
}

func TestCanReveal(t *testing.T) {
	t.Parallel()
	held := domain.Customer{ID: "c-1", OwnerID: "e-owner"}
	pooled := domain.Customer{ID: "c-2"}
	tests := []struct {
		name                 string
		actor                domain.Actor
		wantHeld, wantPooled bool
		wantUpdatePolicy     bool
	}{
		{name: "sales holder", actor: domain.Actor{EmployeeID: "e-owner", Roles: []string{"sales"}}, wantHeld: true},
		{name: "sales non-holder", actor: domain.Actor{EmployeeID: "e-other", Roles: []string{"sales"}}},
		{name: "senior_sales holder", actor: domain.Actor{EmployeeID: "e-owner", Roles: []string{"senior_sales"}}, wantHeld: true},
		{name: "senior_sales non-holder", actor: domain.Actor{EmployeeID: "e-other", Roles: []string{"senior_sales"}}},
		{name: "manager", actor: overseeing(domain.Actor{EmployeeID: "e-m", Roles: []string{"manager"}}), wantHeld: true, wantPooled: true},
		{name: "hr", actor: domain.Actor{EmployeeID: "e-hr", Roles: []string{"hr"}}, wantHeld: true, wantPooled: true},
		{name: "auditor", actor: domain.Actor{EmployeeID: "e-au", Roles: []string{"auditor"}}, wantHeld: true, wantPooled: true},
		{name: "admin", actor: domain.Actor{EmployeeID: "e-ad", Roles: []string{"admin"}}, wantHeld: true, wantPooled: true, wantUpdatePolicy: true},
		{name: "service", actor: domain.Actor{EmployeeID: "risk", Roles: []string{"service"}}},
		{name: "service holding by id", actor: domain.Actor{EmployeeID: "e-owner", Roles: []string{"service"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.actor.CanReveal(held); got != tt.wantHeld {
				t.Errorf("CanReveal(held by e-owner) = %v, want %v", got, tt.wantHeld)
			}
			if got := tt.actor.CanReveal(pooled); got != tt.wantPooled {
				t.Errorf("CanReveal(pooled) = %v, want %v", got, tt.wantPooled)
			}
			if got := tt.actor.CanUpdatePolicy(); got != tt.wantUpdatePolicy {
				t.Errorf("CanUpdatePolicy() = %v, want %v", got, tt.wantUpdatePolicy)
			}
		})
	}
}

func TestContactValue(t *testing.T) {
	t.Parallel()
	full := domain.Customer{
		ID: "c-1", Phones: []string{"+8613800138000", "+861065529988"},
		WeChatID: "wx_zhang01", Email: "zhang.san@example.com",
	}
	phoneOnly := domain.Customer{ID: "c-2", Phones: []string{"+8613900139000"}}
	noPhone := domain.Customer{ID: "c-3", Email: "li@example.com"}
	tests := []struct {
		name         string
		customer     domain.Customer
		field        domain.ContactField
		index        int
		want         string
		wantFields   []string
		wantNoSuchIt bool
	}{
		{name: "first phone", customer: full, field: domain.ContactPhone, want: "+8613800138000"},
		{name: "second phone", customer: full, field: domain.ContactPhone, index: 1, want: "+861065529988"},
		{name: "WeChat id", customer: full, field: domain.ContactWeChatID, want: "wx_zhang01"},
		{name: "e-mail", customer: full, field: domain.ContactEmail, want: "zhang.san@example.com"},
		{name: "phone past the last", customer: full, field: domain.ContactPhone, index: 2, wantFields: []string{"index"}},
		{name: "no WeChat id", customer: phoneOnly, field: domain.ContactWeChatID, wantNoSuchIt: true},
		{name: "no e-mail", customer: phoneOnly, field: domain.ContactEmail, wantNoSuchIt: true},
		{name: "no phone at all", customer: noPhone, field: domain.ContactPhone, wantNoSuchIt: true},
		{name: "no phone at all, index 3", customer: noPhone, field: domain.ContactPhone, index: 3, wantNoSuchIt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ContactValue(tt.customer, domain.RevealRequest{CustomerID: tt.customer.ID, Field: tt.field, Index: tt.index, Reason: "x"})
			if diff := cmp.Diff(tt.wantFields, fields(err)); diff != "" {
				t.Fatalf("violated fields mismatch (-want, +got):\n%s", diff)
			}
			if noSuch := errors.Is(err, domain.ErrNoSuchContact); noSuch != tt.wantNoSuchIt {
				t.Fatalf("error %v: no such contact = %v, want %v", err, noSuch, tt.wantNoSuchIt)
			}
			if tt.wantNoSuchIt && !errors.Is(err, domain.ErrPrecondition) {
				t.Errorf("error %v does not wrap ErrPrecondition", err)
			}
			if got != tt.want {
				t.Errorf("ContactValue = %q, want %q", got, tt.want)
			}
			// Errors are logged: they must never carry a contact detail.
			if err != nil {
				for _, secret := range append(slices.Clone(tt.customer.Phones), tt.customer.WeChatID, tt.customer.Email) {
					if secret != "" && strings.Contains(err.Error(), secret) {
						t.Errorf("error %q contains the contact %q", err, secret)
					}
				}
			}
		})
	}
}

func TestRevealAllowance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		allowance     domain.RevealAllowance
		wantExhausted bool
		wantLeft      int
	}{
		{name: "none used", allowance: domain.RevealAllowance{Quota: 20}, wantLeft: 20},
		{name: "one left", allowance: domain.RevealAllowance{Quota: 2, Revealed: 1}, wantLeft: 1},
		{name: "all used", allowance: domain.RevealAllowance{Quota: 2, Revealed: 2}, wantExhausted: true},
		{name: "quota lowered below use", allowance: domain.RevealAllowance{Quota: 2, Revealed: 5}, wantExhausted: true},
		{name: "no quota (admin default)", allowance: domain.RevealAllowance{}, wantExhausted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.allowance.Check()
			if got := errors.Is(err, domain.ErrQuotaExhausted); got != tt.wantExhausted {
				t.Errorf("Check() = %v, want exhausted %v", err, tt.wantExhausted)
			}
			if got := tt.allowance.Left(); got != tt.wantLeft {
				t.Errorf("Left() = %d, want %d", got, tt.wantLeft)
			}
		})
	}
}
