package sim

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestWithRetry(t *testing.T) {
	t.Parallel()
	d := NewDriver(Conns{}, nil, nil, "sim", 1)
	cases := []struct {
		name      string
		act       Act
		errs      []codes.Code // answers in turn; the last repeats
		wantCalls int
		wantCode  codes.Code
	}{
		{name: "unavailable then ok", act: Act{Kind: KindReveal}, errs: []codes.Code{codes.Unavailable, codes.Aborted, codes.OK}, wantCalls: 3},
		{name: "invalid argument is final", act: Act{Kind: KindReveal}, errs: []codes.Code{codes.InvalidArgument}, wantCalls: 1, wantCode: codes.InvalidArgument},
		{name: "precondition is final for a local act", act: Act{Kind: KindReveal}, errs: []codes.Code{codes.FailedPrecondition}, wantCalls: 1, wantCode: codes.FailedPrecondition},
		{name: "precondition waits for projection across services", act: Act{Kind: KindOrderCreate}, errs: []codes.Code{codes.FailedPrecondition, codes.NotFound, codes.OK}, wantCalls: 3},
		{name: "an expected refusal is not retried", act: Act{Kind: KindOrderCreate, Refused: true}, errs: []codes.Code{codes.FailedPrecondition}, wantCalls: 1, wantCode: codes.FailedPrecondition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := d.withRetry(context.Background(), tc.act, func(context.Context) error {
				c := tc.errs[min(calls, len(tc.errs)-1)]
				calls++
				if c == codes.OK {
					return nil
				}
				return status.Error(c, "test")
			})
			if calls != tc.wantCalls || status.Code(err) != tc.wantCode {
				t.Errorf("calls = %d, code = %v; want %d, %v", calls, status.Code(err), tc.wantCalls, tc.wantCode)
			}
		})
	}
}

func TestLoadConfigCheck(t *testing.T) {
	t.Parallel()
	good := LoadConfig{Tenant: "load", Employees: 10, Rate: 50, Duration: time.Second, SampleEvery: 10}
	if err := good.Check(); err != nil {
		t.Fatalf("a good config was refused: %v", err)
	}
	for name, mutate := range map[string]func(*LoadConfig){
		"no tenant":      func(c *LoadConfig) { c.Tenant = "" },
		"no employees":   func(c *LoadConfig) { c.Employees = 0 },
		"zero rate":      func(c *LoadConfig) { c.Rate = 0 },
		"no duration":    func(c *LoadConfig) { c.Duration = 0 },
		"no sample rate": func(c *LoadConfig) { c.SampleEvery = 0 },
	} {
		c := good
		mutate(&c)
		if err := c.Check(); err == nil {
			t.Errorf("%s: Check accepted %+v", name, c)
		}
	}
}
