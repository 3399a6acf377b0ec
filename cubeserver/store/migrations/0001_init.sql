-- Initial schema of the cubeserver state. Times are unix milliseconds (INTEGER) unless the
-- column is a wire value in seconds (date_sent, last_message_date_sent, nonce timestamps):
-- millisecond precision keeps updated_at filters from losing changes made within one second.

CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    login            TEXT COLLATE NOCASE UNIQUE,
    email            TEXT COLLATE NOCASE UNIQUE,
    full_name        TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    external_user_id INTEGER NOT NULL DEFAULT 0,
    blob_id          INTEGER NOT NULL DEFAULT 0,
    avatar           TEXT NOT NULL DEFAULT '',
    custom_data      TEXT NOT NULL DEFAULT '',
    user_tags        TEXT NOT NULL DEFAULT '',
    timezone         INTEGER NOT NULL DEFAULT 0,
    is_guest         INTEGER NOT NULL DEFAULT 0,
    password_hash    BLOB NOT NULL,
    password_salt    BLOB NOT NULL,
    password_iter    INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_request_at  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token      TEXT NOT NULL UNIQUE,
    app_id     INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    nonce      TEXT NOT NULL DEFAULT '',
    ts         INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Signed session requests may not repeat a (timestamp, nonce) pair.
CREATE TABLE session_nonces (
    app_id    INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    nonce     TEXT NOT NULL,
    PRIMARY KEY (app_id, timestamp, nonce)
);

CREATE TABLE dialogs (
    id                     TEXT PRIMARY KEY,
    type                   INTEGER NOT NULL,
    owner_id               INTEGER NOT NULL,
    name                   TEXT NOT NULL DEFAULT '',
    description            TEXT NOT NULL DEFAULT '',
    photo                  TEXT,
    xmpp_room_jid          TEXT,
    extensions             TEXT,
    allow_preview          INTEGER NOT NULL DEFAULT 0,
    -- "lo:hi" user ids of a private dialog, so that a pair has at most one (NULL otherwise).
    pair_key               TEXT UNIQUE,
    last_message           TEXT,
    last_message_id        TEXT,
    last_message_date_sent INTEGER,
    last_message_user_id   INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX dialogs_updated ON dialogs(updated_at);

CREATE TABLE dialog_occupants (
    dialog_id    TEXT NOT NULL REFERENCES dialogs(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    unread_count INTEGER NOT NULL DEFAULT 0,
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (dialog_id, user_id)
);
CREATE INDEX dialog_occupants_user ON dialog_occupants(user_id);

CREATE TABLE dialog_admins (
    dialog_id TEXT NOT NULL REFERENCES dialogs(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    PRIMARY KEY (dialog_id, user_id)
);

CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    dialog_id    TEXT NOT NULL REFERENCES dialogs(id) ON DELETE CASCADE,
    sender_id    INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL DEFAULT 0,
    body         TEXT NOT NULL DEFAULT '',
    date_sent    INTEGER NOT NULL,
    attachments  TEXT,
    custom       TEXT,
    views_count  INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX messages_dialog_date ON messages(dialog_id, date_sent, id);
CREATE INDEX messages_dialog_updated ON messages(dialog_id, updated_at);

CREATE TABLE message_reads (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE message_deliveries (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE offline_queue (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    stanza     BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX offline_queue_user ON offline_queue(user_id, seq);

CREATE TABLE user_activity (
    user_id    INTEGER PRIMARY KEY,
    active     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
