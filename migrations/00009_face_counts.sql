-- A collection's face count, kept by statement triggers on faces, so a
-- search learns the collection's size (exact search or HNSW) from one row.
-- Counting the faces instead read thousands of heap pages (the RLS check
-- needs studio_id): 30-100 ms at 100k faces, more than the search itself.
-- Triggers, not application code, because faces also go by cascade (a
-- deleted photo, album or collection).
-- +goose Up
ALTER TABLE face_collections ADD COLUMN face_count bigint NOT NULL DEFAULT 0 CHECK (face_count >= 0);
UPDATE face_collections c SET face_count = (SELECT count(*) FROM faces f WHERE f.collection_id = c.id);

-- +goose StatementBegin
CREATE FUNCTION faces_counted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE face_collections c SET face_count = c.face_count + n.added
        FROM (SELECT collection_id, count(*) AS added FROM new_faces GROUP BY collection_id) n
        WHERE c.id = n.collection_id;
    ELSE
        UPDATE face_collections c SET face_count = c.face_count - n.gone
        FROM (SELECT collection_id, count(*) AS gone FROM old_faces GROUP BY collection_id) n
        WHERE c.id = n.collection_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER faces_inserted AFTER INSERT ON faces REFERENCING NEW TABLE AS new_faces
    FOR EACH STATEMENT EXECUTE FUNCTION faces_counted();
CREATE TRIGGER faces_deleted AFTER DELETE ON faces REFERENCING OLD TABLE AS old_faces
    FOR EACH STATEMENT EXECUTE FUNCTION faces_counted();

-- +goose Down
DROP TRIGGER faces_deleted ON faces;
DROP TRIGGER faces_inserted ON faces;
DROP FUNCTION faces_counted();
ALTER TABLE face_collections DROP COLUMN face_count;
