package store

import (
	"context"
	"fmt"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// ListSensitiveHits implements Store. The matches live inside each alert's
// jsonb evidence, so the query unnests them (an alert's evidence or an
// event's matches may be JSON null: nil slices) and keeps each event's
// copy from the oldest alert citing it.
func (p *Postgres) ListSensitiveHits(ctx context.Context, tenant, employee string, f HitFilter) ([]SensitiveHit, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	var after HitCursor
	if f.After != nil {
		after = *f.After
	}
	rows, err := p.Pool.Query(ctx, `SELECT ev, idx FROM (
			SELECT DISTINCT ON (h.seq, h.stream, h.idx) h.ev, h.idx, h.seq, h.stream
			FROM (
				SELECT e.ev, (e.ev->>'Sequence')::bigint AS seq, (e.ev->>'Stream') COLLATE "C" AS stream,
					m.idx - 1 AS idx, a.raised_sequence
				FROM risk.alerts a
				CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(a.data->'Evidence') = 'array'
					THEN a.data->'Evidence' ELSE '[]'::jsonb END) AS e(ev)
				CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(e.ev->'Matches') = 'array'
					THEN e.ev->'Matches' ELSE '[]'::jsonb END) WITH ORDINALITY AS m(match, idx)
				WHERE a.tenant = $1 AND a.employee_id = $2
			) h
			ORDER BY h.seq DESC, h.stream, h.idx, h.raised_sequence
		) d
		WHERE ($3::timestamptz IS NULL OR (ev->>'OccurredAt')::timestamptz >= $3)
		  AND ($4::timestamptz IS NULL OR (ev->>'OccurredAt')::timestamptz < $4)
		  AND ($5 = 0 OR seq < $5 OR (seq = $5 AND (stream > $6 OR (stream = $6 AND idx > $7))))
		ORDER BY seq DESC, stream, idx
		LIMIT $8`, tenant, employee, nullTime(f.OccurredFrom), nullTime(f.OccurredTo),
		int64(after.Sequence), after.Stream, after.Index, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list sensitive hits: %w", err)
	}
	defer rows.Close()
	var out []SensitiveHit
	for rows.Next() {
		var (
			ev  domain.Evidence
			idx int
		)
		if err := rows.Scan(&ev, &idx); err != nil {
			return nil, fmt.Errorf("store: list sensitive hits: %w", err)
		}
		if idx < 0 || idx >= len(ev.Matches) {
			return nil, fmt.Errorf("store: list sensitive hits: match %d of event %s out of range", idx, ev.EventID)
		}
		out = append(out, SensitiveHit{
			EventID: ev.EventID, Stream: ev.Stream, Sequence: ev.Sequence, OccurredAt: ev.OccurredAt, Index: idx, Match: ev.Matches[idx],
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sensitive hits: %w", err)
	}
	return out, nil
}
