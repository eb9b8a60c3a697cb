-- +goose Up
-- 00002 added the case columns (outcome, case_opened_at, case_sequence) but
-- could not fill them for alerts HR had already confirmed or resolved: only
-- RISK knows when. The alert view is a projection of RISK, so it is rebuilt:
-- emptied with its checkpoint, the projector replays RISK from the start.
DELETE FROM alerts;
DELETE FROM checkpoints WHERE projection = 'alerts';

-- +goose Down
-- Nothing to undo: the projector rebuilds the view either way.
SELECT 1;
