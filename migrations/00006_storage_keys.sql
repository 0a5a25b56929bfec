-- Data keys of the encrypted object store (app/storage), one or more
-- versions per studio. Each is 32 random bytes wrapped with AES-256-GCM by
-- the operator's master key (12-byte nonce, ciphertext, 16-byte tag; the
-- studio id and version are the associated data); the master key itself
-- never reaches the database, only its id (an HMAC of a constant).
--
-- Deleting a studio deletes its keys with it, which leaves its objects
-- unreadable wherever they are, backups included (crypto-shredding). The
-- app role can read and add keys, never change one.
-- +goose Up
CREATE TABLE storage_keys (
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    version       integer NOT NULL CHECK (version >= 1),
    wrapped       bytea NOT NULL CHECK (octet_length(wrapped) = 60),
    master_key_id text NOT NULL CHECK (master_key_id ~ '^[0-9a-f]{16}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (studio_id, version)
);

ALTER TABLE storage_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY studio_isolation ON storage_keys USING (studio_id = app_studio()) WITH CHECK (studio_id = app_studio());
GRANT SELECT, INSERT ON storage_keys TO proofsheet_app;

-- storage_master_key_ids lets a starting server check that its master key
-- is the one the database's keys were wrapped by, without reading any
-- studio's rows.
-- +goose StatementBegin
CREATE FUNCTION storage_master_key_ids() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT DISTINCT master_key_id FROM storage_keys $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION storage_master_key_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storage_master_key_ids() TO proofsheet_app;

-- +goose Down
DROP FUNCTION storage_master_key_ids();
DROP TABLE storage_keys;
