-- The first write of a pending message to a chat stream. From then on the server
-- may hold it even though no confirmation came back, so every resend repeats what
-- was written (the server keeps the first copy of an id), and the user's edits and
-- deletes of it become queued actions sent after it (see cache/outbox_written.go).
ALTER TABLE outbox ADD COLUMN written_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN written_body TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN written_attachments TEXT NOT NULL DEFAULT '';
