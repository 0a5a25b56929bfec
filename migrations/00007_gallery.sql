-- Galleries and client proofing: clients, albums, folders, photos, share
-- links, guests, favourites, selections, annotations, notifications and
-- album activity. Every table is studio-owned and under row-level security.
--
-- Guests never have a studio account: a share link token (or a guest
-- session cookie) is resolved to its studio through studio_of(), like a
-- staff session, and everything after that runs inside the studio.
-- +goose Up
CREATE TABLE clients (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    email       text NOT NULL DEFAULT '' CHECK (char_length(email) <= 254),
    phone       text NOT NULL DEFAULT '' CHECK (char_length(phone) <= 40),
    notes       text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 5000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_studio_idx ON clients (studio_id, lower(name));

CREATE TABLE albums (
    id                uuid PRIMARY KEY,
    studio_id         uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    client_id         uuid REFERENCES clients (id) ON DELETE SET NULL,
    title             text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    event_date        date,
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    cover_photo_id    uuid,
    -- Download settings: the server enforces them on every path.
    originals_allowed boolean NOT NULL DEFAULT false,
    web_allowed       boolean NOT NULL DEFAULT true,
    -- PINs are argon2id hashes; NULL means the PIN is not set (no view PIN:
    -- the link alone shows the album; no annotate PIN: nobody annotates).
    view_pin_hash     text,
    annotate_pin_hash text,
    selection_limit   integer CHECK (selection_limit > 0),
    -- {"kind": "text"|"logo", "text": "...", "position": "center"|..., "opacity": 0.0-1.0}
    watermark         jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX albums_studio_idx ON albums (studio_id, created_at DESC);
CREATE INDEX albums_client_idx ON albums (client_id);

CREATE TABLE folders (
    id              uuid PRIMARY KEY,
    studio_id       uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id        uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    position        integer NOT NULL DEFAULT 0,
    hidden          boolean NOT NULL DEFAULT false,
    download_locked boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (album_id, name)
);
CREATE INDEX folders_studio_idx ON folders (studio_id);

CREATE TABLE photos (
    id            uuid PRIMARY KEY,
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id      uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    folder_id     uuid NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    filename      text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    media_type    text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('image', 'video', 'document')),
    size          bigint NOT NULL CHECK (size >= 0),
    sha256        bytea NOT NULL CHECK (octet_length(sha256) = 32),
    -- CRC-32 of the original and of the web-size preview, so a stored zip's
    -- headers, and so its exact length, are known before streaming it.
    crc32         bigint NOT NULL DEFAULT 0,
    preview_size  bigint NOT NULL DEFAULT 0,
    preview_crc32 bigint NOT NULL DEFAULT 0,
    width         integer NOT NULL DEFAULT 0,
    height        integer NOT NULL DEFAULT 0,
    taken_at      timestamptz,
    position      integer NOT NULL DEFAULT 0,
    status        text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'failed')),
    failure       text NOT NULL DEFAULT '',
    placeholder   text NOT NULL DEFAULT '' CHECK (placeholder = '' OR placeholder ~ '^#[0-9a-f]{6}$'),
    original_key  text NOT NULL,
    thumb_key     text NOT NULL DEFAULT '',
    preview_key   text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- The same file twice in an album is a duplicate.
    UNIQUE (album_id, sha256)
);
CREATE INDEX photos_folder_idx ON photos (folder_id, position, created_at);
CREATE INDEX photos_studio_idx ON photos (studio_id);
ALTER TABLE albums ADD FOREIGN KEY (cover_photo_id) REFERENCES photos (id) ON DELETE SET NULL;

-- Resumable uploads (tus) in progress; the bytes so far live encrypted in
-- the blob store under object_key.
CREATE TABLE uploads (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id    uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    folder_id   uuid NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    filename    text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    size        bigint NOT NULL CHECK (size >= 0),
    received    bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= size),
    parts       integer NOT NULL DEFAULT 0,
    object_key  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX uploads_studio_idx ON uploads (studio_id);

