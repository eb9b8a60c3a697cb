package auth

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Methods served by startAuthServer. Whoami and HROnly are unary and so go
// through the unary interceptor; any other method reaches the unknown-service
// handler through the stream interceptor.
const (
	whoamiMethod = "/holdfast.auth.test.Probe/Whoami"
	hrOnlyMethod = "/holdfast.auth.test.Probe/HROnly"
	streamMethod = "/holdfast.auth.test.Unregistered/Whoami"
)

// replySubject answers with the subject of the Principal the interceptor put
// in ctx, so tests can see exactly who the handler thinks is calling.
func replySubject(ctx context.Context, roles ...Role) (*wrapperspb.StringValue, error) {
	if len(roles) > 0 {
		p, err := Require(ctx, roles...)
		if err != nil {
			return nil, err
		}
		return wrapperspb.String(p.Subject), nil
	}
	p, ok := FromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Internal, "handler reached without a principal")
	}
	return wrapperspb.String(p.Subject), nil
}

func unaryProbe(fullMethod string, roles ...Role) func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
	return func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		handler := func(ctx context.Context, _ any) (any, error) { return replySubject(ctx, roles...) }
		if interceptor == nil {
			return handler(ctx, in)
		}
		return interceptor(ctx, in, &grpc.UnaryServerInfo{FullMethod: fullMethod}, handler)
	}
}

var probeServiceDesc = grpc.ServiceDesc{
	ServiceName: "holdfast.auth.test.Probe",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Whoami", Handler: unaryProbe(whoamiMethod)},
		{MethodName: "HROnly", Handler: unaryProbe(hrOnlyMethod, RoleHR, RoleAuditor)},
	},
}

