package clientsvc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/grpcapi"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// callRequest is a call with a counterparty: a contact who is not a
// registered customer.
func callRequest(requestID, counterparty string) *clientv1.LogInteractionRequest {
	return &clientv1.LogInteractionRequest{
		RequestId:           requestID,
		CounterpartyContact: counterparty,
		Kind:                clientv1.InteractionKind_INTERACTION_KIND_CALL,
		Direction:           clientv1.Direction_DIRECTION_OUTBOUND,
		Duration:            durationpb.New(4 * time.Minute),
	}
}

// logInteraction logs req and fails the test unless it is accepted.
func logInteraction(t *testing.T, c clientv1.ClientServiceClient, req *clientv1.LogInteractionRequest) *clientv1.LogInteractionResponse {
	t.Helper()
	resp, err := c.LogInteraction(t.Context(), req)
	if err != nil {
		t.Fatalf("LogInteraction %s: %v", req.GetRequestId(), err)
	}
	return resp
}

// listInteractions lists and fails the test on an error.
func listInteractions(t *testing.T, c clientv1.ClientServiceClient, req *clientv1.ListInteractionsRequest) *clientv1.ListInteractionsResponse {
	t.Helper()
	resp, err := c.ListInteractions(t.Context(), req)
	if err != nil {
		t.Fatalf("ListInteractions(%v): %v", req, err)
	}
	return resp
}

func interactionIDs(list []*clientv1.Interaction) []string {
	out := []string{}
	for _, in := range list {
		out = append(out, in.GetInteractionId())
	}
	return out
}

