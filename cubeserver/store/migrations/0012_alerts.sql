-- Chat alerts: the pushes the server would send (protocol.md §9.6), recorded so that
-- silent and active/inactive are observable; and the per-dialog notification switch
-- of PUT /chat/Dialog/{id}/notifications (no row = enabled).
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    dialog_id  TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sender_id  INTEGER NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, message_id)
);
CREATE INDEX alerts_user ON alerts(user_id, id);

CREATE TABLE dialog_notifications (
    dialog_id  TEXT NOT NULL REFERENCES dialogs(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (dialog_id, user_id)
);
