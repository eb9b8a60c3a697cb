package app

import (
	"context"
	"fmt"

	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// ListMySensitiveHits pages through the sensitive-word hits in the
// caller's own interactions: every match of the company's lexicon in
// every interaction the caller logged, whatever the rules made of it. It
// is the employee's self-view, so it takes no employee id and answers for
// every role. It reads only the sensitive-hits view, never the alerts, and
// waits only for that view: neither what it lists nor when it answers can
// tell the caller whether anyone judged their records.
func (a *App) ListMySensitiveHits(ctx context.Context, actor Actor, f store.HitFilter, consistentWith []SourcePosition) ([]store.SensitiveHit, error) {
	if err := a.waitHitsRead(ctx, consistentWith); err != nil {
		return nil, err
	}
	hits, err := a.store.ListSensitiveHits(ctx, actor.Tenant, actor.EmployeeID, f)
	if err != nil {
		return nil, fmt.Errorf("list my sensitive hits: %w", err)
	}
	return hits, nil
}
