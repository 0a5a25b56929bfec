-- Face search: collections of albums whose photos are indexed for faces,
-- the faces with their 512-d embeddings, the people they are clustered
-- into, invite links for event guests and the guests' registrations with
-- the face they are bound to. Every table is studio-owned and under
-- row-level security.
--
-- Embeddings are biometric data: everything of a collection hangs off
-- face_collections with ON DELETE CASCADE, so deleting the collection row
-- deletes all of it in one statement; the purge then vacuums faces and
-- face_registrations so no index keeps an entry.
-- +goose Up
CREATE TABLE face_collections (
    id          uuid PRIMARY KEY,
    studio_id   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX face_collections_studio_idx ON face_collections (studio_id, created_at DESC);

-- The albums a collection covers; an album is in at most one collection,
-- so a new upload knows which collection indexes it.
CREATE TABLE face_collection_albums (
    collection_id  uuid NOT NULL REFERENCES face_collections (id) ON DELETE CASCADE,
    album_id       uuid NOT NULL UNIQUE REFERENCES albums (id) ON DELETE CASCADE,
    studio_id      uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, album_id)
);
CREATE INDEX face_collection_albums_studio_idx ON face_collection_albums (studio_id);

-- One row per photo indexed into a collection (with or without faces):
-- progress is these rows against the covered albums' photos.
CREATE TABLE face_photos (
    collection_id  uuid NOT NULL REFERENCES face_collections (id) ON DELETE CASCADE,
    photo_id       uuid NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    studio_id      uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    status         text NOT NULL CHECK (status IN ('indexed', 'failed')),
    faces          integer NOT NULL DEFAULT 0 CHECK (faces >= 0),
    failure        text NOT NULL DEFAULT '',
    model          text NOT NULL,
    indexed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, photo_id)
);
CREATE INDEX face_photos_photo_idx ON face_photos (photo_id);
CREATE INDEX face_photos_studio_idx ON face_photos (studio_id);

