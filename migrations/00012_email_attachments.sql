-- Files sent with an e-mail: each an object of the studio's in the
-- encrypted store ({"filename", "content_type", "blob_key"}), read when the
-- message is sent, so the outbox holds keys rather than copies of the
-- files (an invoice PDF, say). A message queued before this has none.
-- +goose Up
ALTER TABLE email_outbox
    ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'::jsonb
        CHECK (jsonb_typeof(attachments) = 'array');

-- +goose Down
ALTER TABLE email_outbox DROP COLUMN attachments;
