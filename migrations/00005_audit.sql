-- The audit log: append-only and hash-chained per studio.
--
-- proofsheet_app may only SELECT and INSERT. Each entry's hash covers its
-- fields and the previous entry's hash, and seq has no gaps, so
-- `proofsheet audit verify` finds an altered, inserted or removed entry.
-- +goose Up
CREATE TABLE audit_log (
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    seq         bigint NOT NULL CHECK (seq >= 1),
    at          timestamptz NOT NULL,
    actor_id    uuid,
    actor       text NOT NULL,
    kind        text NOT NULL,
    ip          text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}',
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    PRIMARY KEY (studio_id, seq)
);
CREATE INDEX audit_log_kind_idx ON audit_log (studio_id, kind, seq);
CREATE INDEX audit_log_actor_idx ON audit_log (studio_id, actor_id, seq);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY studio_isolation ON audit_log USING (studio_id = app_studio()) WITH CHECK (studio_id = app_studio());
GRANT SELECT, INSERT ON audit_log TO proofsheet_app;

-- +goose Down
DROP TABLE audit_log;