CREATE TABLE people (
    id             uuid PRIMARY KEY,
    studio_id      uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    collection_id  uuid NOT NULL REFERENCES face_collections (id) ON DELETE CASCADE,
    name           text NOT NULL DEFAULT '' CHECK (char_length(name) <= 120),
    -- Hidden people are left out of the people list and of every match.
    hidden         boolean NOT NULL DEFAULT false,
    cover_face_id  uuid, -- the face shown as the person's crop
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_collection_idx ON people (collection_id);
CREATE INDEX people_studio_idx ON people (studio_id);

-- A face found on a photo's preview rendition. The box is in fractions of
-- the photo's width and height, so it fits every rendition. quality is the
-- embedding's length before normalising (FACES.md: junk scores low).
-- neighbors and core are the clustering's state: how many faces of the
-- collection (itself included) lie within the clustering distance, counted
-- until the face becomes a core point.
CREATE TABLE faces (
    id             uuid PRIMARY KEY,
    studio_id      uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    collection_id  uuid NOT NULL REFERENCES face_collections (id) ON DELETE CASCADE,
    photo_id       uuid NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    person_id      uuid REFERENCES people (id) ON DELETE SET NULL,
    x              real NOT NULL CHECK (x >= 0 AND x <= 1),
    y              real NOT NULL CHECK (y >= 0 AND y <= 1),
    w              real NOT NULL CHECK (w > 0 AND x + w <= 1.0001),
    h              real NOT NULL CHECK (h > 0 AND y + h <= 1.0001),
    width          integer NOT NULL CHECK (width > 0), -- pixels in the preview
    score          real NOT NULL,
    quality        real NOT NULL,
    model          text NOT NULL,
    neighbors      integer NOT NULL DEFAULT 1,
    core           boolean NOT NULL DEFAULT false,
    embedding      vector(512) NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- 2,052 bytes would be TOASTed (compressed out of line); inline rows made
-- exact scans 2.5-3x faster (PLATFORM.md).
ALTER TABLE faces ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE INDEX faces_collection_idx ON faces (collection_id);
CREATE INDEX faces_photo_idx ON faces (photo_id);
CREATE INDEX faces_person_idx ON faces (person_id);
CREATE INDEX faces_studio_idx ON faces (studio_id);
CREATE INDEX faces_embedding_idx ON faces USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
ALTER TABLE people ADD FOREIGN KEY (cover_face_id) REFERENCES faces (id) ON DELETE SET NULL;

-- Invite links for event guests: the token is stored as its SHA-256.
CREATE TABLE face_invites (
    id                 uuid PRIMARY KEY,
    studio_id          uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    collection_id      uuid NOT NULL REFERENCES face_collections (id) ON DELETE CASCADE,
    label              text NOT NULL DEFAULT '' CHECK (char_length(label) <= 120),
    token_hash         text NOT NULL UNIQUE,
    expires_at         timestamptz,
    revoked_at         timestamptz,
    max_registrations  integer CHECK (max_registrations > 0), -- NULL: no cap
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX face_invites_collection_idx ON face_invites (collection_id);
CREATE INDEX face_invites_studio_idx ON face_invites (studio_id);

-- A guest who registered through an invite, with explicit consent. The
-- registration is bound to its first accepted face (embedding, NULL until
-- then); the guest holds a token (stored as its SHA-256) to come back and
-- to delete the registration.
CREATE TABLE face_registrations (
    id               uuid PRIMARY KEY,
    studio_id        uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    collection_id    uuid NOT NULL REFERENCES face_collections (id) ON DELETE CASCADE,
    invite_id        uuid NOT NULL REFERENCES face_invites (id) ON DELETE CASCADE,
    token_hash       text NOT NULL UNIQUE,
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    email            text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    consent_at       timestamptz NOT NULL,
    consent_version  text NOT NULL DEFAULT '',
    model            text,
    embedding        vector(512),
    bound_at         timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((embedding IS NULL) = (model IS NULL))
);
ALTER TABLE face_registrations ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE INDEX face_registrations_collection_idx ON face_registrations (collection_id);
CREATE INDEX face_registrations_invite_idx ON face_registrations (invite_id);
CREATE INDEX face_registrations_studio_idx ON face_registrations (studio_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['face_collections', 'face_collection_albums', 'face_photos', 'people',
                             'faces', 'face_invites', 'face_registrations'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY studio_isolation ON %I USING (studio_id = app_studio()) WITH CHECK (studio_id = app_studio())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO proofsheet_app', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- studio_of learns the face search's guest-facing secrets.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION studio_of(kind text, key text) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    CASE kind
    WHEN 'email'             THEN RETURN (SELECT studio_id FROM users WHERE email = lower(key));
    WHEN 'session'           THEN RETURN (SELECT studio_id FROM sessions WHERE token_hash = key);
    WHEN 'token'             THEN RETURN (SELECT studio_id FROM api_tokens WHERE token_hash = key);
    WHEN 'reset'             THEN RETURN (SELECT studio_id FROM password_resets WHERE token_hash = key);
    WHEN 'invite'            THEN RETURN (SELECT studio_id FROM invites WHERE token_hash = key);
    WHEN 'share_link'        THEN RETURN (SELECT studio_id FROM share_links WHERE token_hash = key);
    WHEN 'guest_session'     THEN RETURN (SELECT studio_id FROM guest_sessions WHERE token_hash = key);
    WHEN 'face_invite'       THEN RETURN (SELECT studio_id FROM face_invites WHERE token_hash = key);
    WHEN 'face_registration' THEN RETURN (SELECT studio_id FROM face_registrations WHERE token_hash = key);
    ELSE RAISE EXCEPTION 'studio_of: unknown kind %', kind;
    END CASE;
END
$$;
-- +goose StatementEnd

-- +goose Down
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
ALTER TABLE people DROP COLUMN cover_face_id;
DROP TABLE face_registrations, face_invites, faces, people, face_photos, face_collection_albums, face_collections;
