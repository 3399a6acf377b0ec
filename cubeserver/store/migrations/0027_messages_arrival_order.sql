-- Messages sent in the same second are listed in the order the server stored them
-- (docs/protocol.md): ORDER BY date_sent, rowid. Client ids are random within a second, so
-- the old (dialog_id, date_sent, id) index sorted them by chance. An index on
-- (dialog_id, date_sent) carries the rowid as its last key, so both directions walk it
-- without a sort. The server never VACUUMs, which could renumber rowids.
DROP INDEX IF EXISTS messages_dialog_date;
CREATE INDEX IF NOT EXISTS messages_dialog_sent ON messages(dialog_id, date_sent);
DROP INDEX IF EXISTS messages_date;
CREATE INDEX IF NOT EXISTS messages_sent ON messages(date_sent);
