package app

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// BenchmarkProjectSensitiveHits measures how fast the sensitive-hits view
// catches up with a RISK_IN of benchInteractions chats, one in a hundred
// with a phrase of the lexicon, into the memory and the PostgreSQL view;
// beside it, the same follower of the same subjects with a handler that
// does nothing: what reading RISK_IN alone costs.
func BenchmarkProjectSensitiveHits(b *testing.B) {
	const benchInteractions = 5000
	_, log := testkit.StartEventLog(b)
	writeChats(b, log, benchInteractions)
	b.Run("follow only", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := log.Follow(b.Context(), eventlog.StreamRiskIn, func(context.Context, eventlog.Record) error {
				n++
				return nil
			}, eventlog.FollowOptions{StopAtEnd: true, Subjects: riskInInteractionSubjects(nil)}); err != nil || n != benchInteractions {
				b.Fatalf("followed %d records: %v", n, err)
			}
		}
		b.ReportMetric(float64(benchInteractions*b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("memory", func(b *testing.B) {
		for b.Loop() {
			catchUpHits(b, log, store.NewMemory())
		}
		b.ReportMetric(float64(benchInteractions*b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("postgres", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			pool := testkit.NewDatabase(b, "risk", func(ctx context.Context, pool *pgxpool.Pool) error {
				return store.Migrate(ctx, pool)
			})
			b.StartTimer()
			catchUpHits(b, log, store.NewPostgres(pool))
		}
		b.ReportMetric(float64(benchInteractions*b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// writeChats appends n chats to CLIENT, every hundredth with a phrase of
// the default lexicon, and waits until RISK_IN has sourced them all.
func writeChats(b *testing.B, log *eventlog.Log, n int) {
	b.Helper()
	const batch = 500
	var last uint64
	for from := 0; from < n; from += batch {
		reqs := make([]eventlog.AppendRequest, 0, batch)
		for i := from; i < min(from+batch, n); i++ {
			text := "王总您好，报价单已发您邮箱，合同按公司流程走"
			if i%100 == 0 {
				text = "加我私人微信，这单我们走私单"
			}
			id := fmt.Sprintf("chat-%d", i)
			reqs = append(reqs, eventlog.AppendRequest{
				Ref:       eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "interaction", ID: id},
				RequestID: id, ActorID: "sales-1", OccurredAt: time.Now(),
				Payload: &clientv1.InteractionLogged{InteractionId: id, EmployeeId: fmt.Sprintf("sales-%d", i%20), Text: text},
			})
		}
		results, err := log.AppendBatch(b.Context(), reqs)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			last = max(last, r.Appended.Sequence)
		}
	}
	ctx, cancel := context.WithTimeout(b.Context(), time.Minute)
	defer cancel()
	sourced := false
	_ = log.Follow(ctx, eventlog.StreamRiskIn, func(_ context.Context, rec eventlog.Record) error {
		if rec.Source != nil && rec.Source.Sequence >= last {
			sourced = true
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{})
	if !sourced {
		b.Fatalf("RISK_IN has not sourced CLIENT %d within a minute", last)
	}
}

// catchUpHits runs a hits projector into st until it has caught up.
func catchUpHits(b *testing.B, log *eventlog.Log, st store.Store) {
	b.Helper()
	lex := lexicon.Default()
	a, err := New(log, st, engine.New(lex, engine.DefaultSensitiveWords()), lex, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan error, 1)
	go func() { done <- a.ProjectSensitiveHits(ctx) }()
	select {
	case <-a.hitsCaughtUp:
	case err := <-done:
		b.Fatalf("hits projector stopped before catching up: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
