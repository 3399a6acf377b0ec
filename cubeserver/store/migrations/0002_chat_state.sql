-- The rest of the Chat API: per-user hiding ("delete for me"), tombstones for messages
-- deleted for everyone (so that updated_at catch-up sees the deletion), reactions, pins.

-- A message deleted for everyone keeps its row with an empty body; deleted_at (unix ms)
-- marks it. Lists leave tombstones out unless the caller asks by updated_at.
ALTER TABLE messages ADD COLUMN deleted_at INTEGER;

-- Messages a user deleted for themselves (or whose history they cleared).
CREATE TABLE message_hidden (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_hidden_user ON message_hidden(user_id);

-- One reaction per user and message: a new add replaces the user's previous one.
CREATE TABLE message_reactions (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    reaction   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE dialog_pins (
    dialog_id  TEXT NOT NULL REFERENCES dialogs(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    pinned_at  INTEGER NOT NULL,
    PRIMARY KEY (dialog_id, message_id)
);

-- Dialogs a user removed from their list without leaving them (private and broadcast
-- dialogs, whose membership does not change); a new message brings the dialog back.
CREATE TABLE dialog_hidden (
    dialog_id TEXT NOT NULL REFERENCES dialogs(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    PRIMARY KEY (dialog_id, user_id)
);
