-- Global search (GET /chat/search) reads messages newest first across all of a user's
-- dialogs: walking this index stops after `limit` matches and keeps a date window to
-- its range, where the per-dialog index would visit every row in random order.
CREATE INDEX messages_date ON messages(date_sent, id);
