package auth

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const eventTimeMethod = "/holdfast.auth.test.Clock/Now"

// clockServiceDesc answers with the command time the handler would use:
// EventClock over a wall clock that is never the event time under test.
func clockServiceDesc(wall time.Time) *grpc.ServiceDesc {
	clock := EventClock(func() time.Time { return wall })
	return &grpc.ServiceDesc{
		ServiceName: "holdfast.auth.test.Clock",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Now",
			Handler: func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
				in := new(emptypb.Empty)
				if err := dec(in); err != nil {
					return nil, err
				}
				handler := func(ctx context.Context, _ any) (any, error) {
					return wrapperspb.String(clock(ctx).Format(time.RFC3339Nano)), nil
				}
				return interceptor(ctx, in, &grpc.UnaryServerInfo{FullMethod: eventTimeMethod}, handler)
			},
		}},
	}
}

func startClockServer(t *testing.T, v *Verifier, wall time.Time) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(UnaryServerInterceptor(v)))
	srv.RegisterService(clockServiceDesc(wall), struct{}{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestEventTimeHeader(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	issuer := newTestIssuer(keys.priv, now)
	conn := startClockServer(t, NewVerifier(keys.pub, fixedClock(now), WithBackfill(true)), now)
	// A deployment that does not allow backfill refuses the header even
	// with the grant.
	closed := startClockServer(t, NewVerifier(keys.pub, fixedClock(now)), now)

	backfill, err := issuer.Issue(Principal{Tenant: "sim", Subject: "e-1", Roles: []Role{RoleSales}, Backfill: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := issuer.Issue(Principal{Tenant: "sim", Subject: "e-1", Roles: []Role{RoleAdmin}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		token    string
		headers  []string
		wantCode codes.Code
		want     string // the handler's "now" when the call succeeds
	}{
		{name: "no header keeps the wall clock", token: backfill, want: "2026-11-23T02:00:00Z"},
		{name: "past time with grant", token: backfill, headers: []string{"2026-08-01T09:30:00+08:00"}, want: "2026-08-01T01:30:00Z"},
		{name: "fractional seconds", token: backfill, headers: []string{"2026-08-01T01:30:00.25Z"}, want: "2026-08-01T01:30:00.25Z"},
		{name: "within clock leeway", token: backfill, headers: []string{"2026-11-23T02:00:10Z"}, want: "2026-11-23T02:00:10Z"},
		{name: "no grant", token: plain, headers: []string{"2026-08-01T09:30:00Z"}, wantCode: codes.PermissionDenied},
		{name: "future", token: backfill, headers: []string{"2026-11-24T00:00:00Z"}, wantCode: codes.InvalidArgument},
		{name: "unparsable", token: backfill, headers: []string{"yesterday"}, wantCode: codes.InvalidArgument},
		{name: "no zone", token: backfill, headers: []string{"2026-08-01T09:30:00"}, wantCode: codes.InvalidArgument},
		{name: "empty", token: backfill, headers: []string{""}, wantCode: codes.InvalidArgument},
		{name: "two values", token: backfill, headers: []string{"2026-08-01T09:30:00Z", "2026-08-02T09:30:00Z"}, wantCode: codes.InvalidArgument},
		{name: "before epoch", token: backfill, headers: []string{"1969-12-31T23:59:59Z"}, wantCode: codes.InvalidArgument},
	}
	{
		ctx := metadata.AppendToOutgoingContext(callCtx(t), EventTimeHeader, "2026-08-01T09:30:00Z")
		var out wrapperspb.StringValue
		err := closed.Invoke(ctx, eventTimeMethod, &emptypb.Empty{}, &out, grpc.PerRPCCredentials(BearerToken(backfill)))
		if status.Code(err) != codes.PermissionDenied {
			t.Errorf("backdating where backfill is off: %v, want PermissionDenied", err)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := callCtx(t)
			for _, h := range tc.headers {
				ctx = metadata.AppendToOutgoingContext(ctx, EventTimeHeader, h)
			}
			var out wrapperspb.StringValue
			err := conn.Invoke(ctx, eventTimeMethod, &emptypb.Empty{}, &out, grpc.PerRPCCredentials(BearerToken(tc.token)))
			st := status.Convert(err)
			if st.Code() != tc.wantCode {
				t.Fatalf("code = %v (%v), want %v", st.Code(), err, tc.wantCode)
			}
			if tc.wantCode == codes.InvalidArgument {
				var fields []string
				for _, d := range st.Details() {
					if br, ok := d.(*errdetails.BadRequest); ok {
						for _, v := range br.GetFieldViolations() {
							fields = append(fields, v.GetField())
						}
					}
				}
				if len(fields) != 1 || fields[0] != EventTimeHeader {
					t.Errorf("field violations = %v, want one on %s", fields, EventTimeHeader)
				}
			}
			if err == nil && out.GetValue() != tc.want {
				t.Errorf("handler's now = %s, want %s", out.GetValue(), tc.want)
			}
		})
	}
}

func TestOutgoingEventTimeRoundTrips(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	now := time.Now()
	conn := startClockServer(t, NewVerifier(keys.pub, fixedClock(now), WithBackfill(true)), now)
	token, err := newTestIssuer(keys.priv, now).Issue(Principal{Tenant: "sim", Subject: "e-1", Roles: []Role{RoleService}, Backfill: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	var out wrapperspb.StringValue
	if err := conn.Invoke(OutgoingEventTime(callCtx(t), at), eventTimeMethod, &emptypb.Empty{}, &out, grpc.PerRPCCredentials(BearerToken(token))); err != nil {
		t.Fatal(err)
	}
	if got, want := out.GetValue(), at.UTC().Format(time.RFC3339Nano); got != want {
		t.Errorf("handler's now = %s, want %s", got, want)
	}
}

var fixedEventTimeErrors = map[string]bool{
	"bad event time: empty":                                                  true,
	"bad event time: longer than 64 bytes":                                   true,
	"bad event time: before 1970":                                            true,
	"bad event time: not an RFC 3339 time such as 2026-03-01T09:30:00+08:00": true,
}

// FuzzParseEventTime checks that the header parser never panics, only
// returns ErrBadEventTime errors whose message does not quote the input, and
// that what it accepts is a UTC time that formats back to the same instant.
func FuzzParseEventTime(f *testing.F) {
	for _, s := range []string{
		"2026-08-01T09:30:00Z", "2026-08-01T09:30:00+08:00", "2026-08-01T09:30:00.123456789-05:00",
		"", "yesterday", "2026-08-01", "2026-13-01T00:00:00Z", "1969-12-31T23:59:59Z",
		"9999-12-31T23:59:59Z", "2026-08-01T09:30:00+24:00", strings.Repeat("9", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseEventTime(s)
		if err != nil {
			if !errors.Is(err, ErrBadEventTime) {
				t.Fatalf("error %v does not wrap ErrBadEventTime", err)
			}
			// Every message is one of a fixed few, so none can quote input.
			if !fixedEventTimeErrors[err.Error()] {
				t.Fatalf("error %q is not one of the fixed messages", err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseEventTime(%q) location = %v, want UTC", s, got.Location())
		}
		again, err := ParseEventTime(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}
