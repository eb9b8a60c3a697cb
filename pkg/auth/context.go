package auth

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// principalKey is unexported so only this package can put a Principal in a
// context: anything found there has been verified.
type principalKey struct{}

// NewContext returns a copy of ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the Principal carried by ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Require returns the caller's Principal if it holds any of roles. Otherwise
// it returns a gRPC status error: codes.Unauthenticated when ctx carries no
// principal, codes.PermissionDenied naming the roles needed when it does.
// Calling Require with no roles refuses everyone, so a forgotten argument
// fails closed.
func Require(ctx context.Context, roles ...Role) (Principal, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return Principal{}, status.Error(codes.Unauthenticated, "no authenticated principal")
	}
	if !p.HasAny(roles...) {
		return Principal{}, status.Error(codes.PermissionDenied, permissionDeniedMessage(roles))
	}
	return p, nil
}

func permissionDeniedMessage(roles []Role) string {
	if len(roles) == 0 {
		return "no role may call this method"
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return fmt.Sprintf("requires one of: %s", strings.Join(names, ", "))
}
