package app

import (
	"context"
	"fmt"

	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// ListMySensitiveHits pages through the sensitive-word hits in the
// caller's own interactions: the matches the engine recorded as evidence
// of the caller's alerts, each interaction once. It is the employee's
// self-view, so it takes no employee id and answers for every role; what
// it returns says nothing of the alerts, their status or any case.
//
// Hits are as the alerts keep them: an interaction judged while the rule
// was disabled, or suppressed for the caller, raised no alert and so shows
// no hit here.
func (a *App) ListMySensitiveHits(ctx context.Context, actor Actor, f store.HitFilter, consistentWith []SourcePosition) ([]store.SensitiveHit, error) {
	if err := a.waitJudged(ctx, consistentWith); err != nil {
		return nil, err
	}
	hits, err := a.store.ListSensitiveHits(ctx, actor.Tenant, actor.EmployeeID, f)
	if err != nil {
		return nil, fmt.Errorf("list my sensitive hits: %w", err)
	}
	return hits, nil
}
