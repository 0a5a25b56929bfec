-- Studios (the tenant), their users, sessions, tokens, invites, resets,
-- e-mail outbox and the failed-login counters.
--
-- Every studio-owned table carries studio_id and a policy comparing it with
-- app_studio(). Look-ups that must find a studio before one is known (login
-- by e-mail, a session cookie, a bearer token, a link in an e-mail) go
-- through studio_of(), a SECURITY DEFINER function that returns only the
-- studio id, never a row.
-- +goose Up
CREATE TABLE studios (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    studio_id           uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    email               text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    name                text NOT NULL DEFAULT '',
    role                text NOT NULL CHECK (role IN ('owner', 'staff')),
    password_hash       text NOT NULL,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    totp_secret         text,
    totp_enabled_at     timestamptz,
    totp_last_counter   bigint NOT NULL DEFAULT 0,
    disabled_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now()
);
-- One account per e-mail address across all studios, so login needs no studio.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_studio_idx ON users (studio_id);

CREATE TABLE recovery_codes (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   text NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    studio_id    uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   text NOT NULL UNIQUE,
    -- 'mfa': password checked, second factor pending; 'full': signed in.
    stage        text NOT NULL CHECK (stage IN ('mfa', 'full')),
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    studio_id    uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    token_hash   text NOT NULL UNIQUE,
    prefix       text NOT NULL,
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_studio_idx ON api_tokens (studio_id);

CREATE TABLE password_resets (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invites (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (email = lower(email)),
    role        text NOT NULL CHECK (role IN ('owner', 'staff')),
    token_hash  text NOT NULL UNIQUE,
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE email_outbox (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    to_addr     text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    last_error  text NOT NULL DEFAULT ''
);

-- Failed-attempt counters for anything guessable. Keys are SHA-256 hashes
-- (of "login-ip:1.2.3.4", "login-account:<email>") so no address is kept.
-- Not studio data: no studio_id, no policy.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL
);

-- Row-level security on every studio-owned table.
ALTER TABLE studios ENABLE ROW LEVEL SECURITY;
CREATE POLICY studio_isolation ON studios USING (id = app_studio()) WITH CHECK (id = app_studio());
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'recovery_codes', 'sessions', 'api_tokens',
                             'password_resets', 'invites', 'email_outbox'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY studio_isolation ON %I USING (studio_id = app_studio()) WITH CHECK (studio_id = app_studio())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO proofsheet_app', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
GRANT SELECT, INSERT, UPDATE, DELETE ON studios, rate_limits TO proofsheet_app;

-- studio_of maps a login e-mail or the hash of a secret to its studio, and
-- nothing else; callers then work inside that studio under RLS.
-- +goose StatementBegin
CREATE FUNCTION studio_of(kind text, key text) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    CASE kind
    WHEN 'email'   THEN RETURN (SELECT studio_id FROM users WHERE email = lower(key));
    WHEN 'session' THEN RETURN (SELECT studio_id FROM sessions WHERE token_hash = key);
    WHEN 'token'   THEN RETURN (SELECT studio_id FROM api_tokens WHERE token_hash = key);
    WHEN 'reset'   THEN RETURN (SELECT studio_id FROM password_resets WHERE token_hash = key);
    WHEN 'invite'  THEN RETURN (SELECT studio_id FROM invites WHERE token_hash = key);
    ELSE RAISE EXCEPTION 'studio_of: unknown kind %', kind;
    END CASE;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION studio_of(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION studio_of(text, text) TO proofsheet_app;

-- River's tables are shared by all studios (job arguments carry studio ids).
GRANT SELECT, INSERT, UPDATE, DELETE ON river_job, river_migration, river_queue, river_leader TO proofsheet_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO proofsheet_app;
-- /readyz compares the applied version with the embedded one.
GRANT SELECT ON goose_db_version TO proofsheet_app;

-- +goose Down
DROP FUNCTION studio_of(text, text);
DROP TABLE rate_limits, email_outbox, invites, password_resets, api_tokens, sessions, recovery_codes, users, studios;
