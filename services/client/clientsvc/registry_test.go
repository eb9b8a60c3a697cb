package clientsvc_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// customerHistory is a customer's events in CLIENT, oldest first.
func (e *testEnv) customerHistory(t *testing.T, tenant, id string) []eventlog.Record {
	t.Helper()
	agg, err := e.Log.Load(t.Context(), eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: id})
	if err != nil {
		t.Fatalf("load customer %s: %v", id, err)
	}
	return agg.Records
}

// payloadOf decodes a record's event.
func payloadOf(t *testing.T, rec eventlog.Record) proto.Message {
	t.Helper()
	msg, err := rec.Payload()
	if err != nil {
		t.Fatalf("payload of %s: %v", rec.Subject, err)
	}
	return msg
}

// wantNoPrivateData fails t if err's message names any of private.
func wantNoPrivateData(t *testing.T, err error, private ...string) {
	t.Helper()
	msg := status.Convert(err).Message()
	for _, p := range private {
		if strings.Contains(msg, p) {
			t.Errorf("message %q names %q", msg, p)
		}
	}
}

// testDuplicateRegistration is scenario S8's second half: a customer
// already held, registered again by another salesperson under a
// reformatted phone or company name.
func testDuplicateRegistration(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "dup"
	env.oneTeam(t, tenant, map[string]auth.Role{"s-owner": auth.RoleSales, "s-other": auth.RoleSales, "m-1": auth.RoleManager})
	owner := env.dial(t, svc, principal(tenant, "s-owner", auth.RoleSales))
	other := env.dial(t, svc, principal(tenant, "s-other", auth.RoleSales))
	manager := env.dial(t, svc, principal(tenant, "m-1", auth.RoleManager))
	messages := func() uint64 { return env.streamMessages(t, "client."+tenant+".>") }

	held, err := owner.RegisterCustomer(t.Context(), registerRequest("zhang", "张三", "13800138000"))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	heldID := held.GetCustomer().GetCustomerId()

	// The same phone written another way, under another name.
	again := registerRequest("zhang-again", "张先生", "+86 138-0013-8000")
	_, err = other.RegisterCustomer(t.Context(), again)
	wantCode(t, err, codes.FailedPrecondition)
	wantNoPrivateData(t, err, "s-owner", heldID, "138", "8000", "张")

	history := env.customerHistory(t, tenant, heldID)
	if len(history) != 2 {
		t.Fatalf("the held customer has %d events, want its registration and the attempt", len(history))
	}
	attempt := history[1]
	if want := "client." + tenant + ".customer." + heldID; attempt.Subject != want {
		t.Errorf("attempt subject = %q, want %q", attempt.Subject, want)
	}
	if got := attempt.Envelope.GetActorId(); got != "s-other" {
		t.Errorf("attempt actor_id = %q, want s-other", got)
	}
	wantAttempt := &clientv1.DuplicateRegistrationAttempted{
		CustomerId: heldID, AttemptedBy: "s-other", HolderId: "s-owner",
		MatchedOn: []string{"phone"}, AsWritten: []string{"+8613800138000"},
	}
	if diff := cmp.Diff(wantAttempt, payloadOf(t, attempt), protocmp.Transform()); diff != "" {
		t.Errorf("attempt mismatch (-want, +got):\n%s", diff)
	}

	// A retried refusal records nothing new.
	before := messages()
	_, err = other.RegisterCustomer(t.Context(), again)
	wantCode(t, err, codes.FailedPrecondition)
	if after := messages(); after != before {
		t.Errorf("a retried duplicate wrote %d events, want none", after-before)
	}

	// The holder registering their own customer again hears so, and that
	// is no evidence of anything.
	_, err = owner.RegisterCustomer(t.Context(), registerRequest("zhang-twice", "张三", "138 0013 8000"))
	wantCode(t, err, codes.AlreadyExists)
	if after := messages(); after != before {
		t.Errorf("the holder's own repeat wrote %d events, want none", after-before)
	}

	// A company registered without a person, its legal form in brackets.
	company := func(requestID, name, phone string) *clientv1.RegisterCustomerRequest {
		r := registerRequest(requestID, "", phone)
		r.CompanyName = name
		return r
	}
	xinghai, err := owner.RegisterCustomer(t.Context(), company("xinghai", "上海星海贸易有限公司", "13900139000"))
	if err != nil {
		t.Fatalf("RegisterCustomer of a company: %v", err)
	}
	_, err = other.RegisterCustomer(t.Context(), company("xinghai-again", "上海星海贸易(有限公司)", "13900139999"))
	wantCode(t, err, codes.FailedPrecondition)
	wantNoPrivateData(t, err, "s-owner", "星海", "139")
	history = env.customerHistory(t, tenant, xinghai.GetCustomer().GetCustomerId())
	if got := payloadOf(t, history[len(history)-1]).(*clientv1.DuplicateRegistrationAttempted).GetMatchedOn(); !cmp.Equal(got, []string{"company_name"}) {
		t.Errorf("matched_on = %v, want [company_name]", got)
	}
	// Two named people at one company are two customers.
	wang := company("wang", "北京某某科技有限公司", "13900139001")
	wang.PersonName = "王五"
	if _, err := owner.RegisterCustomer(t.Context(), wang); err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	li := company("li", "北京某某科技（有限公司）", "13900139002")
	li.PersonName = "李四"
	if _, err := other.RegisterCustomer(t.Context(), li); err != nil {
		t.Errorf("RegisterCustomer of another person at the company: %v", err)
	}

	// Once released, the customer is in the pool: claim it, not register it.
	released, err := owner.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "release-zhang", CustomerId: heldID, Reason: "客户暂无需求"})
	if err != nil {
		t.Fatalf("ReleaseCustomer: %v", err)
	}
	_, err = other.RegisterCustomer(t.Context(), registerRequest("zhang-pooled", "张先生", "+86 13800138000"))
	wantCode(t, err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "claim") || !strings.Contains(msg, heldID) {
		t.Errorf("message %q does not point to claiming %s", msg, heldID)
	}
	wantNoPrivateData(t, err, "s-owner", "138", "张")
	history = env.customerHistory(t, tenant, heldID)
	if got := payloadOf(t, history[len(history)-1]).(*clientv1.DuplicateRegistrationAttempted).GetHolderId(); got != "" {
		t.Errorf("holder_id of an attempt on a pooled customer = %q, want empty", got)
	}

	// The read model keeps the pooled customer as the registry knows it.
	got := getCustomer(t, manager, heldID, released.GetSequence())
	if !got.GetInPool() || got.GetOwnerEmployeeId() != "" {
		t.Errorf("released customer reads in_pool %v, owner %q; want the pool", got.GetInPool(), got.GetOwnerEmployeeId())
	}
}
