-- Guests' links, sessions, albums, folders and photos are cached in each
-- Proofsheet process (gallery.guestCache), so a guest's page and its
-- thumbnails need no database round trip. A change to any of them must
-- reach every cache before anyone can be served from it, so the tables
-- say so themselves, whoever writes them (the app, a job, psql):
--   * RAISE NOTICE PSC01 tells the writing connection at once; the app's
--     pool turns it into a change of the transaction's studio as soon as
--     the transaction commits (database.DB.InStudio), before it answers;
--   * NOTIFY proofsheet_changes tells every other process on commit, with
--     the studio in app.studio_id ('' when unknown: every studio) and the
--     writer's application_name, by which a process skips its own.
-- Statement triggers: one notice per statement, not per row; a statement
-- that touched no row is still reported, which only costs a reload.
-- A guest session's last_seen_at (written once a minute) changes nothing
-- a guest is shown, so it is not a change.
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION gallery_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('proofsheet_changes',
        coalesce(current_setting('app.studio_id', true), '') || ' ' || current_setting('application_name'));
    RAISE NOTICE USING MESSAGE = 'gallery data changed', ERRCODE = 'PSC01';
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER albums_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON albums
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
CREATE TRIGGER folders_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON folders
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
CREATE TRIGGER photos_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON photos
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
CREATE TRIGGER share_links_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON share_links
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
CREATE TRIGGER guest_sessions_changed AFTER UPDATE OF access, expires_at, guest_id, link_id, token_hash OR DELETE OR TRUNCATE ON guest_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
CREATE TRIGGER guests_changed AFTER UPDATE OR DELETE OR TRUNCATE ON guests
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
CREATE TRIGGER favourites_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON favourites
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();
-- A guest's pages name the studio.
CREATE TRIGGER studios_renamed AFTER UPDATE OF name ON studios
    FOR EACH STATEMENT EXECUTE FUNCTION gallery_changed();

-- +goose Down
DROP TRIGGER studios_renamed ON studios;
DROP TRIGGER favourites_changed ON favourites;
DROP TRIGGER guests_changed ON guests;
DROP TRIGGER guest_sessions_changed ON guest_sessions;
DROP TRIGGER share_links_changed ON share_links;
DROP TRIGGER photos_changed ON photos;
DROP TRIGGER folders_changed ON folders;
DROP TRIGGER albums_changed ON albums;
DROP FUNCTION gallery_changed();
