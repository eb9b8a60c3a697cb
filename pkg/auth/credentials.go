package auth

import (
	"context"

	"google.golang.org/grpc/credentials"
)

// BearerToken returns per-RPC credentials that send token as
// "authorization: Bearer <token>" on every call.
//
// WARNING: they do not require transport security, because the dev stack
// talks plaintext over loopback; anywhere else the token would cross the
// network in the clear, so pair them with TLS transport credentials.
func BearerToken(token string) credentials.PerRPCCredentials {
	return bearerToken{token: token}
}

type bearerToken struct {
	token string
}

func (b bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{authorizationKey: "Bearer " + b.token}, nil
}

func (bearerToken) RequireTransportSecurity() bool { return false }
