-- 0001: the first schema of the client cache.
-- Times are unix milliseconds (0 = unknown); id lists, attachments and custom
-- parameters are JSON text.

CREATE TABLE account (
    id        INTEGER PRIMARY KEY CHECK (id = 1), -- one signed-in account per cache file
    user_id   INTEGER NOT NULL,
    login     TEXT NOT NULL,
    full_name TEXT NOT NULL DEFAULT '',
    profile   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    login      TEXT NOT NULL DEFAULT '',
    full_name  TEXT NOT NULL DEFAULT '',
    avatar     TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE dialogs (
    id                   TEXT PRIMARY KEY,
    type                 INTEGER NOT NULL DEFAULT 0,
    name                 TEXT NOT NULL DEFAULT '',
    photo                TEXT NOT NULL DEFAULT '',
    owner_id             INTEGER NOT NULL DEFAULT 0,
    occupant_ids         TEXT NOT NULL DEFAULT '[]',
    admin_ids            TEXT NOT NULL DEFAULT '[]',
    last_message         TEXT NOT NULL DEFAULT '',
    last_message_id      TEXT NOT NULL DEFAULT '',
    last_message_at      INTEGER NOT NULL DEFAULT 0,
    last_message_user_id INTEGER NOT NULL DEFAULT 0,
    unread_count         INTEGER NOT NULL DEFAULT 0,
    muted                INTEGER NOT NULL DEFAULT 0, -- local only: the server never sends it
    updated_at           INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Messages carry no foreign key to dialogs: a live message may arrive before
-- its dialog has been fetched, and it must be stored all the same.
CREATE TABLE messages (
    pk           INTEGER PRIMARY KEY, -- stable key for the external-content FTS index
    id           TEXT NOT NULL UNIQUE,
    dialog_id    TEXT NOT NULL,
    sender_id    INTEGER NOT NULL DEFAULT 0,
    recipient_id INTEGER NOT NULL DEFAULT 0,
    body         TEXT NOT NULL DEFAULT '',
    sent_at      INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'delivered', 'read', 'failed')),
    attachments  TEXT NOT NULL DEFAULT '',
    custom       TEXT NOT NULL DEFAULT '',
    edited_at    INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '' -- local only: why the last send failed
);

-- History pages walk (sent_at, id) backwards inside one dialog.
CREATE INDEX messages_dialog_page ON messages (dialog_id, sent_at, id);
-- The catch-up anchor: newest message the server has confirmed.
CREATE INDEX messages_confirmed_sent_at ON messages (sent_at)
    WHERE state IN ('sent', 'delivered', 'read');

-- Full-text index over bodies. External content: the text lives once, in
-- messages; the index is written by the same transaction that writes the row
-- (no triggers: they cost ~4x on bulk inserts).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The persistent send queue. A row exists while its message waits to be sent.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- enqueue order, never reused
    message_id  TEXT NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    enqueued_at INTEGER NOT NULL
);

-- Sync state: opaque key/value cursors owned by the sync engine.
CREATE TABLE cursors (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Ranges of history known to be missing from the cache (closed intervals).
CREATE TABLE gaps (
    dialog_id TEXT NOT NULL,
    from_at   INTEGER NOT NULL,
    to_at     INTEGER NOT NULL,
    CHECK (from_at <= to_at),
    PRIMARY KEY (dialog_id, from_at)
) WITHOUT ROWID;
