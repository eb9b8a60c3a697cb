package clientsvc_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// zhangSan is a registration with every contact, written the ways people
// write them: one mobile twice, a landline with its trunk prefix.
func zhangSan(requestID string) *clientv1.RegisterCustomerRequest {
	return &clientv1.RegisterCustomerRequest{
		RequestId:     requestID,
		PersonName:    " 张三 ",
		CompanyName:   "北京某某科技有限公司",
		Phones:        []string{"138 0013 8000", "+86 138-0013-8000", "(010) 6552 9988"},
		WechatId:      "wx_zhang01",
		Email:         "Zhang.San@Example.com",
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
	}
}

// zhangSanMasked is how zhangSan reads back when registered by owner: no
// contact detail in the clear.
func zhangSanMasked(owner string) *clientv1.Customer {
	return &clientv1.Customer{
		PersonName:      "张三",
		CompanyName:     "北京某某科技有限公司",
		MaskedPhones:    []string{"138****8000", "106***9988"},
		MaskedWechatId:  "wx_****",
		MaskedEmail:     "z****@example.com",
		SourceChannel:   clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
		OwnerEmployeeId: owner,
		RegisteredBy:    owner,
		Version:         1,
	}
}

// ignoreAssigned ignores what the service assigns: the id and the time.
var ignoreAssigned = protocmp.IgnoreFields(&clientv1.Customer{}, "customer_id", "registered_at")

// registerZhangSan registers zhangSan as the caller and checks the masked
// answer; it returns the response.
func registerZhangSan(t *testing.T, c clientv1.ClientServiceClient, requestID, owner string) *clientv1.RegisterCustomerResponse {
	t.Helper()
	resp, err := c.RegisterCustomer(t.Context(), zhangSan(requestID))
	if err != nil {
		t.Fatalf("RegisterCustomer: %v", err)
	}
	if diff := cmp.Diff(zhangSanMasked(owner), resp.GetCustomer(), protocmp.Transform(), ignoreAssigned); diff != "" {
		t.Errorf("RegisterCustomer customer mismatch (-want, +got):\n%s", diff)
	}
	if resp.GetCustomer().GetCustomerId() == "" || resp.GetCustomer().GetRegisteredAt() == nil {
		t.Errorf("RegisterCustomer customer = %v, want an id and a registration time", resp.GetCustomer())
	}
	if resp.GetSequence() == 0 {
		t.Errorf("RegisterCustomer sequence = 0, want the CLIENT sequence written")
	}
	return resp
}

// getCustomer reads a customer once the read model has reached minSeq.
func getCustomer(t *testing.T, c clientv1.ClientServiceClient, id string, minSeq uint64) *clientv1.Customer {
	t.Helper()
	resp, err := c.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: id, MinSequence: minSeq})
	if err != nil {
		t.Fatalf("GetCustomer(%s, min_sequence %d): %v", id, minSeq, err)
	}
	return resp.GetCustomer()
}

func TestClientServiceMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	owner := env.dial(t, svc, principal("acme", "s-owner", auth.RoleSales))

	// The first write of this NATS server, so the stream count is exact.
	reg := registerZhangSan(t, owner, "reg-zhang", "s-owner")
	id := reg.GetCustomer().GetCustomerId()
	retry, err := owner.RegisterCustomer(t.Context(), zhangSan("reg-zhang"))
	if err != nil {
		t.Fatalf("RegisterCustomer retry: %v", err)
	}
	if diff := cmp.Diff(reg, retry, protocmp.Transform()); diff != "" {
		t.Errorf("retried RegisterCustomer mismatch (-first, +retry):\n%s", diff)
	}
	if n := env.streamMessages(t, "client.>"); n != 1 {
		t.Errorf("CLIENT holds %d messages after a retried registration, want 1", n)
	}
	// Read-your-writes: min_sequence makes the read wait for the projector.
	if diff := cmp.Diff(reg.GetCustomer(), getCustomer(t, owner, id, reg.GetSequence()), protocmp.Transform()); diff != "" {
		t.Errorf("GetCustomer mismatch (-registered, +read):\n%s", diff)
	}

	var interactions int
	var lastSeq uint64
	t.Run("api", func(t *testing.T) {
		t.Run("interactions", func(t *testing.T) {
			t.Parallel()
			logged, err := owner.LogInteraction(t.Context(), noteRequest("note-1", id))
			if err != nil {
				t.Fatalf("LogInteraction by the owner: %v", err)
			}
			if logged.GetSequence() <= reg.GetSequence() || logged.GetInteractionId() == "" {
				t.Errorf("LogInteraction = %v, want an id and a sequence after %d", logged, reg.GetSequence())
			}
			again, err := owner.LogInteraction(t.Context(), noteRequest("note-1", id))
			if err != nil {
				t.Fatalf("LogInteraction retry: %v", err)
			}
			if diff := cmp.Diff(logged, again, protocmp.Transform()); diff != "" {
				t.Errorf("retried LogInteraction mismatch (-first, +retry):\n%s", diff)
			}
			if n := env.streamMessages(t, "client.acme.interaction.>"); n != 1 {
				t.Errorf("CLIENT holds %d interactions after a retry, want 1", n)
			}
			interactions, lastSeq = 1, logged.GetSequence()

			changed := noteRequest("note-1", id)
			changed.Text += " (edited)"
			_, err = owner.LogInteraction(t.Context(), changed)
			wantCode(t, err, codes.FailedPrecondition)

			other := env.dial(t, svc, principal("acme", "s-other", auth.RoleSales))
			_, err = other.LogInteraction(t.Context(), noteRequest("note-other", id))
			wantCode(t, err, codes.PermissionDenied)
			_, err = owner.LogInteraction(t.Context(), noteRequest("note-nobody", "no-such-customer"))
			wantCode(t, err, codes.NotFound)
			getCustomer(t, owner, id, logged.GetSequence())
		})

		t.Run("request ids are scoped to the caller", func(t *testing.T) {
			t.Parallel()
			// Another salesperson's equal request id must neither return
			// s-owner's customer nor collide with it.
			other := env.dial(t, svc, principal("acme", "s-other", auth.RoleSales))
			req := zhangSan("reg-zhang")
			req.PersonName, req.Phones, req.WechatId, req.Email = "李四", []string{"139 0000 1111"}, "", ""
			resp, err := other.RegisterCustomer(t.Context(), req)
			if err != nil {
				t.Fatalf("RegisterCustomer by another caller with an equal request id: %v", err)
			}
			if resp.GetCustomer().GetCustomerId() == id || resp.GetCustomer().GetOwnerEmployeeId() != "s-other" {
				t.Errorf("got customer %s held by %s; want a new customer held by s-other",
					resp.GetCustomer().GetCustomerId(), resp.GetCustomer().GetOwnerEmployeeId())
			}
		})

		t.Run("a reused request id with other content is refused", func(t *testing.T) {
			t.Parallel()
			owner := env.dial(t, svc, principal("acme", "s-owner", auth.RoleSales))
			req := zhangSan("reg-zhang")
			req.PersonName = "张三丰"
			_, err := owner.RegisterCustomer(t.Context(), req)
			wantCode(t, err, codes.FailedPrecondition)
		})

		t.Run("hr reads but never registers", func(t *testing.T) {
			t.Parallel()
			hr := env.dial(t, svc, principal("acme", "hr-1", auth.RoleHR))
			_, err := hr.RegisterCustomer(t.Context(), zhangSan("reg-by-hr"))
			wantCode(t, err, codes.PermissionDenied)
			if diff := cmp.Diff(reg.GetCustomer(), getCustomer(t, hr, id, reg.GetSequence()), protocmp.Transform(), ignoreFollowUp); diff != "" {
				t.Errorf("GetCustomer by hr mismatch (-registered, +read):\n%s", diff)
			}
		})

		t.Run("another tenant sees nothing", func(t *testing.T) {
			t.Parallel()
			// Same employee id, other tenant: the tenant alone must isolate.
			for _, p := range []auth.Principal{
				principal("globex", "s-owner", auth.RoleSales),
				principal("globex", "admin-1", auth.RoleAdmin),
			} {
				c := env.dial(t, svc, p)
				_, err := c.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: id, MinSequence: reg.GetSequence()})
				wantCode(t, err, codes.NotFound)
				_, err = c.LogInteraction(t.Context(), noteRequest("note-globex-"+p.Subject, id))
				wantCode(t, err, codes.NotFound)
				list, err := c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{MinSequence: reg.GetSequence()})
				if err != nil {
					t.Fatalf("ListCustomers: %v", err)
				}
				if len(list.GetCustomers()) != 0 {
					t.Errorf("%s lists %v, want nothing", p.Subject, list.GetCustomers())
				}
			}
		})

		t.Run("unauthenticated", func(t *testing.T) {
			t.Parallel()
			stranger, err := auth.LoadOrCreateDevKey(t.TempDir())
			if err != nil {
				t.Fatalf("key: %v", err)
			}
			forged, err := auth.NewIssuer(stranger).Issue(principal("acme", "s-owner", auth.RoleAdmin), time.Hour)
			if err != nil {
				t.Fatalf("issue: %v", err)
			}
			clients := map[string]clientv1.ClientServiceClient{
				"no token":         dialWith(t, svc),
				"token of another": dialWith(t, svc, grpcBearer(forged)),
			}
			for name, c := range clients {
				t.Run(name, func(t *testing.T) {
					_, err := c.RegisterCustomer(t.Context(), zhangSan("reg-anon"))
					wantCode(t, err, codes.Unauthenticated)
					_, err = c.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: id})
					wantCode(t, err, codes.Unauthenticated)
					_, err = c.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{})
					wantCode(t, err, codes.Unauthenticated)
					_, err = c.LogInteraction(t.Context(), noteRequest("note-anon", id))
					wantCode(t, err, codes.Unauthenticated)
				})
			}
		})

		t.Run("invalid arguments", func(t *testing.T) {
			t.Parallel()
			testInvalidArguments(t, env, svc)
		})

		t.Run("list pages", func(t *testing.T) {
			t.Parallel()
			testListPages(t, env, svc)
		})

		t.Run("authorisation matrix", func(t *testing.T) {
			t.Parallel()
			testAuthorisationMatrix(t, env, svc)
		})
	})
	if t.Failed() {
		return
	}

	t.Run("restart replays into a new memory store", func(t *testing.T) {
		svc.Stop()
		restarted := env.start(t, nil)
		owner := env.dial(t, restarted, principal("acme", "s-owner", auth.RoleSales))
		got := getCustomer(t, owner, id, lastSeq)
		if diff := cmp.Diff(reg.GetCustomer(), got, protocmp.Transform(), ignoreFollowUp); diff != "" {
			t.Errorf("GetCustomer after restart mismatch (-registered, +read):\n%s", diff)
		}
		if got.GetLastFollowUpAt() == nil {
			t.Error("last_follow_up_at is unset after interactions were logged")
		}
		// The API shows no interaction count; a replay into a memory store
		// of our own shows the count is rebuilt too.
		c := replayIntoMemory(t, env, domain.Actor{Tenant: "acme", EmployeeID: "s-owner", Roles: []string{"sales"}}, id, lastSeq)
		if c.Interactions != interactions {
			t.Errorf("after replay the customer has %d interactions, want %d", c.Interactions, interactions)
		}
	})
}

