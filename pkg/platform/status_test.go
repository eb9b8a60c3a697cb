package platform_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/platform"
)

func TestInvalidArgumentRoundTrip(t *testing.T) {
	t.Parallel()
	violations := []platform.FieldViolation{
		{Field: "customer.email", Description: "must contain @"},
		{Field: "customer.phone", Description: "required"},
	}
	const wantMessage = "invalid request: customer.email: must contain @; customer.phone: required"

	cases := []struct {
		name string
		// roundTrip returns the error a client sees for a handler
		// returning err.
		roundTrip func(t *testing.T, err error) error
	}{
		{
			name:      "in process",
			roundTrip: func(_ *testing.T, err error) error { return err },
		},
		{
			name: "over gRPC",
			roundTrip: func(t *testing.T, err error) error {
				ta := newTestApp(t, func(context.Context) error { return err }, nil)
				ta.start(t)
				return callProbe(callCtx(t), ta.conn, ta.hrToken)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.roundTrip(t, platform.InvalidArgument(violations))
			st := status.Convert(got)
			if st.Code() != codes.InvalidArgument || st.Message() != wantMessage {
				t.Errorf("status = %v %q, want InvalidArgument %q", st.Code(), st.Message(), wantMessage)
			}
			if diff := cmp.Diff(violations, platform.Violations(got)); diff != "" {
				t.Errorf("Violations mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestViolationsWithoutDetails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
	}{
		{name: "nil", err: nil},
		{name: "plain error", err: errors.New("boom")},
		{name: "status without details", err: status.Error(codes.InvalidArgument, "bad")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := platform.Violations(tc.err); got != nil {
				t.Errorf("Violations(%v) = %v, want nil", tc.err, got)
			}
		})
	}
}
