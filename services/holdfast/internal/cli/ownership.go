package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/google/uuid"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// customerFlags are the flags every single-customer command shares.
type customerFlags struct {
	id        identity
	addr      *string
	customer  *string
	requestID *string
}

func newCustomerFlags(name string, env Env) (*flag.FlagSet, *customerFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cf := &customerFlags{}
	cf.id.register(fs, env)
	cf.addr = fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	cf.customer = fs.String("customer", "", "customer id")
	cf.requestID = fs.String("request-id", "", "idempotency key (default: a new UUID)")
	return fs, cf
}

// run parses args, connects, and calls fn with a ClientService client and
// the request id to use.
func (cf *customerFlags) run(ctx context.Context, fs *flag.FlagSet, args []string,
	fn func(context.Context, clientv1.ClientServiceClient, string) error,
) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *cf.customer == "" {
		return fmt.Errorf("%w: --customer ID is required", ErrUsage)
	}
	if *cf.requestID == "" {
		*cf.requestID = uuid.NewString()
	}
	conn, err := cf.id.connect(*cf.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	return fn(ctx, clientv1.NewClientServiceClient(conn), *cf.requestID)
}

func printOwner(env Env, verb string, c *clientv1.Customer, seq uint64) {
	holder := c.GetOwnerEmployeeId()
	if holder == "" {
		holder = "the shared pool"
	}
	fmt.Fprintf(env.Stdout, "customer %s %s: now held by %s (CLIENT sequence %d)\n", c.GetCustomerId(), verb, holder, seq)
}

var pastTense = map[string]string{"assign": "assigned", "reassign": "reassigned", "release": "released", "claim": "claimed"}

// ChangeOwner implements `holdfast customer assign|reassign|release|claim`.
func ChangeOwner(ctx context.Context, env Env, verb string, args []string) error {
	fs, cf := newCustomerFlags("customer "+verb, env)
	to := fs.String("to", "", "employee id to give the customer to (assign, reassign)")
	reason := fs.String("reason", "", "why (assign, reassign, release)")
	return cf.run(ctx, fs, args, func(ctx context.Context, c clientv1.ClientServiceClient, rid string) error {
		var (
			cust  *clientv1.Customer
			seq   uint64
			err   error
			after string
		)
		switch verb {
		case "assign":
			var r *clientv1.AssignCustomerResponse
			r, err = c.AssignCustomer(ctx, &clientv1.AssignCustomerRequest{RequestId: rid, CustomerId: *cf.customer, EmployeeId: *to, Reason: *reason})
			cust, seq = r.GetCustomer(), r.GetSequence()
		case "reassign":
			var r *clientv1.ReassignCustomerResponse
			r, err = c.ReassignCustomer(ctx, &clientv1.ReassignCustomerRequest{RequestId: rid, CustomerId: *cf.customer, EmployeeId: *to, Reason: *reason})
			cust, seq = r.GetCustomer(), r.GetSequence()
		case "release":
			var r *clientv1.ReleaseCustomerResponse
			r, err = c.ReleaseCustomer(ctx, &clientv1.ReleaseCustomerRequest{RequestId: rid, CustomerId: *cf.customer, Reason: *reason})
			cust, seq = r.GetCustomer(), r.GetSequence()
		case "claim":
			var r *clientv1.ClaimCustomerResponse
			r, err = c.ClaimCustomer(ctx, &clientv1.ClaimCustomerRequest{RequestId: rid, CustomerId: *cf.customer})
			cust, seq = r.GetCustomer(), r.GetSequence()
			after = fmt.Sprintf("  %d claims left today\n", r.GetClaimsLeftToday())
		default:
			return fmt.Errorf("%w: unknown ownership command %q", ErrUsage, verb)
		}
		if err != nil {
			return err
		}
		printOwner(env, pastTense[verb], cust, seq)
		fmt.Fprint(env.Stdout, after)
		return nil
	})
}

// RevealContact implements `holdfast customer reveal`.
func RevealContact(ctx context.Context, env Env, args []string) error {
	fs, cf := newCustomerFlags("customer reveal", env)
	field := fs.String("field", "phone", "phone, wechat_id or email")
	index := fs.Int("index", 0, "which phone number (0-based)")
	reason := fs.String("reason", "", "why you need it (recorded)")
	return cf.run(ctx, fs, args, func(ctx context.Context, c clientv1.ClientServiceClient, rid string) error {
		f, ok := clientv1.ContactField_value["CONTACT_FIELD_"+strings.ToUpper(*field)]
		if !ok || *field == "" {
			return fmt.Errorf("%w: --field must be phone, wechat_id or email", ErrUsage)
		}
		r, err := c.RevealContact(ctx, &clientv1.RevealContactRequest{
			RequestId: rid, CustomerId: *cf.customer, Field: clientv1.ContactField(f), Index: int32(*index), Reason: *reason,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s\n  (recorded at CLIENT sequence %d; %d reveals left today)\n", r.GetValue(), r.GetSequence(), r.GetRevealsLeftToday())
		return nil
	})
}