// replayIntoMemory projects CLIENT into a new memory store and returns the
// customer once sequence seq is applied.
func replayIntoMemory(t *testing.T, env *testEnv, actor domain.Actor, id string, seq uint64) domain.Customer {
	t.Helper()
	uc := app.New(env.Log, store.NewMemory(), slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- uc.Project(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("project: %v", err)
		}
	}()
	c, err := uc.GetCustomer(t.Context(), actor, id, seq)
	if err != nil {
		t.Fatalf("GetCustomer after replay: %v", err)
	}
	return c
}

func TestClientServicePostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	readModel := store.NewPostgres(pool)
	svc := env.start(t, pool)
	owner := env.dial(t, svc, principal("acme", "s-owner", auth.RoleSales))

	reg := registerZhangSan(t, owner, "reg-zhang", "s-owner")
	id := reg.GetCustomer().GetCustomerId()
	if diff := cmp.Diff(reg.GetCustomer(), getCustomer(t, owner, id, reg.GetSequence()), protocmp.Transform()); diff != "" {
		t.Errorf("GetCustomer mismatch (-registered, +read):\n%s", diff)
	}
	var lastSeq uint64
	for _, requestID := range []string{"note-1", "note-2"} {
		logged, err := owner.LogInteraction(t.Context(), noteRequest(requestID, id))
		if err != nil {
			t.Fatalf("LogInteraction %s: %v", requestID, err)
		}
		lastSeq = logged.GetSequence()
	}
	getCustomer(t, owner, id, lastSeq)
	wantReadModel(t, readModel, id, 2, lastSeq)

	svc.Stop()
	restarted := env.start(t, pool)
	owner = env.dial(t, restarted, principal("acme", "s-owner", auth.RoleSales))
	if diff := cmp.Diff(reg.GetCustomer(), getCustomer(t, owner, id, lastSeq), protocmp.Transform(), ignoreFollowUp); diff != "" {
		t.Errorf("GetCustomer after restart mismatch (-registered, +read):\n%s", diff)
	}
	// Resumed from the checkpoint: nothing applied twice, and the next
	// event lands on top.
	wantReadModel(t, readModel, id, 2, lastSeq)
	logged, err := owner.LogInteraction(t.Context(), noteRequest("note-3", id))
	if err != nil {
		t.Fatalf("LogInteraction after restart: %v", err)
	}
	getCustomer(t, owner, id, logged.GetSequence())
	wantReadModel(t, readModel, id, 3, logged.GetSequence())

	list, err := owner.ListCustomers(t.Context(), &clientv1.ListCustomersRequest{})
	if err != nil {
		t.Fatalf("ListCustomers: %v", err)
	}
	if diff := cmp.Diff([]*clientv1.Customer{reg.GetCustomer()}, list.GetCustomers(), protocmp.Transform(), ignoreFollowUp); diff != "" {
		t.Errorf("ListCustomers mismatch (-want, +got):\n%s", diff)
	}
}

// ignoreFollowUp compares customers as registered with customers read after
// interactions, which moved last_follow_up_at on.
var ignoreFollowUp = protocmp.IgnoreFields(&clientv1.Customer{}, "last_follow_up_at")

// wantReadModel checks the PostgreSQL read model directly: the customer's
// interaction count and the projection's checkpoint.
func wantReadModel(t *testing.T, st store.Store, id string, interactions int, checkpoint uint64) {
	t.Helper()
	c, err := st.GetCustomer(t.Context(), "acme", id)
	if err != nil {
		t.Fatalf("read model GetCustomer: %v", err)
	}
	if c.Interactions != interactions {
		t.Errorf("read model has %d interactions, want %d", c.Interactions, interactions)
	}
	cp, err := st.Checkpoint(t.Context())
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if cp != checkpoint {
		t.Errorf("checkpoint = %d, want %d", cp, checkpoint)
	}
}