// startAuthServer serves the health service, the probe service and an
// unknown-service handler behind both interceptors on a loopback port, and
// returns a client connection to it.
func startAuthServer(t *testing.T, v *Verifier) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(
		grpc.UnaryInterceptor(UnaryServerInterceptor(v)),
		grpc.StreamInterceptor(StreamServerInterceptor(v)),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			reply, err := replySubject(stream.Context())
			if err != nil {
				return err
			}
			return stream.SendMsg(reply)
		}),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	srv.RegisterService(&probeServiceDesc, struct{}{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// callUnary calls method with the given outgoing authorization values (none
// when empty) and returns the subject the handler saw.
func callUnary(t *testing.T, conn *grpc.ClientConn, method string, authorization ...string) (string, error) {
	t.Helper()
	ctx := callCtx(t)
	for _, a := range authorization {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	var out wrapperspb.StringValue
	err := conn.Invoke(ctx, method, &emptypb.Empty{}, &out)
	return out.GetValue(), err
}

// callStream opens a stream to a method only the unknown-service handler
// serves and returns the subject the handler saw.
func callStream(t *testing.T, conn *grpc.ClientConn, authorization ...string) (string, error) {
	t.Helper()
	ctx := callCtx(t)
	for _, a := range authorization {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, streamMethod)
	if err != nil {
		return "", err
	}
	if err := stream.SendMsg(&emptypb.Empty{}); err != nil {
		return "", err
	}
	if err := stream.CloseSend(); err != nil {
		return "", err
	}
	var out wrapperspb.StringValue
	if err := stream.RecvMsg(&out); err != nil {
		return "", err
	}
	return out.GetValue(), nil
}

func TestInterceptors(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	now := time.Now()
	issuer := newTestIssuer(keys.priv, now)
	conn := startAuthServer(t, NewVerifier(keys.pub, fixedClock(now)))

	sales, err := issuer.Issue(Principal{Tenant: "acme", Subject: "e-sales", Roles: []Role{RoleSales}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := issuer.Issue(Principal{Tenant: "acme", Subject: "e-audit", Roles: []Role{RoleAuditor}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := newTestIssuer(keys.other, now).Issue(Principal{Tenant: "acme", Subject: "e-forged", Roles: []Role{RoleAdmin}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := newTestIssuer(keys.priv, now.Add(-2*time.Hour)).Issue(Principal{Tenant: "acme", Subject: "e-old", Roles: []Role{RoleSales}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	calls := map[string]func(*testing.T, ...string) (string, error){
		"unary": func(t *testing.T, a ...string) (string, error) { return callUnary(t, conn, whoamiMethod, a...) },
		"stream": func(t *testing.T, a ...string) (string, error) {
			return callStream(t, conn, a...)
		},
	}
	cases := []struct {
		name          string
		authorization []string
		wantCode      codes.Code
		wantMessage   string // substring of the status message
		wantSubject   string
	}{
		{name: "valid token", authorization: []string{"Bearer " + sales}, wantSubject: "e-sales"},
		{name: "lowercase scheme", authorization: []string{"bearer " + auditor}, wantSubject: "e-audit"},
		{name: "no token", wantCode: codes.Unauthenticated, wantMessage: "missing authorization metadata"},
		{name: "not bearer", authorization: []string{"Basic " + sales}, wantCode: codes.Unauthenticated, wantMessage: `must be "Bearer <token>"`},
		{name: "scheme without token", authorization: []string{"Bearer "}, wantCode: codes.Unauthenticated, wantMessage: "bearer token is empty"},
		{name: "bare token", authorization: []string{sales}, wantCode: codes.Unauthenticated, wantMessage: `must be "Bearer <token>"`},
		{name: "two tokens", authorization: []string{"Bearer " + sales, "Bearer " + auditor}, wantCode: codes.Unauthenticated, wantMessage: "more than one"},
		{name: "garbage token", authorization: []string{"Bearer not.a.jwt"}, wantCode: codes.Unauthenticated, wantMessage: "invalid bearer token: malformed"},
		{name: "forged token", authorization: []string{"Bearer " + forged}, wantCode: codes.Unauthenticated, wantMessage: "invalid bearer token: bad signature"},
		{name: "expired token", authorization: []string{"Bearer " + expired}, wantCode: codes.Unauthenticated, wantMessage: "invalid bearer token: expired"},
	}
	for kind, call := range calls {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				got, err := call(t, tc.authorization...)
				st := status.Convert(err)
				if st.Code() != tc.wantCode || !strings.Contains(st.Message(), tc.wantMessage) {
					t.Fatalf("call error = %v, want code %v with message containing %q", err, tc.wantCode, tc.wantMessage)
				}
				for _, a := range tc.authorization {
					if _, token, _ := strings.Cut(a, " "); len(token) > 8 && strings.Contains(st.Message(), token) {
						t.Errorf("status message echoes the token: %q", st.Message())
					}
				}
				if got != tc.wantSubject {
					t.Errorf("handler saw subject %q, want %q", got, tc.wantSubject)
				}
			})
		}
	}
}

func TestInterceptorsLetHealthThroughWithoutToken(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	conn := startAuthServer(t, NewVerifier(keys.pub))
	client := healthpb.NewHealthClient(conn)

	cases := []struct {
		name string
		call func(ctx context.Context) (healthpb.HealthCheckResponse_ServingStatus, error)
	}{
		{name: "unary Check", call: func(ctx context.Context) (healthpb.HealthCheckResponse_ServingStatus, error) {
			resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
			return resp.GetStatus(), err
		}},
		{name: "streaming Watch", call: func(ctx context.Context) (healthpb.HealthCheckResponse_ServingStatus, error) {
			stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
			if err != nil {
				return 0, err
			}
			resp, err := stream.Recv()
			return resp.GetStatus(), err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := tc.call(ctx)
			if err != nil {
				t.Fatalf("health %s without a token: %v", tc.name, err)
			}
			if got != healthpb.HealthCheckResponse_SERVING {
				t.Errorf("health status = %v, want SERVING", got)
			}
		})
	}
}

func TestRequireBehindInterceptor(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	now := time.Now()
	issuer := newTestIssuer(keys.priv, now)
	conn := startAuthServer(t, NewVerifier(keys.pub, fixedClock(now)))

	cases := []struct {
		name        string
		roles       []Role
		wantCode    codes.Code
		wantMessage string
		wantSubject string
	}{
		{name: "auditor allowed", roles: []Role{RoleAuditor}, wantSubject: "e-1"},
		{name: "hr among others allowed", roles: []Role{RoleSales, RoleHR}, wantSubject: "e-1"},
		{name: "sales refused", roles: []Role{RoleSales, RoleManager}, wantCode: codes.PermissionDenied, wantMessage: "requires one of: hr, auditor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			token, err := issuer.Issue(Principal{Tenant: "acme", Subject: "e-1", Roles: tc.roles}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			var out wrapperspb.StringValue
			err = conn.Invoke(callCtx(t), hrOnlyMethod, &emptypb.Empty{}, &out, grpc.PerRPCCredentials(BearerToken(token)))
			st := status.Convert(err)
			if st.Code() != tc.wantCode || (err != nil && st.Message() != tc.wantMessage) {
				t.Fatalf("HROnly error = %v, want code %v message %q", err, tc.wantCode, tc.wantMessage)
			}
			if got := out.GetValue(); got != tc.wantSubject {
				t.Errorf("handler saw subject %q, want %q", got, tc.wantSubject)
			}
		})
	}
}
