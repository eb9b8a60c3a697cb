package auth

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// authorizationKey is the metadata key carrying "Bearer <token>"; gRPC
// lowercases metadata keys.
const authorizationKey = "authorization"

// publicMethodPrefixes are let through without a token: load balancers and
// orchestrators probe health anonymously, and reflection exposes only the
// schema.
var publicMethodPrefixes = []string{
	"/grpc.health.v1.Health/",
	"/grpc.reflection.",
}

// UnaryServerInterceptor verifies the caller's bearer token with v and puts
// the resulting Principal in the handler's context. Calls without a valid
// token fail with codes.Unauthenticated.
func UnaryServerInterceptor(v *Verifier) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if isPublicMethod(info.FullMethod) {
			return handler(ctx, req)
		}
		ctx, err := authenticate(ctx, v)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming calls; the
// Principal is in the context returned by the stream's Context method.
func StreamServerInterceptor(v *Verifier) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if isPublicMethod(info.FullMethod) {
			return handler(srv, ss)
		}
		ctx, err := authenticate(ss.Context(), v)
		if err != nil {
			return err
		}
		return handler(srv, &authenticatedStream{ServerStream: ss, ctx: ctx})
	}
}

func isPublicMethod(fullMethod string) bool {
	for _, prefix := range publicMethodPrefixes {
		if strings.HasPrefix(fullMethod, prefix) {
			return true
		}
	}
	return false
}

// authenticate returns ctx carrying the verified Principal, or an
// Unauthenticated status whose message says what is wrong without quoting
// the credentials.
func authenticate(ctx context.Context, v *Verifier) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get(authorizationKey)
	switch len(values) {
	case 0:
		return nil, status.Error(codes.Unauthenticated, "missing authorization metadata")
	case 1:
	default:
		return nil, status.Error(codes.Unauthenticated, "more than one authorization metadata value")
	}
	scheme, token, found := strings.Cut(values[0], " ")
	// RFC 7235 makes the scheme name case-insensitive.
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return nil, status.Error(codes.Unauthenticated, `authorization metadata must be "Bearer <token>"`)
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, status.Error(codes.Unauthenticated, "bearer token is empty")
	}
	p, err := v.Verify(token)
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, "invalid bearer token: "+clientReason(err))
	}
	return acceptEventTime(NewContext(ctx, p), md, p, v.backfill, v.now())
}

// clientReason returns the part of a Verify error that is safe to send back.
func clientReason(err error) string {
	if ve, ok := errors.AsType[*verificationError](err); ok {
		return ve.reason
	}
	return "verification failed"
}

// authenticatedStream overrides Context so streaming handlers see the
// Principal just like unary ones.
type authenticatedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *authenticatedStream) Context() context.Context { return s.ctx }
