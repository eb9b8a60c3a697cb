package auth

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestFromContext(t *testing.T) {
	t.Parallel()

	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("FromContext(empty) reported a principal")
	}
	want := Principal{Tenant: "acme", Subject: "e-1", Roles: []Role{RoleHR}}
	got, ok := FromContext(NewContext(context.Background(), want))
	if !ok {
		t.Fatal("FromContext(NewContext(p)) reported no principal")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("principal mismatch (-want, +got):\n%s", diff)
	}
}

func TestRequire(t *testing.T) {
	t.Parallel()

	hr := Principal{Tenant: "acme", Subject: "e-7", Roles: []Role{RoleHR}}
	sales := Principal{Tenant: "acme", Subject: "e-8", Roles: []Role{RoleSales}}
	cases := []struct {
		name        string
		ctx         context.Context
		roles       []Role
		wantCode    codes.Code
		wantMessage string
		want        Principal
	}{
		{
			name:  "holds a required role",
			ctx:   NewContext(context.Background(), hr),
			roles: []Role{RoleHR, RoleAuditor},
			want:  hr,
		},
		{
			name:        "lacks every required role",
			ctx:         NewContext(context.Background(), sales),
			roles:       []Role{RoleHR, RoleAuditor},
			wantCode:    codes.PermissionDenied,
			wantMessage: "requires one of: hr, auditor",
		},
		{
			name:        "no roles required refuses everyone",
			ctx:         NewContext(context.Background(), hr),
			wantCode:    codes.PermissionDenied,
			wantMessage: "no role may call this method",
		},
		{
			name:        "no principal",
			ctx:         context.Background(),
			roles:       []Role{RoleSales},
			wantCode:    codes.Unauthenticated,
			wantMessage: "no authenticated principal",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Require(tc.ctx, tc.roles...)
			st := status.Convert(err)
			if st.Code() != tc.wantCode || (err != nil && st.Message() != tc.wantMessage) {
				t.Fatalf("Require() error = %v, want code %v message %q", err, tc.wantCode, tc.wantMessage)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("principal mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}
