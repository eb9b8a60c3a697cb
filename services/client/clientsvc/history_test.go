package clientsvc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

func TestCustomerHistoryMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	testCustomerHistory(t, env, env.start(t, nil))
}

func TestCustomerHistoryPostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	testCustomerHistory(t, env, env.start(t, pool))
}

// historyLine is what a test checks of one history entry.
type historyLine struct {
	Type, Actor, Summary string
}

// testCustomerHistory takes one customer through registration, a
// duplicate attempt, release, claim, reassignment, an interaction logged
// and deleted and a contact revealed, and reads its trail back.
func testCustomerHistory(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "history"
	env.oneTeam(t, tenant, map[string]auth.Role{"e1": auth.RoleSales, "e2": auth.RoleSales, "e3": auth.RoleSales, "e9": auth.RoleSales, "m1": auth.RoleManager, "m2": auth.RoleManager, "ss1": auth.RoleSeniorSales})
	e1 := env.dial(t, svc, principal(tenant, "e1", auth.RoleSales))
	e2 := env.dial(t, svc, principal(tenant, "e2", auth.RoleSales))
	e3 := env.dial(t, svc, principal(tenant, "e3", auth.RoleSales))
	m1 := env.dial(t, svc, principal(tenant, "m1", auth.RoleManager))
	hr := env.dial(t, svc, principal(tenant, "hr1", auth.RoleHR))
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	reg, err := e1.RegisterCustomer(ctx, registerRequest("reg-lina", "李娜", "139 1234 5678"))
	must("RegisterCustomer", err)
	id := reg.GetCustomer().GetCustomerId()
	_, err = e2.RegisterCustomer(ctx, registerRequest("reg-lina-again", "李娜", "+86 139-1234-5678"))
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e1.ReleaseCustomer(ctx, &clientv1.ReleaseCustomerRequest{RequestId: "release", CustomerId: id, Reason: "moving to the Shanghai team"})
	must("ReleaseCustomer", err)
	_, err = e2.ClaimCustomer(ctx, &clientv1.ClaimCustomerRequest{RequestId: "claim", CustomerId: id})
	must("ClaimCustomer", err)
	_, err = m1.ReassignCustomer(ctx, &clientv1.ReassignCustomerRequest{RequestId: "reassign", CustomerId: id, EmployeeId: "e3", Reason: "e3 covers Xihu"})
	must("ReassignCustomer", err)
	call := noteRequest("call", id)
	call.Kind, call.Duration, call.Text = clientv1.InteractionKind_INTERACTION_KIND_CALL, durationpb.New(150*time.Second), "回电 13912345678，报价已发"
	logged, err := e3.LogInteraction(ctx, call)
	must("LogInteraction", err)
	_, err = e3.DeleteInteraction(ctx, &clientv1.DeleteInteractionRequest{
		RequestId: "delete", InteractionId: logged.GetInteractionId(), Reason: "wrong customer: that was 139 1234 5678",
	})
	must("DeleteInteraction", err)
	revealed, err := e3.RevealContact(ctx, &clientv1.RevealContactRequest{
		RequestId: "reveal", CustomerId: id, Field: clientv1.ContactField_CONTACT_FIELD_PHONE, Reason: "call about the quote",
	})
	must("RevealContact", err)

	// Another customer's interaction and reveal stay out of this trail.
	other, err := e3.RegisterCustomer(ctx, registerRequest("reg-other", "王伟", "13800138000"))
	must("RegisterCustomer other", err)
	_, err = e3.LogInteraction(ctx, noteRequest("note-other", other.GetCustomer().GetCustomerId()))
	must("LogInteraction other", err)
	last, err := e3.RevealContact(ctx, &clientv1.RevealContactRequest{
		RequestId: "reveal-other", CustomerId: other.GetCustomer().GetCustomerId(), Field: clientv1.ContactField_CONTACT_FIELD_PHONE, Reason: "回电",
	})
	must("RevealContact other", err)
	minSeq := last.GetSequence()

	iid := logged.GetInteractionId()
	want := []historyLine{
		{"holdfast.client.v1.CustomerRegistered", "e1", "e1 registered the customer (source: website)"},
		{"holdfast.client.v1.DuplicateRegistrationAttempted", "e2", "e2 tried to register the customer again (matched on phone) while e1 held it"},
		{"holdfast.client.v1.CustomerOwnerChanged", "e1", "e1 released the customer to the pool: moving to the Shanghai team"},
		{"holdfast.client.v1.CustomerOwnerChanged", "e2", "e2 claimed the customer from the pool"},
		{"holdfast.client.v1.CustomerOwnerChanged", "m1", "m1 reassigned the customer from e2 to e3: e3 covers Xihu"},
		{"holdfast.client.v1.InteractionLogged", "e3", "e3 logged an outbound call of 2m30s (interaction " + iid + ")"},
		{"holdfast.client.v1.InteractionDeleted", "e3", "e3 deleted their interaction " + iid + ": wrong customer: that was *** **** 5678"},
		{"holdfast.client.v1.ContactRevealed", "e3", "e3 revealed the phone: call about the quote"},
	}

	t.Run("the whole trail, oldest first, from the log", func(t *testing.T) {
		resp, err := hr.GetCustomerHistory(ctx, &clientv1.GetCustomerHistoryRequest{CustomerId: id, MinSequence: minSeq})
		must("GetCustomerHistory", err)
		if resp.GetNextPageToken() != "" {
			t.Errorf("next_page_token = %q on the only page, want none", resp.GetNextPageToken())
		}
		entries := resp.GetEntries()
		if diff := cmp.Diff(want, historyLines(entries)); diff != "" {
			t.Fatalf("history mismatch (-want, +got):\n%s", diff)
		}
		for i, e := range entries {
			if e.GetStream() != eventlog.StreamClient || e.GetEventId() == "" || e.GetOccurredAt() == nil || e.GetRecordedAt() == nil {
				t.Errorf("entry %d = %v, want stream CLIENT, an event id and both times", i, e)
			}
			if i > 0 && e.GetSequence() <= entries[i-1].GetSequence() {
				t.Errorf("entry %d at sequence %d follows %d: not in stream order", i, e.GetSequence(), entries[i-1].GetSequence())
			}
			// Not in any form: digits with separators dropped.
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, e.GetSummary())
			if strings.Contains(digits, "1391234") || strings.Contains(e.GetSummary(), "报价已发") {
				t.Errorf("entry %d summary %q shows the phone number or the interaction's text", i, e.GetSummary())
			}
		}
		if got, want := entries[0].GetSequence(), reg.GetSequence(); got != want {
			t.Errorf("registration at sequence %d, want %d", got, want)
		}
		if got, want := entries[len(entries)-1].GetSequence(), revealed.GetSequence(); got != want {
			t.Errorf("reveal at sequence %d, want %d", got, want)
		}
		// The entry names the stored event: the same id the log holds.
		agg, err := env.Log.Load(ctx, eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: id})
		must("Load", err)
		if got, want := entries[0].GetEventId(), agg.Records[0].Envelope.GetEventId(); got != want {
			t.Errorf("registration event_id = %s, want %s", got, want)
		}
	})

	t.Run("pages", func(t *testing.T) {
		var got []historyLine
		var sizes []int
		token := ""
		for range 5 {
			resp, err := hr.GetCustomerHistory(ctx, &clientv1.GetCustomerHistoryRequest{CustomerId: id, PageSize: 3, PageToken: token, MinSequence: minSeq})
			must("GetCustomerHistory page", err)
			sizes = append(sizes, len(resp.GetEntries()))
			got = append(got, historyLines(resp.GetEntries())...)
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
		if diff := cmp.Diff([]int{3, 3, 2}, sizes); diff != "" {
			t.Errorf("page sizes mismatch (-want, +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paged history mismatch (-want, +got):\n%s", diff)
		}
		// A page that ends exactly at the end says so.
		resp, err := hr.GetCustomerHistory(ctx, &clientv1.GetCustomerHistoryRequest{CustomerId: id, PageSize: int32(len(want)), MinSequence: minSeq})
		must("GetCustomerHistory full page", err)
		if len(resp.GetEntries()) != len(want) || resp.GetNextPageToken() != "" {
			t.Errorf("a page of exactly %d entries = %d entries, next %q; want all and no next page", len(want), len(resp.GetEntries()), resp.GetNextPageToken())
		}
	})

	t.Run("who reads it", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			caller auth.Principal
			code   codes.Code
		}{
			{"hr", principal(tenant, "hr1", auth.RoleHR), codes.OK},
			{"auditor", principal(tenant, "au1", auth.RoleAuditor), codes.OK},
			{"admin", principal(tenant, "ad1", auth.RoleAdmin), codes.OK},
			{"manager", principal(tenant, "m2", auth.RoleManager), codes.OK},
			{"the holder", principal(tenant, "e3", auth.RoleSales), codes.OK},
			{"sales, another's customer", principal(tenant, "e9", auth.RoleSales), codes.PermissionDenied},
			{"a former holder", principal(tenant, "e1", auth.RoleSales), codes.PermissionDenied},
			{"senior sales, not the holder", principal(tenant, "ss1", auth.RoleSeniorSales), codes.PermissionDenied},
			{"another tenant's hr", principal("elsewhere", "hr1", auth.RoleHR), codes.NotFound},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c := env.dial(t, svc, tt.caller)
				resp, err := c.GetCustomerHistory(ctx, &clientv1.GetCustomerHistoryRequest{CustomerId: id, MinSequence: minSeq})
				wantCode(t, err, tt.code)
				if tt.code == codes.OK && len(resp.GetEntries()) != len(want) {
					t.Errorf("%d entries, want %d", len(resp.GetEntries()), len(want))
				}
			})
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		_, err := hr.GetCustomerHistory(ctx, &clientv1.GetCustomerHistoryRequest{CustomerId: "no-such-customer", MinSequence: minSeq})
		wantCode(t, err, codes.NotFound)
		for _, tt := range []struct {
			name string
			req  *clientv1.GetCustomerHistoryRequest
			want []string
		}{
			{"no customer", &clientv1.GetCustomerHistoryRequest{}, []string{"customer_id"}},
			{"bad customer id", &clientv1.GetCustomerHistoryRequest{CustomerId: "a.b"}, []string{"customer_id"}},
			{"page size", &clientv1.GetCustomerHistoryRequest{CustomerId: id, PageSize: 501}, []string{"page_size"}},
			{"foreign page token", &clientv1.GetCustomerHistoryRequest{CustomerId: id, PageToken: "aTE6Mw"}, []string{"page_token"}},
		} {
			_, err := hr.GetCustomerHistory(ctx, tt.req)
			if diff := cmp.Diff(tt.want, violatedFields(t, err)); diff != "" {
				t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
	})
}

func historyLines(entries []*clientv1.HistoryEntry) []historyLine {
	out := []historyLine{}
	for _, e := range entries {
		out = append(out, historyLine{Type: e.GetEventType(), Actor: e.GetActorId(), Summary: e.GetSummary()})
	}
	return out
}
