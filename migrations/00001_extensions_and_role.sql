-- pgvector for face embeddings, and the role the application runs as.
--
-- The app connects as the migrating user and switches to proofsheet_app on
-- every pooled connection. proofsheet_app owns no table and cannot bypass
-- row-level security, so every policy below applies to it.
-- +goose Up
CREATE EXTENSION IF NOT EXISTS vector;

-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'proofsheet_app') THEN
        CREATE ROLE proofsheet_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;
-- +goose StatementEnd
GRANT proofsheet_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO proofsheet_app;

-- app_studio() is the studio of the current transaction (NULL when unset, so
-- policies match nothing).
CREATE FUNCTION app_studio() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.studio_id', true), '')::uuid $$;

-- +goose Down
DROP FUNCTION app_studio();
REVOKE USAGE ON SCHEMA public FROM proofsheet_app;
