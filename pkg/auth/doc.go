// Package auth answers "who is calling, for which tenant, with which roles"
// for every Holdfast service.
//
// Callers present an Ed25519-signed JWT (see Issuer and Verifier); the gRPC
// interceptors verify it once at the edge and put the resulting Principal in
// the request context, where handlers check it with Require. Tenant and
// subject are restricted to characters that are safe as NATS subject tokens,
// so downstream code can build subjects from a Principal without escaping.
package auth