CREATE TABLE share_links (
    id            uuid PRIMARY KEY,
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id      uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    label         text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 120),
    token_hash    text NOT NULL UNIQUE,
    expires_at    timestamptz, -- NULL only when "never" was chosen
    revoked_at    timestamptz,
    views         bigint NOT NULL DEFAULT 0,
    downloads     bigint NOT NULL DEFAULT 0,
    last_used_at  timestamptz,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX share_links_album_idx ON share_links (album_id);
CREATE INDEX share_links_studio_idx ON share_links (studio_id);

-- Wrong-PIN counters per link and client (a hash of the client's address):
-- five failures in 15 minutes lock the client out for a delay that doubles
-- with each lockout.
CREATE TABLE pin_failures (
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    link_id       uuid NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    client_key    text NOT NULL,
    failures      integer NOT NULL DEFAULT 0,
    window_start  timestamptz NOT NULL,
    lockouts      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    PRIMARY KEY (link_id, client_key)
);
CREATE INDEX pin_failures_studio_idx ON pin_failures (studio_id);

-- A guest gives a name and e-mail once per link, for favourites and notes.
CREATE TABLE guests (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    link_id     uuid NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    email       text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (link_id, email)
);
CREATE INDEX guests_studio_idx ON guests (studio_id);

-- A browser that opened a link (and entered a PIN): the cookie holds the
-- token, the row its hash and what it may do.
CREATE TABLE guest_sessions (
    id            uuid PRIMARY KEY,
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    link_id       uuid NOT NULL REFERENCES share_links (id) ON DELETE CASCADE,
    guest_id      uuid REFERENCES guests (id) ON DELETE SET NULL,
    token_hash    text NOT NULL UNIQUE,
    access        text NOT NULL CHECK (access IN ('view', 'annotate')),
    ip            text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX guest_sessions_link_idx ON guest_sessions (link_id);
CREATE INDEX guest_sessions_studio_idx ON guest_sessions (studio_id);

CREATE TABLE favourites (
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    guest_id    uuid NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    photo_id    uuid NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guest_id, photo_id)
);
CREATE INDEX favourites_photo_idx ON favourites (photo_id);
CREATE INDEX favourites_studio_idx ON favourites (studio_id);

-- A submitted selection is a snapshot: later changes to favourites do not
-- alter what the photographer was sent.
CREATE TABLE selections (
    id            uuid PRIMARY KEY,
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id      uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    guest_id      uuid NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    note          text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    submitted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX selections_album_idx ON selections (album_id, submitted_at DESC);
CREATE INDEX selections_studio_idx ON selections (studio_id);

CREATE TABLE selection_photos (
    studio_id     uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    selection_id  uuid NOT NULL REFERENCES selections (id) ON DELETE CASCADE,
    photo_id      uuid NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    PRIMARY KEY (selection_id, photo_id)
);
CREATE INDEX selection_photos_studio_idx ON selection_photos (studio_id);

-- Coordinates are fractions of the photo's width and height, so they fit
-- every rendition.
CREATE TABLE annotations (
    id           uuid PRIMARY KEY,
    studio_id    uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    photo_id     uuid NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    guest_id     uuid REFERENCES guests (id) ON DELETE SET NULL,
    shape        text NOT NULL CHECK (shape IN ('point', 'rect')),
    x            double precision NOT NULL CHECK (x >= 0 AND x <= 1),
    y            double precision NOT NULL CHECK (y >= 0 AND y <= 1),
    w            double precision NOT NULL DEFAULT 0 CHECK (w >= 0 AND x + w <= 1.0001),
    h            double precision NOT NULL DEFAULT 0 CHECK (h >= 0 AND y + h <= 1.0001),
    note         text NOT NULL CHECK (char_length(note) BETWEEN 1 AND 2000),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    CHECK (shape = 'rect' OR (w = 0 AND h = 0))
);
CREATE INDEX annotations_photo_idx ON annotations (photo_id, created_at);
CREATE INDEX annotations_studio_idx ON annotations (studio_id);

CREATE TABLE annotation_replies (
    id             uuid PRIMARY KEY,
    studio_id      uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    annotation_id  uuid NOT NULL REFERENCES annotations (id) ON DELETE CASCADE,
    user_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    guest_id       uuid REFERENCES guests (id) ON DELETE SET NULL,
    body           text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX annotation_replies_annotation_idx ON annotation_replies (annotation_id, created_at);
CREATE INDEX annotation_replies_studio_idx ON annotation_replies (studio_id);

-- What the studio should look at: a submitted selection, a new note.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    title       text NOT NULL,
    url         text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX notifications_studio_idx ON notifications (studio_id, created_at DESC);

-- Who viewed, favourited, annotated and downloaded what in an album. The
-- audit log keeps the tamper-evident record; this table answers the
-- photographer's "what happened in this album" quickly.
CREATE TABLE album_activity (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id    uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    link_id     uuid REFERENCES share_links (id) ON DELETE SET NULL,
    guest_id    uuid REFERENCES guests (id) ON DELETE SET NULL,
    photo_id    uuid REFERENCES photos (id) ON DELETE SET NULL,
    kind        text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX album_activity_album_idx ON album_activity (album_id, at DESC);
CREATE INDEX album_activity_studio_idx ON album_activity (studio_id);

-- Zips too large to stream are built by a job and kept at most 24 hours.
CREATE TABLE zip_exports (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    album_id    uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    folder_id   uuid REFERENCES folders (id) ON DELETE CASCADE,
    link_id     uuid REFERENCES share_links (id) ON DELETE CASCADE,
    what        text NOT NULL CHECK (what IN ('original', 'web')),
    name        text NOT NULL,
    status      text NOT NULL DEFAULT 'building' CHECK (status IN ('building', 'ready', 'failed')),
    files       integer NOT NULL DEFAULT 0,
    object_key  text NOT NULL,
    size        bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL CHECK (expires_at <= created_at + interval '24 hours')
);
CREATE INDEX zip_exports_expiry_idx ON zip_exports (expires_at);
CREATE INDEX zip_exports_studio_idx ON zip_exports (studio_id);

-- The hourly clean-up runs outside any studio: this lists expired zips of
-- every studio (ids and keys only) so it can delete each inside its studio.
-- +goose StatementBegin
CREATE FUNCTION expired_zip_exports(at timestamptz) RETURNS TABLE (studio_id uuid, id uuid, object_key text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT studio_id, id, object_key FROM zip_exports WHERE expires_at <= at $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION expired_zip_exports(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expired_zip_exports(timestamptz) TO proofsheet_app;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['clients', 'albums', 'folders', 'photos', 'uploads', 'share_links', 'pin_failures',
                             'guests', 'guest_sessions', 'favourites', 'selections',
                             'selection_photos', 'annotations', 'annotation_replies',
                             'notifications', 'album_activity', 'zip_exports'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY studio_isolation ON %I USING (studio_id = app_studio()) WITH CHECK (studio_id = app_studio())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO proofsheet_app', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- studio_of learns the guest-facing secrets.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION studio_of(kind text, key text) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    CASE kind
    WHEN 'email'         THEN RETURN (SELECT studio_id FROM users WHERE email = lower(key));
    WHEN 'session'       THEN RETURN (SELECT studio_id FROM sessions WHERE token_hash = key);
    WHEN 'token'         THEN RETURN (SELECT studio_id FROM api_tokens WHERE token_hash = key);
    WHEN 'reset'         THEN RETURN (SELECT studio_id FROM password_resets WHERE token_hash = key);
    WHEN 'invite'        THEN RETURN (SELECT studio_id FROM invites WHERE token_hash = key);
    WHEN 'share_link'    THEN RETURN (SELECT studio_id FROM share_links WHERE token_hash = key);
    WHEN 'guest_session' THEN RETURN (SELECT studio_id FROM guest_sessions WHERE token_hash = key);
    ELSE RAISE EXCEPTION 'studio_of: unknown kind %', kind;
    END CASE;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION expired_zip_exports(timestamptz);
DROP TABLE zip_exports, album_activity, notifications, annotation_replies, annotations,
    selection_photos, selections, favourites, guest_sessions, guests, pin_failures, share_links, uploads;
ALTER TABLE albums DROP COLUMN cover_photo_id;
DROP TABLE photos, folders, albums, clients;
