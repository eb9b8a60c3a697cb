package clientsvc_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

func TestTextConsentMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	testTextConsent(t, env, env.start(t, nil))
}

func TestTextConsentPostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	testTextConsent(t, env, env.start(t, pool))
}

// interactionLogged reads an interaction's InteractionLogged back from CLIENT.
func (e *testEnv) interactionLogged(t *testing.T, tenant, id string) *clientv1.InteractionLogged {
	t.Helper()
	agg, err := e.Log.Load(t.Context(), eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "interaction", ID: id})
	if err != nil {
		t.Fatalf("load interaction %s: %v", id, err)
	}
	if len(agg.Records) == 0 {
		t.Fatalf("interaction %s is not in CLIENT", id)
	}
	ev, ok := payloadOf(t, agg.Records[0]).(*clientv1.InteractionLogged)
	if !ok {
		t.Fatalf("interaction %s starts with %T, want InteractionLogged", id, payloadOf(t, agg.Records[0]))
	}
	return ev
}

func testTextConsent(t *testing.T, env *testEnv, svc *runningService) {
	t.Run("policy round-trips", func(t *testing.T) {
		t.Parallel()
		const tenant = "consent-policy"
		admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
		req := policyUpdate("upd-consent", func(p *clientv1.ClientPolicy) {
			p.TextRecording = clientv1.TextRecording_TEXT_RECORDING_WITH_CONSENT
		})
		updated, err := admin.UpdateClientPolicy(t.Context(), req)
		if err != nil {
			t.Fatalf("UpdateClientPolicy: %v", err)
		}
		want := proto.Clone(req.GetPolicy()).(*clientv1.ClientPolicy)
		want.Version = 1
		if diff := cmp.Diff(want, updated.GetPolicy(), protocmp.Transform()); diff != "" {
			t.Errorf("updated policy mismatch (-want, +got):\n%s", diff)
		}
		got, err := admin.GetClientPolicy(t.Context(), &clientv1.GetClientPolicyRequest{})
		if err != nil {
			t.Fatalf("GetClientPolicy: %v", err)
		}
		if diff := cmp.Diff(want, got.GetPolicy(), protocmp.Transform()); diff != "" {
			t.Errorf("GetClientPolicy mismatch (-want, +got):\n%s", diff)
		}

		// Unspecified in an update means always.
		unspecified := policyUpdate("upd-unspecified", func(p *clientv1.ClientPolicy) {
			p.TextRecording = clientv1.TextRecording_TEXT_RECORDING_UNSPECIFIED
			p.Version = 1
		})
		updated, err = admin.UpdateClientPolicy(t.Context(), unspecified)
		if err != nil {
			t.Fatalf("UpdateClientPolicy with text_recording unspecified: %v", err)
		}
		if got := updated.GetPolicy().GetTextRecording(); got != clientv1.TextRecording_TEXT_RECORDING_ALWAYS {
			t.Errorf("text_recording after an unspecified update = %v, want TEXT_RECORDING_ALWAYS", got)
		}

		_, err = admin.UpdateClientPolicy(t.Context(), policyUpdate("upd-unknown", func(p *clientv1.ClientPolicy) {
			p.TextRecording = clientv1.TextRecording(9)
			p.Version = 2
		}))
		if diff := cmp.Diff([]string{"policy.text_recording"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("text withheld without consent", func(t *testing.T) {
		t.Parallel()
		const tenant = "consent-log"
		admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
		if _, err := admin.UpdateClientPolicy(t.Context(), policyUpdate("upd-consent", func(p *clientv1.ClientPolicy) {
			p.TextRecording = clientv1.TextRecording_TEXT_RECORDING_WITH_CONSENT
		})); err != nil {
			t.Fatalf("UpdateClientPolicy: %v", err)
		}
		e1 := env.dial(t, svc, principal(tenant, "e1", auth.RoleSales))
		cid := registerZhangSan(t, e1, "reg-zhang", "e1").GetCustomer().GetCustomerId()

		withheld := logInteraction(t, e1, noteRequest("chat-no-consent", cid))
		consented := noteRequest("chat-consent", cid)
		consented.TextConsent = true
		kept := logInteraction(t, e1, consented)

		wantEvent := func(id, text string, withheld bool) *clientv1.InteractionLogged {
			return &clientv1.InteractionLogged{
				InteractionId: id, CustomerId: cid, EmployeeId: "e1",
				Kind:      clientv1.InteractionKind_INTERACTION_KIND_CHAT,
				Direction: clientv1.Direction_DIRECTION_OUTBOUND,
				Text:      text, TextWithheld: withheld,
			}
		}
		if diff := cmp.Diff(wantEvent(withheld.GetInteractionId(), "", true), env.interactionLogged(t, tenant, withheld.GetInteractionId()), protocmp.Transform()); diff != "" {
			t.Errorf("InteractionLogged without consent mismatch (-want, +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantEvent(kept.GetInteractionId(), "发了报价单", false), env.interactionLogged(t, tenant, kept.GetInteractionId()), protocmp.Transform()); diff != "" {
			t.Errorf("InteractionLogged with consent mismatch (-want, +got):\n%s", diff)
		}

		// A retry of the withheld interaction is the same interaction,
		// although the log no longer holds the text to compare.
		again := logInteraction(t, e1, noteRequest("chat-no-consent", cid))
		if diff := cmp.Diff(withheld, again, protocmp.Transform()); diff != "" {
			t.Errorf("retried LogInteraction mismatch (-first, +retry):\n%s", diff)
		}

		// The text is still required: withholding it is no way to skip logging.
		empty := noteRequest("chat-empty", cid)
		empty.Text = ""
		_, err := e1.LogInteraction(t.Context(), empty)
		if diff := cmp.Diff([]string{"text"}, violatedFields(t, err)); diff != "" {
			t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
		}

		// A feed goes through the same path.
		res, err := ingest(t, e1, &clientv1.IngestInteractionsRequest{Interaction: noteRequest("feed-no-consent", cid)})
		if err != nil || res.GetAccepted() != 1 {
			t.Fatalf("IngestInteractions = %v, %v; want one accepted", res, err)
		}
		fed := res.GetResults()[0]
		if diff := cmp.Diff(wantEvent(fed.GetInteractionId(), "", true), env.interactionLogged(t, tenant, fed.GetInteractionId()), protocmp.Transform()); diff != "" {
			t.Errorf("ingested InteractionLogged mismatch (-want, +got):\n%s", diff)
		}

		type shown struct {
			Text     string
			Withheld bool
		}
		list := listInteractions(t, e1, &clientv1.ListInteractionsRequest{CustomerId: cid, MinSequence: fed.GetSequence()})
		got := map[string]shown{}
		for _, in := range list.GetInteractions() {
			got[in.GetInteractionId()] = shown{Text: in.GetText(), Withheld: in.GetTextWithheld()}
		}
		want := map[string]shown{
			withheld.GetInteractionId(): {Withheld: true},
			kept.GetInteractionId():     {Text: "发了报价单"},
			fed.GetInteractionId():      {Withheld: true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListInteractions mismatch (-want, +got):\n%s", diff)
		}
	})
}
