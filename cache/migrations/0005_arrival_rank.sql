-- The server lists messages that share a date_sent in the order it stored them, and
-- ids say nothing about that order (JS SDK 6 makes them up at random). arrival is a
-- message's place among the messages of its dialog with the same sent_at, as the
-- server lists them (cache/arrival.go); history, the newest message and a dialog's
-- last message order by (sent_at, arrival, id). Rows written before keep 0 and fall
-- back to the id within their second, as before.
ALTER TABLE messages ADD COLUMN arrival INTEGER NOT NULL DEFAULT 0;
DROP INDEX messages_dialog_page;
CREATE INDEX messages_dialog_page ON messages (dialog_id, sent_at, arrival, id);
