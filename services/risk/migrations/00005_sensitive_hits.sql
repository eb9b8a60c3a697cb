-- +goose Up
-- The sensitive-hits view: every lexicon match in every interaction, as the
-- hits projector finds them in RISK_IN, whatever the rules made of them
-- (the employee's self-view must not depend on alerts). One row per match,
-- keyed like the projector's idempotence: (tenant, event id, index). The
-- projector starts from an empty checkpoint, so it fills the table from
-- RISK_IN's first record, interactions from before this migration included.
CREATE TABLE sensitive_hits (
    tenant       text             NOT NULL,
    event_id     text             NOT NULL,
    idx          int              NOT NULL CHECK (idx >= 0),
    employee_id  text             NOT NULL,
    -- stream orders like Go strings (HitOrder), whatever the database's locale.
    stream       text COLLATE "C" NOT NULL,
    sequence     bigint           NOT NULL CHECK (sequence > 0),
    occurred_at  timestamptz      NOT NULL,
    -- The nanoseconds timestamptz drops (0-999): the view returns the
    -- interaction's occurred_at exactly as its envelope has it.
    occurred_ns  smallint         NOT NULL CHECK (occurred_ns BETWEEN 0 AND 999),
    phrase       text             NOT NULL,
    start_byte   int              NOT NULL,
    end_byte     int              NOT NULL,
    matched_text text             NOT NULL,
    quoted       boolean          NOT NULL,
    PRIMARY KEY (tenant, event_id, idx)
);
-- ListSensitiveHits: one employee's hits in HitOrder.
CREATE INDEX sensitive_hits_employee ON sensitive_hits (tenant, employee_id, sequence DESC, stream, idx);

-- Per domain stream, the highest source sequence the projector has read,
-- saved with its checkpoint: what a consistency wait resumes from.
CREATE TABLE sensitive_hit_sources (
    stream   text   PRIMARY KEY,
    sequence bigint NOT NULL CHECK (sequence >= 0)
);

-- The fingerprint of the lexicon the hits were found with: a build with
-- other phrases empties the view and fills it again from RISK_IN's start,
-- so an employee's list is always the current list's matches.
CREATE TABLE sensitive_hit_lexicon (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    fingerprint text    NOT NULL
);

-- +goose Down
DROP TABLE sensitive_hit_lexicon;
DROP TABLE sensitive_hit_sources;
DROP TABLE sensitive_hits;
DELETE FROM checkpoints WHERE projection = 'sensitive_hits';
