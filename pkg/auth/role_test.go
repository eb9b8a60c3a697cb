package auth

import (
	"errors"
	"testing"
)

func TestParseRole(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		in      string
		want    Role
		wantErr error
	}{
		{name: "sales", in: "sales", want: RoleSales},
		{name: "senior sales", in: "senior_sales", want: RoleSeniorSales},
		{name: "manager", in: "manager", want: RoleManager},
		{name: "hr", in: "hr", want: RoleHR},
		{name: "auditor", in: "auditor", want: RoleAuditor},
		{name: "admin", in: "admin", want: RoleAdmin},
		{name: "service", in: "service", want: RoleService},
		{name: "empty", in: "", wantErr: ErrUnknownRole},
		{name: "wrong case", in: "Admin", wantErr: ErrUnknownRole},
		{name: "padded", in: " hr", wantErr: ErrUnknownRole},
		{name: "made up", in: "superuser", wantErr: ErrUnknownRole},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRole(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("ParseRole(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseRole(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPrincipalHasAny(t *testing.T) {
	t.Parallel()

	p := Principal{Tenant: "acme", Subject: "e-1", Roles: []Role{RoleSales, RoleManager}}
	cases := []struct {
		name  string
		p     Principal
		roles []Role
		want  bool
	}{
		{name: "one of one matches", p: p, roles: []Role{RoleManager}, want: true},
		{name: "second of two matches", p: p, roles: []Role{RoleHR, RoleSales}, want: true},
		{name: "none match", p: p, roles: []Role{RoleHR, RoleAuditor}, want: false},
		{name: "no roles asked", p: p, roles: nil, want: false},
		{name: "principal without roles", p: Principal{}, roles: []Role{RoleSales}, want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.p.HasAny(tc.roles...); got != tc.want {
				t.Errorf("HasAny(%v) = %v, want %v", tc.roles, got, tc.want)
			}
		})
	}
}
