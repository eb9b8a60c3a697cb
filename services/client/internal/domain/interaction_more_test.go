package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestNormalizeInteractionCounterparty(t *testing.T) {
	t.Parallel()
	call := domain.Interaction{
		Kind:       domain.KindCall,
		Direction:  domain.DirectionOutbound,
		Duration:   4 * time.Minute,
		OccurredAt: testNow.Add(-time.Hour),
	}
	with := func(customer, counterparty string) domain.Interaction {
		in := call
		in.CustomerID, in.Counterparty = customer, counterparty
		return in
	}
	tests := []struct {
		name             string
		in               domain.Interaction
		wantCounterparty string
		wantFields       []string
	}{
		{name: "mobile with spaces", in: with("", "138 0013 8000"), wantCounterparty: "+8613800138000"},
		{name: "mobile with 0086 and dashes", in: with("", " 0086 138-0013-8000 "), wantCounterparty: "+8613800138000"},
		{name: "full-width digits", in: with("", "１３８００１３８０００"), wantCounterparty: "+8613800138000"},
		{name: "landline with trunk prefix", in: with("", "(010) 6552 9988"), wantCounterparty: "+861065529988"},
		{name: "foreign number", in: with("", "+1 415 555 2671"), wantCounterparty: "+14155552671"},
		{name: "WeChat id is lower-cased", in: with("", "Wx_Chen_88"), wantCounterparty: "wx_chen_88"},
		{name: "WeChat id with a dash, trimmed", in: with("", "  chen-li2024 "), wantCounterparty: "chen-li2024"},
		{name: "customer alone", in: with("c-1", ""), wantCounterparty: ""},
		{name: "blank counterparty is none", in: with("c-1", "   "), wantCounterparty: ""},
		{name: "both customer and counterparty", in: with("c-1", "13800138000"), wantFields: []string{"counterparty_contact", "customer_id"}},
		{name: "neither customer nor counterparty", in: with("", ""), wantFields: []string{"customer_id"}},
		{name: "WeChat id too short", in: with("", "wx_ab"), wantFields: []string{"counterparty_contact"}},
		{name: "WeChat id too long", in: with("", "wx_abcdefghijklmnopqr"), wantFields: []string{"counterparty_contact"}},
		{name: "WeChat id with a dot", in: with("", "wx.chen88"), wantFields: []string{"counterparty_contact"}},
		{name: "too few digits", in: with("", "1234"), wantFields: []string{"counterparty_contact"}},
		{name: "an e-mail is not a counterparty", in: with("", "chen@example.com"), wantFields: []string{"counterparty_contact"}},
		{name: "Chinese name", in: with("", "陈先生"), wantFields: []string{"counterparty_contact"}},
		{
			name: "bad counterparty reported with the other fields",
			in: func() domain.Interaction {
				in := with("", "???")
				in.Kind, in.Duration = domain.KindUnspecified, -time.Second
				return in
			}(),
			wantFields: []string{"counterparty_contact", "duration", "kind"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeInteraction(tt.in, testNow)
			if tt.wantFields != nil {
				if diff := cmp.Diff(tt.wantFields, violatedFields(t, err)); diff != "" {
					t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeInteraction: %v", err)
			}
			want := tt.in
			want.Counterparty = tt.wantCounterparty
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NormalizeInteraction mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestCounterpartyKeysAndMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		counterparty string
		wantKeys     domain.IdentityKeys
		wantMasked   string
	}{
		{"+8613800138000", domain.IdentityKeys{Phones: []string{"+8613800138000"}}, "138****8000"},
		{"+861065529988", domain.IdentityKeys{Phones: []string{"+861065529988"}}, "106***9988"},
		{"wx_chen_88", domain.IdentityKeys{WeChatID: "wx_chen_88"}, "wx_****"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.wantKeys, domain.CounterpartyKeys(tt.counterparty)); diff != "" {
			t.Errorf("CounterpartyKeys(%s) mismatch (-want, +got):\n%s", tt.counterparty, diff)
		}
		if got := domain.MaskCounterparty(tt.counterparty); got != tt.wantMasked {
			t.Errorf("MaskCounterparty(%s) = %q, want %q", tt.counterparty, got, tt.wantMasked)
		}
	}
	// A counterparty normalises to the key a customer registered with the
	// same contact has, so the registered-customer check finds it.
	c := domain.Customer{Phones: []string{"+8613800138000"}, WeChatID: "Wx_Chen_88"}
	for _, raw := range []string{"138 0013 8000", "WX_CHEN_88"} {
		n, err := domain.NormalizeCounterparty(raw)
		if err != nil {
			t.Fatalf("NormalizeCounterparty(%s): %v", raw, err)
		}
		if on := domain.CounterpartyKeys(n).Matches(c); len(on) != 1 {
			t.Errorf("counterparty %s matches the customer on %v, want one key", raw, on)
		}
	}
}

func TestInteractionPermissions(t *testing.T) {
	t.Parallel()
	as := func(id string, roles ...string) domain.Actor {
		return overseeing(domain.Actor{Tenant: "acme", EmployeeID: id, Roles: roles})
	}
	roles := []string{"sales", "senior_sales", "manager", "hr", "auditor", "admin", "service"}
	tests := []struct {
		name string
		can  func(domain.Actor) bool
		want map[string]bool // role → allowed, for an actor "x" about employee "e1"
	}{
		{
			name: "log with a counterparty",
			can:  domain.Actor.CanLogCounterparty,
			want: map[string]bool{"sales": true, "senior_sales": true, "manager": true},
		},
		{
			name: "log for another employee",
			can:  func(a domain.Actor) bool { return a.CanLogFor("e1") },
			want: map[string]bool{"admin": true, "service": true},
		},
		{
			name: "list another employee's interactions",
			can:  func(a domain.Actor) bool { return a.CanListInteractionsOf("e1") },
			want: map[string]bool{"senior_sales": true, "manager": true, "hr": true, "auditor": true, "admin": true},
		},
		{
			name: "see deleted interactions",
			can:  domain.Actor.CanSeeDeleted,
			want: map[string]bool{"hr": true, "auditor": true, "admin": true},
		},
	}
	for _, tt := range tests {
		for _, role := range roles {
			if got := tt.can(as("x", role)); got != tt.want[role] {
				t.Errorf("%s as %s = %v, want %v", tt.name, role, got, tt.want[role])
			}
		}
	}
	// Everyone logs and lists for themselves.
	if !as("e1", "sales").CanLogFor("e1") || !as("e1", "sales").CanListInteractionsOf("e1") {
		t.Error("sales e1 may not log or list for themselves")
	}
}

func TestCheckDeletion(t *testing.T) {
	t.Parallel()
	logged := domain.LoggedInteraction{Tenant: "acme", ID: "i-1", EmployeeID: "e1"}
	deleted := logged
	deleted.Deleted = true
	tests := []struct {
		name     string
		actor    domain.Actor
		li       domain.LoggedInteraction
		loggedBy string
		wantErr  error
	}{
		{name: "the employee who logged it", actor: domain.Actor{EmployeeID: "e1", Roles: []string{"sales"}}, li: logged},
		{name: "the employee, about a record a feed logged", actor: domain.Actor{EmployeeID: "e1", Roles: []string{"sales"}}, li: logged, loggedBy: "callcentre-feed", wantErr: domain.ErrPermissionDenied},
		{name: "a manager, about a record a feed logged", actor: overseeing(domain.Actor{EmployeeID: "m1", Roles: []string{"manager"}}), li: logged, loggedBy: "callcentre-feed"},
		{name: "a manager", actor: overseeing(domain.Actor{EmployeeID: "m1", Roles: []string{"manager"}}), li: logged},
		{name: "an admin", actor: domain.Actor{EmployeeID: "a1", Roles: []string{"admin"}}, li: logged},
		{name: "another salesperson", actor: domain.Actor{EmployeeID: "e2", Roles: []string{"sales"}}, li: logged, wantErr: domain.ErrPermissionDenied},
		{name: "senior sales", actor: domain.Actor{EmployeeID: "s1", Roles: []string{"senior_sales"}}, li: logged, wantErr: domain.ErrPermissionDenied},
		{name: "hr", actor: domain.Actor{EmployeeID: "h1", Roles: []string{"hr"}}, li: logged, wantErr: domain.ErrPermissionDenied},
		{name: "a feed", actor: domain.Actor{EmployeeID: "feed", Roles: []string{"service"}}, li: logged, wantErr: domain.ErrPermissionDenied},
		{name: "twice", actor: domain.Actor{EmployeeID: "e1", Roles: []string{"sales"}}, li: deleted, wantErr: domain.ErrPrecondition},
		{name: "another, after deletion, is still refused", actor: domain.Actor{EmployeeID: "e2", Roles: []string{"sales"}}, li: deleted, wantErr: domain.ErrPermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loggedBy := tt.loggedBy
			if loggedBy == "" {
				loggedBy = tt.li.EmployeeID
			}
			err := domain.CheckDeletion(tt.actor, tt.li, loggedBy)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("CheckDeletion = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
