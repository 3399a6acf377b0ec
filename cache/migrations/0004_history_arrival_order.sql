-- History reads same-second messages in arrival order (sent_at, pk) instead of by id:
-- ids are random within a second (cache/messages.go). pk is the rowid, which an index
-- carries as its last key, so this one serves pages in both directions without a sort.
DROP INDEX IF EXISTS messages_dialog_page;
CREATE INDEX messages_dialog_arrival ON messages (dialog_id, sent_at);
