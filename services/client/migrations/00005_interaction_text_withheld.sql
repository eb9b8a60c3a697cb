-- +goose Up
-- text_withheld marks an interaction whose text the tenant's text
-- recording policy kept out (body is empty). Every interaction logged
-- before it existed kept its text, so false is right for them and no
-- replay is needed.
ALTER TABLE interactions ADD COLUMN text_withheld boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE interactions DROP COLUMN text_withheld;
