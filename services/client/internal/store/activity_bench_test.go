package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/testkit"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// benchActivity reads what a 90-day team report of 20 employees reads
// (1,000 customers, 10,000 interactions) from s.
func benchActivity(b *testing.B, s store.Store) {
	ctx := context.Background()
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var (
		seq       uint64
		employees []string
	)
	for e := range 20 {
		id := fmt.Sprintf("e%02d", e)
		employees = append(employees, id)
		for c := range 50 {
			seq++
			cust := domain.Customer{
				Tenant: "bench", ID: fmt.Sprintf("%s-c%02d", id, c), PersonName: "客户", Phones: []string{fmt.Sprintf("+86138%04d%04d", e, c)},
				Source: domain.SourceWebsite, OwnerID: id, RegisteredBy: id, RegisteredAt: from.AddDate(0, 0, c), HeldSince: from.AddDate(0, 0, c),
			}
			if err := s.Apply(ctx, seq, cust); err != nil {
				b.Fatal(err)
			}
			for i := range 10 {
				seq++
				in := domain.LoggedInteraction{
					Tenant: "bench", ID: fmt.Sprintf("i%d", seq), EmployeeID: id, Sequence: seq,
					Interaction: domain.Interaction{CustomerID: cust.ID, Kind: domain.KindCall, Direction: domain.DirectionOutbound, OccurredAt: from.AddDate(0, 0, c+i*4)},
				}
				if err := s.ApplyInteraction(ctx, seq, in, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	to := from.AddDate(0, 0, 90)
	b.ResetTimer()
	for b.Loop() {
		hs, err := s.Holdings(ctx, "bench", employees, from, to)
		if err != nil || len(hs) != 1000 {
			b.Fatalf("holdings: %d, %v", len(hs), err)
		}
		ts, err := s.Touches(ctx, "bench", employees, from, to)
		if err != nil || len(ts) == 0 {
			b.Fatalf("touches: %d, %v", len(ts), err)
		}
		reg, err := s.RegisteredBetween(ctx, "bench", employees, from, to)
		if err != nil || len(reg) != 1000 {
			b.Fatalf("registered: %d, %v", len(reg), err)
		}
	}
}

func BenchmarkActivityMemory(b *testing.B) { benchActivity(b, store.NewMemory()) }

func BenchmarkActivityPostgres(b *testing.B) {
	benchActivity(b, store.NewPostgres(testkit.NewDatabase(b, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})))
}