func TestInteractions(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	e1 := env.dial(t, svc, principal("acme", "e1", auth.RoleSales))
	e2 := env.dial(t, svc, principal("acme", "e2", auth.RoleSales))
	hr := env.dial(t, svc, principal("acme", "hr1", auth.RoleHR))
	m1 := env.dial(t, svc, principal("acme", "m1", auth.RoleManager))
	env.oneTeam(t, "acme", map[string]auth.Role{"e1": auth.RoleSales, "e2": auth.RoleSales, "e3": auth.RoleSales, "m1": auth.RoleManager, "ss1": auth.RoleSeniorSales, "ss2": auth.RoleSeniorSales})

	reg := registerZhangSan(t, e1, "reg-zhang", "e1")
	cid := reg.GetCustomer().GetCustomerId()

	// A call with a contact nobody registered: stored normalised.
	call := logInteraction(t, e1, callRequest("call-1", "137 0000 1234"))
	if diff := cmp.Diff(call, logInteraction(t, e1, callRequest("call-1", "137 0000 1234")), protocmp.Transform()); diff != "" {
		t.Errorf("retried LogInteraction mismatch (-first, +retry):\n%s", diff)
	}
	events := env.clientEvents(t, "client.acme.interaction.>")
	wantLogged := &clientv1.InteractionLogged{
		InteractionId: call.GetInteractionId(), EmployeeId: "e1", CounterpartyContact: "+8613700001234",
		Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL, Direction: clientv1.Direction_DIRECTION_OUTBOUND,
		Duration: durationpb.New(4 * time.Minute),
	}
	if len(events) != 1 {
		t.Fatalf("CLIENT holds %d interaction events after a retried log, want 1", len(events))
	}
	if diff := cmp.Diff(wantLogged, events[0].Payload, protocmp.Transform()); diff != "" {
		t.Errorf("InteractionLogged mismatch (-want, +got):\n%s", diff)
	}

	t.Run("counterparty that is a registered customer", func(t *testing.T) {
		t.Parallel()
		// The holder is told which customer to log against.
		_, err := e1.LogInteraction(t.Context(), callRequest("call-zhang", "+86 138-0013-8000"))
		wantCode(t, err, codes.FailedPrecondition)
		if !strings.Contains(status.Convert(err).Message(), cid) {
			t.Errorf("refusal to the holder %q does not name customer %s", status.Convert(err).Message(), cid)
		}
		// Another salesperson learns it is a customer, not which one.
		_, err = e2.LogInteraction(t.Context(), callRequest("call-zhang", "WX_ZHANG01"))
		wantCode(t, err, codes.FailedPrecondition)
		if strings.Contains(status.Convert(err).Message(), cid) {
			t.Errorf("refusal to another employee %q names the customer", status.Convert(err).Message())
		}
	})

	t.Run("counterparty validation and roles", func(t *testing.T) {
		t.Parallel()
		both := callRequest("call-both", "13700001234")
		both.CustomerId = cid
		_, err := e1.LogInteraction(t.Context(), both)
		if diff := cmp.Diff([]string{"counterparty_contact", "customer_id"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		_, err = e1.LogInteraction(t.Context(), callRequest("call-bad", "陈先生"))
		if diff := cmp.Diff([]string{"counterparty_contact"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		for _, role := range []auth.Role{auth.RoleHR, auth.RoleAuditor} {
			c := env.dial(t, svc, principal("acme", "x-"+string(role), role))
			_, err := c.LogInteraction(t.Context(), callRequest("call-"+string(role), "13700005678"))
			wantCode(t, err, codes.PermissionDenied)
		}
		ss := env.dial(t, svc, principal("acme", "ss1", auth.RoleSeniorSales))
		logInteraction(t, ss, callRequest("call-ss", "wx_chen_88"))
	})

	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		note := logInteraction(t, e1, noteRequest("note-del", cid))
		del := func(c clientv1.ClientServiceClient, requestID, id, reason string) (*clientv1.DeleteInteractionResponse, error) {
			return c.DeleteInteraction(t.Context(), &clientv1.DeleteInteractionRequest{RequestId: requestID, InteractionId: id, Reason: reason})
		}
		_, err := del(e2, "del-by-e2", note.GetInteractionId(), "not mine")
		wantCode(t, err, codes.PermissionDenied)
		_, err = del(hr, "del-by-hr", note.GetInteractionId(), "hr may not")
		wantCode(t, err, codes.PermissionDenied)
		_, err = del(e1, "del-no-reason", note.GetInteractionId(), "  ")
		if diff := cmp.Diff([]string{"reason"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		_, err = del(e1, "del-unknown", "no-such-interaction", "typo")
		wantCode(t, err, codes.NotFound)
		_, err = del(e1, "", "a.b", "")
		if diff := cmp.Diff([]string{"interaction_id", "reason", "request_id"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}

		first, err := del(e1, "del-1", note.GetInteractionId(), "logged against the wrong customer")
		if err != nil {
			t.Fatalf("DeleteInteraction by the owner: %v", err)
		}
		retry, err := del(e1, "del-1", note.GetInteractionId(), "logged against the wrong customer")
		if err != nil || retry.GetSequence() != first.GetSequence() {
			t.Errorf("retried DeleteInteraction = %v, %v; want sequence %d", retry, err, first.GetSequence())
		}
		_, err = del(e1, "del-2", note.GetInteractionId(), "again")
		wantCode(t, err, codes.FailedPrecondition)
		_, err = del(m1, "del-m1", note.GetInteractionId(), "again, as a manager")
		wantCode(t, err, codes.FailedPrecondition)

		var deleted []*clientv1.InteractionDeleted
		for _, ev := range env.clientEvents(t, "client.acme.interaction."+note.GetInteractionId()) {
			if d, ok := ev.Payload.(*clientv1.InteractionDeleted); ok {
				deleted = append(deleted, d)
				if ev.ActorID != "e1" || ev.Sequence != first.GetSequence() {
					t.Errorf("InteractionDeleted by %s at %d, want by e1 at %d", ev.ActorID, ev.Sequence, first.GetSequence())
				}
			}
		}
		wantDeleted := []*clientv1.InteractionDeleted{{
			InteractionId: note.GetInteractionId(), CustomerId: cid, EmployeeId: "e1", Reason: "logged against the wrong customer",
		}}
		if diff := cmp.Diff(wantDeleted, deleted, protocmp.Transform()); diff != "" {
			t.Errorf("InteractionDeleted events mismatch (-want, +got):\n%s", diff)
		}

		// A manager deletes an employee's interaction.
		other := logInteraction(t, e2, callRequest("call-e2", "13700009999"))
		if _, err := del(m1, "del-by-m1", other.GetInteractionId(), "duplicate of a CRM record"); err != nil {
			t.Fatalf("DeleteInteraction by a manager: %v", err)
		}

		// The customer's list hides the deleted note; hr sees it, marked.
		byCustomer := &clientv1.ListInteractionsRequest{CustomerId: cid, MinSequence: first.GetSequence()}
		if got := listInteractions(t, e1, byCustomer); len(got.GetInteractions()) != 0 {
			t.Errorf("e1 lists %v, want the deleted note hidden", interactionIDs(got.GetInteractions()))
		}
		withDeleted := &clientv1.ListInteractionsRequest{CustomerId: cid, IncludeDeleted: true, MinSequence: first.GetSequence()}
		got := listInteractions(t, hr, withDeleted).GetInteractions()
		if len(got) != 1 || got[0].GetInteractionId() != note.GetInteractionId() || !got[0].GetDeleted() {
			t.Errorf("hr lists %v, want the note marked deleted", got)
		}
		_, err = e1.ListInteractions(t.Context(), withDeleted)
		wantCode(t, err, codes.PermissionDenied)
		_, err = m1.ListInteractions(t.Context(), withDeleted)
		wantCode(t, err, codes.PermissionDenied)
		// The follow-up stays on the customer: it happened.
		if getCustomer(t, e1, cid, first.GetSequence()).GetLastFollowUpAt() == nil {
			t.Error("last_follow_up_at is unset after the only interaction was deleted; want it kept")
		}
	})

	t.Run("list", func(t *testing.T) {
		t.Parallel()
		e3 := env.dial(t, svc, principal("acme", "e3", auth.RoleSales))
		var want []string
		var last uint64
		for i := range 5 {
			resp := logInteraction(t, e3, callRequest(fmt.Sprintf("page-%d", i), fmt.Sprintf("1360000%04d", i)))
			want = append([]string{resp.GetInteractionId()}, want...) // newest first
			last = resp.GetSequence()
		}
		var gotIDs []string
		var pages int
		req := &clientv1.ListInteractionsRequest{EmployeeId: "e3", PageSize: 2, MinSequence: last}
		for {
			resp := listInteractions(t, e3, req)
			pages++
			gotIDs = append(gotIDs, interactionIDs(resp.GetInteractions())...)
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		if diff := cmp.Diff(want, gotIDs); diff != "" {
			t.Errorf("paged ids mismatch (-want, +got):\n%s", diff)
		}
		if pages != 3 {
			t.Errorf("listed in %d pages of 2, want 3", pages)
		}
		first := listInteractions(t, e3, &clientv1.ListInteractionsRequest{EmployeeId: "e3", PageSize: 1}).GetInteractions()[0]
		wantFirst := &clientv1.Interaction{
			InteractionId: want[0], MaskedCounterparty: "136****0004", EmployeeId: "e3",
			Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL, Direction: clientv1.Direction_DIRECTION_OUTBOUND,
			Duration: durationpb.New(4 * time.Minute),
			// The newest is the last logged: its sequence is the one LogInteraction returned.
			Sequence: last,
		}
		if diff := cmp.Diff(wantFirst, first, protocmp.Transform(), protocmp.IgnoreFields(&clientv1.Interaction{}, "occurred_at")); diff != "" {
			t.Errorf("listed interaction mismatch (-want, +got):\n%s", diff)
		}

		for _, tc := range []struct {
			name string
			c    clientv1.ClientServiceClient
			req  *clientv1.ListInteractionsRequest
			want codes.Code
		}{
			{"another salesperson's interactions", e2, &clientv1.ListInteractionsRequest{EmployeeId: "e3"}, codes.PermissionDenied},
			{"a customer another holds", e2, &clientv1.ListInteractionsRequest{CustomerId: cid, MinSequence: reg.GetSequence()}, codes.PermissionDenied},
			{"an unknown customer", e1, &clientv1.ListInteractionsRequest{CustomerId: "no-such-customer"}, codes.NotFound},
			{"hr, anyone's", hr, &clientv1.ListInteractionsRequest{EmployeeId: "e3"}, codes.OK},
			{"senior sales, anyone's", env.dial(t, svc, principal("acme", "ss2", auth.RoleSeniorSales)), &clientv1.ListInteractionsRequest{EmployeeId: "e3"}, codes.OK},
			{"auditor with deleted", env.dial(t, svc, principal("acme", "au1", auth.RoleAuditor)), &clientv1.ListInteractionsRequest{EmployeeId: "e3", IncludeDeleted: true}, codes.OK},
			{"another tenant", env.dial(t, svc, principal("globex", "e3", auth.RoleSales)), &clientv1.ListInteractionsRequest{CustomerId: cid}, codes.NotFound},
		} {
			_, err := tc.c.ListInteractions(t.Context(), tc.req)
			if got := status.Code(err); got != tc.want {
				t.Errorf("%s: status %v (%v), want %v", tc.name, got, err, tc.want)
			}
		}
		if got := listInteractions(t, env.dial(t, svc, principal("globex", "e3", auth.RoleSales)), &clientv1.ListInteractionsRequest{EmployeeId: "e3"}); len(got.GetInteractions()) != 0 {
			t.Errorf("e3 of another tenant lists %v, want nothing", interactionIDs(got.GetInteractions()))
		}
		_, err := e1.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{PageToken: "garbage!", PageSize: -1})
		if diff := cmp.Diff([]string{"customer_id", "employee_id", "page_size", "page_token"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
		_, err = e1.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{CustomerId: cid, EmployeeId: "e1"})
		if diff := cmp.Diff([]string{"customer_id", "employee_id"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
	})
}

// ingest sends records on one IngestInteractions call.
func ingest(t *testing.T, c clientv1.ClientServiceClient, records ...*clientv1.IngestInteractionsRequest) (*clientv1.IngestInteractionsResponse, error) {
	t.Helper()
	stream, err := c.IngestInteractions(t.Context())
	if err != nil {
		t.Fatalf("IngestInteractions: %v", err)
	}
	for _, r := range records {
		if err := stream.Send(r); err != nil {
			break // the server ended the call; CloseAndRecv says why
		}
	}
	return stream.CloseAndRecv()
}

func TestIngestInteractions(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	e1 := env.dial(t, svc, principal("acme", "e1", auth.RoleSales))
	cid := registerZhangSan(t, e1, "reg-zhang", "e1").GetCustomer().GetCustomerId()

	badKind := noteRequest("feed-bad-kind", cid)
	badKind.Kind = clientv1.InteractionKind_INTERACTION_KIND_UNSPECIFIED
	feed := []*clientv1.IngestInteractionsRequest{
		{Interaction: callRequest("feed-call", "137 0000 1234")},
		{Interaction: badKind},
		{Interaction: noteRequest("feed-unknown", "no-such-customer")},
		{Interaction: noteRequest("feed-for-e2", cid), EmployeeId: "e2"},
		{Interaction: noteRequest("feed-note", cid), EmployeeId: "e1"},
		{},
	}
	want := &clientv1.IngestInteractionsResponse{
		Accepted: 2,
		Rejected: 4,
		Results: []*clientv1.IngestResult{
			{Index: 0, RequestId: "feed-call", Accepted: true},
			{Index: 1, RequestId: "feed-bad-kind", Code: "INVALID_ARGUMENT"},
			{Index: 2, RequestId: "feed-unknown", Code: "NOT_FOUND"},
			{Index: 3, RequestId: "feed-for-e2", Code: "PERMISSION_DENIED"},
			{Index: 4, RequestId: "feed-note", Accepted: true},
			{Index: 5, Code: "INVALID_ARGUMENT"},
		},
	}
	ignoreAssigned := protocmp.IgnoreFields(&clientv1.IngestResult{}, "interaction_id", "sequence", "message")
	got, err := ingest(t, e1, feed...)
	if err != nil {
		t.Fatalf("IngestInteractions: %v", err)
	}
	if diff := cmp.Diff(want, got, protocmp.Transform(), ignoreAssigned); diff != "" {
		t.Errorf("IngestInteractions mismatch (-want, +got):\n%s", diff)
	}
	for _, r := range got.GetResults() {
		if r.GetAccepted() != (r.GetInteractionId() != "" && r.GetSequence() != 0) {
			t.Errorf("record %d: accepted %v with interaction %q at %d", r.GetIndex(), r.GetAccepted(), r.GetInteractionId(), r.GetSequence())
		}
		if !r.GetAccepted() && r.GetMessage() == "" {
			t.Errorf("record %d was rejected with no message", r.GetIndex())
		}
	}
	if msg := got.GetResults()[1].GetMessage(); !strings.Contains(msg, "kind") {
		t.Errorf("bad kind rejected with %q, want it to name the field", msg)
	}
	// Logged exactly as LogInteraction logs: a retry of a record through
	// LogInteraction finds it.
	if again := logInteraction(t, e1, noteRequest("feed-note", cid)); again.GetInteractionId() != got.GetResults()[4].GetInteractionId() {
		t.Errorf("LogInteraction of an ingested request id = %v, want interaction %s", again, got.GetResults()[4].GetInteractionId())
	}

	before := env.streamMessages(t, "client.acme.>")
	retried, err := ingest(t, e1, feed...)
	if err != nil {
		t.Fatalf("IngestInteractions retry: %v", err)
	}
	if diff := cmp.Diff(got, retried, protocmp.Transform(), protocmp.IgnoreFields(&clientv1.IngestResult{}, "message")); diff != "" {
		t.Errorf("retried feed mismatch (-first, +retry):\n%s", diff)
	}
	if after := env.streamMessages(t, "client.acme.>"); after != before {
		t.Errorf("CLIENT grew from %d to %d messages on a retried feed, want no new events", before, after)
	}

	t.Run("a feed logs for employees", func(t *testing.T) {
		t.Parallel()
		feedSvc := env.dial(t, svc, principal("acme", "callcentre", auth.RoleService))
		got, err := ingest(t, feedSvc,
			&clientv1.IngestInteractionsRequest{Interaction: callRequest("cc-1", "13700004321"), EmployeeId: "e2"},
			// e2 does not hold the customer: the feed records what happened.
			&clientv1.IngestInteractionsRequest{Interaction: noteRequest("cc-2", cid), EmployeeId: "e2"},
			&clientv1.IngestInteractionsRequest{Interaction: noteRequest("cc-3", cid)},
			&clientv1.IngestInteractionsRequest{Interaction: noteRequest("cc-4", cid), EmployeeId: "bad.id"},
		)
		if err != nil {
			t.Fatalf("IngestInteractions: %v", err)
		}
		var gotCodes []string
		for _, r := range got.GetResults() {
			gotCodes = append(gotCodes, r.GetCode())
		}
		if diff := cmp.Diff([]string{"", "", "PERMISSION_DENIED", "INVALID_ARGUMENT"}, gotCodes); diff != "" {
			t.Errorf("result codes mismatch (-want, +got):\n%s", diff)
		}
		for _, ev := range env.clientEvents(t, "client.acme.interaction.>") {
			logged, ok := ev.Payload.(*clientv1.InteractionLogged)
			if ok && logged.GetInteractionId() == got.GetResults()[1].GetInteractionId() &&
				(logged.GetEmployeeId() != "e2" || ev.ActorID != "callcentre") {
				t.Errorf("fed interaction of employee %s by %s, want e2 by callcentre", logged.GetEmployeeId(), ev.ActorID)
			}
		}
	})

	t.Run("a stream is bounded", func(t *testing.T) {
		t.Parallel()
		bad := &clientv1.IngestInteractionsRequest{Interaction: &clientv1.LogInteractionRequest{RequestId: "bound"}}
		records := make([]*clientv1.IngestInteractionsRequest, grpcapi.MaxIngestRecords+1)
		for i := range records {
			records[i] = bad
		}
		got, err := ingest(t, e1, records[:grpcapi.MaxIngestRecords]...)
		if err != nil || got.GetRejected() != grpcapi.MaxIngestRecords {
			t.Fatalf("IngestInteractions of %d records = %d rejected, %v; want all rejected", grpcapi.MaxIngestRecords, got.GetRejected(), err)
		}
		_, err = ingest(t, e1, records...)
		wantCode(t, err, codes.ResourceExhausted)
	})

	t.Run("a cancelled stream ends", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		stream, err := e1.IngestInteractions(ctx)
		if err != nil {
			t.Fatalf("IngestInteractions: %v", err)
		}
		if err := stream.Send(&clientv1.IngestInteractionsRequest{Interaction: callRequest("cancel-1", "13700001111")}); err != nil {
			t.Fatalf("send: %v", err)
		}
		cancel()
		_, err = stream.CloseAndRecv()
		wantCode(t, err, codes.Canceled)
	})
}

func TestInteractionsPostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	readModel := store.NewPostgres(pool)
	svc := env.start(t, pool)
	e1 := env.dial(t, svc, principal("acme", "e1", auth.RoleSales))
	hr := env.dial(t, svc, principal("acme", "hr1", auth.RoleHR))

	cid := registerZhangSan(t, e1, "reg-zhang", "e1").GetCustomer().GetCustomerId()
	note := logInteraction(t, e1, noteRequest("note-1", cid))
	call := logInteraction(t, e1, callRequest("call-1", "wx_chen_88"))
	del, err := e1.DeleteInteraction(t.Context(), &clientv1.DeleteInteractionRequest{RequestId: "del-1", InteractionId: note.GetInteractionId(), Reason: "wrong customer"})
	if err != nil {
		t.Fatalf("DeleteInteraction: %v", err)
	}
	all := &clientv1.ListInteractionsRequest{EmployeeId: "e1", IncludeDeleted: true, MinSequence: del.GetSequence()}
	before := listInteractions(t, hr, all)
	if diff := cmp.Diff([]string{call.GetInteractionId(), note.GetInteractionId()}, interactionIDs(before.GetInteractions())); diff != "" {
		t.Fatalf("listed ids mismatch (-want, +got):\n%s", diff)
	}
	// The deletion keeps the customer's count: the note happened.
	wantReadModel(t, readModel, cid, 1, del.GetSequence())

	svc.Stop()
	restarted := env.start(t, pool)
	hr = env.dial(t, restarted, principal("acme", "hr1", auth.RoleHR))
	e1 = env.dial(t, restarted, principal("acme", "e1", auth.RoleSales))
	if diff := cmp.Diff(before, listInteractions(t, hr, all), protocmp.Transform()); diff != "" {
		t.Errorf("interactions after restart mismatch (-before, +after):\n%s", diff)
	}
	// Resumed from the checkpoint: nothing applied twice.
	wantReadModel(t, readModel, cid, 1, del.GetSequence())
	next := logInteraction(t, e1, noteRequest("note-2", cid))
	visible := listInteractions(t, e1, &clientv1.ListInteractionsRequest{CustomerId: cid, MinSequence: next.GetSequence()})
	if diff := cmp.Diff([]string{next.GetInteractionId()}, interactionIDs(visible.GetInteractions())); diff != "" {
		t.Errorf("listed ids after restart mismatch (-want, +got):\n%s", diff)
	}
	wantReadModel(t, readModel, cid, 2, next.GetSequence())
	stored, err := readModel.GetInteraction(t.Context(), "acme", call.GetInteractionId())
	if err != nil || stored.Counterparty != "wx_chen_88" || stored.EmployeeID != "e1" || stored.Deleted {
		t.Errorf("stored counterparty interaction = %+v, %v", stored, err)
	}
}
