package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/pgstore"
	"github.com/holdfast/holdfast/services/risk/migrations"
)

// hitsProjection names the hits projector's checkpoint (a RISK_IN
// sequence) among the schema's checkpoints.
const hitsProjection = "sensitive_hits"

func (p *Postgres) hitsView() pgstore.Projection {
	return pgstore.Projection{Pool: p.Pool, Schema: migrations.Schema, Name: hitsProjection, Stream: eventlog.StreamRiskIn}
}

// RecordHits implements Store.
func (p *Postgres) RecordHits(ctx context.Context, progress HitProgress, hits ...SensitiveHit) error {
	return p.hitsView().ApplyAt(ctx, progress.Sequence, func(tx pgx.Tx) error {
		for _, h := range hits {
			if h.Sequence > math.MaxInt64 {
				return fmt.Errorf("store: record hit of %s: sequence %d out of range", h.EventID, h.Sequence)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO risk.sensitive_hits (tenant, event_id, idx, employee_id, stream, sequence,
					occurred_at, occurred_ns, phrase, start_byte, end_byte, matched_text, quoted)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
				ON CONFLICT (tenant, event_id, idx) DO NOTHING`,
				h.Tenant, h.EventID, h.Index, h.EmployeeID, h.Stream, int64(h.Sequence),
				h.OccurredAt, h.OccurredAt.Nanosecond()%1000, h.Match.Phrase, h.Match.Start, h.Match.End, h.Match.MatchedText, h.Match.Quoted); err != nil {
				return fmt.Errorf("store: record hit of %s: %w", h.EventID, err)
			}
		}
		for stream, seq := range progress.Sources {
			if seq > math.MaxInt64 {
				return fmt.Errorf("store: record hits: %s sequence %d out of range", stream, seq)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO risk.sensitive_hit_sources AS s (stream, sequence) VALUES ($1, $2)
				ON CONFLICT (stream) DO UPDATE SET sequence = GREATEST(s.sequence, EXCLUDED.sequence)`,
				stream, int64(seq)); err != nil {
				return fmt.Errorf("store: record hits: %s progress: %w", stream, err)
			}
		}
		return nil
	})
}

// ResetHits implements Store.
func (p *Postgres) ResetHits(ctx context.Context, lexicon string) error {
	err := pgstore.InTx(ctx, p.Pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM risk.sensitive_hits`,
			`DELETE FROM risk.sensitive_hit_sources`,
			`DELETE FROM risk.checkpoints WHERE projection = '` + hitsProjection + `'`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO risk.sensitive_hit_lexicon (only_row, fingerprint) VALUES (true, $1)
			ON CONFLICT (only_row) DO UPDATE SET fingerprint = EXCLUDED.fingerprint`, lexicon)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: reset hits: %w", err)
	}
	return nil
}

// HitProgress implements Store.
func (p *Postgres) HitProgress(ctx context.Context) (HitProgress, error) {
	seq, err := p.hitsView().Checkpoint(ctx)
	if err != nil {
		return HitProgress{}, fmt.Errorf("store: hit progress: %w", err)
	}
	var lexicon string
	err = p.Pool.QueryRow(ctx, `SELECT fingerprint FROM risk.sensitive_hit_lexicon`).Scan(&lexicon)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return HitProgress{}, fmt.Errorf("store: hit progress: %w", err)
	}
	rows, err := p.Pool.Query(ctx, `SELECT stream, sequence FROM risk.sensitive_hit_sources`)
	if err != nil {
		return HitProgress{}, fmt.Errorf("store: hit progress: %w", err)
	}
	defer rows.Close()
	progress := HitProgress{Sequence: seq, Lexicon: lexicon}
	for rows.Next() {
		var (
			stream string
			n      int64
		)
		if err := rows.Scan(&stream, &n); err != nil {
			return HitProgress{}, fmt.Errorf("store: hit progress: %w", err)
		}
		if progress.Sources == nil {
			progress.Sources = map[string]uint64{}
		}
		progress.Sources[stream] = uint64(n) //nolint:gosec // the column's CHECK keeps it non-negative
	}
	if err := rows.Err(); err != nil {
		return HitProgress{}, fmt.Errorf("store: hit progress: %w", err)
	}
	return progress, nil
}

// ListSensitiveHits implements Store.
func (p *Postgres) ListSensitiveHits(ctx context.Context, tenant, employee string, f HitFilter) ([]SensitiveHit, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	var after HitCursor
	if f.After != nil {
		after = *f.After
	}
	if after.Sequence > math.MaxInt64 {
		return nil, ErrBadFilter
	}
	rows, err := p.Pool.Query(ctx, `SELECT tenant, employee_id, event_id, stream, sequence, occurred_at, occurred_ns, idx,
			phrase, start_byte, end_byte, matched_text, quoted
		FROM risk.sensitive_hits
		WHERE tenant = $1 AND employee_id = $2
		  AND ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at < $4)
		  AND ($5 = 0 OR sequence < $5 OR (sequence = $5 AND (stream > $6 OR (stream = $6 AND idx > $7))))
		ORDER BY sequence DESC, stream, idx
		LIMIT $8`, tenant, employee, nullTime(f.OccurredFrom), nullTime(f.OccurredTo),
		int64(after.Sequence), after.Stream, after.Index, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list sensitive hits: %w", err)
	}
	defer rows.Close()
	var out []SensitiveHit
	for rows.Next() {
		var (
			h   SensitiveHit
			seq int64
			ns  int16
		)
		if err := rows.Scan(&h.Tenant, &h.EmployeeID, &h.EventID, &h.Stream, &seq, &h.OccurredAt, &ns, &h.Index,
			&h.Match.Phrase, &h.Match.Start, &h.Match.End, &h.Match.MatchedText, &h.Match.Quoted); err != nil {
			return nil, fmt.Errorf("store: list sensitive hits: %w", err)
		}
		h.Sequence = uint64(seq) //nolint:gosec // the column's CHECK keeps it positive
		h.OccurredAt = h.OccurredAt.Add(time.Duration(ns))
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list sensitive hits: %w", err)
	}
	return out, nil
}
