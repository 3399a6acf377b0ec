-- 0002: the whole Chat API — dialog details, markers, reactions, silent and
-- locally edited messages, user details and activity, the block list, drafts,
-- system messages and a persistent queue of actions other than new messages.
-- Every new column has a default, so rows written by 0001 read as before.

-- Dialogs: what the server says about a dialog beyond 0001's fields.
ALTER TABLE dialogs ADD COLUMN description        TEXT NOT NULL DEFAULT '';
ALTER TABLE dialogs ADD COLUMN occupants_count    INTEGER NOT NULL DEFAULT 0; -- public dialogs (type 4)
ALTER TABLE dialogs ADD COLUMN pinned_message_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE dialogs ADD COLUMN extensions         TEXT NOT NULL DEFAULT '';   -- JSON object of strings
ALTER TABLE dialogs ADD COLUMN allow_preview      INTEGER NOT NULL DEFAULT 0;
-- Kept across server copies: set by their own calls (see dialogs_local.go).
ALTER TABLE dialogs ADD COLUMN subscribed            INTEGER NOT NULL DEFAULT 0; -- public dialog joined
ALTER TABLE dialogs ADD COLUMN notifications_enabled INTEGER NOT NULL DEFAULT 1; -- server-side setting
ALTER TABLE dialogs ADD COLUMN hidden_at             INTEGER NOT NULL DEFAULT 0; -- "deleted for me"; 0 = shown

-- Messages: per-user markers, reactions, the silent flag, a queued local edit.
ALTER TABLE messages ADD COLUMN delivered_ids TEXT NOT NULL DEFAULT '';  -- JSON array of user ids
ALTER TABLE messages ADD COLUMN read_ids      TEXT NOT NULL DEFAULT '';  -- JSON array of user ids
ALTER TABLE messages ADD COLUMN reactions     TEXT NOT NULL DEFAULT '';  -- JSON {emoji: [user ids]}
ALTER TABLE messages ADD COLUMN silent        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN edit_pending  INTEGER NOT NULL DEFAULT 0; -- local: shown text is a queued edit

-- Users: the profile fields the UI shows.
ALTER TABLE users ADD COLUMN email           TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone           TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN website         TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN blob_id         INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN custom_data     TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_request_at INTEGER NOT NULL DEFAULT 0;

-- Last activity comes from the chat connection, not from user profiles: its own
-- table, so that a profile fetch never erases it and activity of a user whose
-- profile is not cached yet needs no placeholder profile.
CREATE TABLE user_activity (
    user_id      INTEGER PRIMARY KEY,
    last_seen_at INTEGER NOT NULL, -- unix ms: the answer's time minus its seconds
    online       INTEGER NOT NULL DEFAULT 0
);

-- The signed-in user's block list (privacy list), for showing it offline.
CREATE TABLE blocked_users (
    user_id INTEGER PRIMARY KEY,
    mutual  INTEGER NOT NULL DEFAULT 0 -- 1: blocked both ways
);

-- Typed but unsent text per dialog: nothing typed is lost on restart.
CREATE TABLE drafts (
    dialog_id  TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- System messages (type headline) for the notification area.
CREATE TABLE system_messages (
    id          TEXT PRIMARY KEY,
    sender_id   INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL DEFAULT '',
    params      TEXT NOT NULL DEFAULT '', -- JSON object of the extraParams
    received_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX system_messages_received ON system_messages (received_at);

-- Queued edits, deletes, reactions and markers made offline. Applied to the
-- local rows when queued; payload holds the kind's arguments and what undoes
-- the local effect if the server refuses. The kind is checked by the code, so
-- a new kind needs no migration.
CREATE TABLE outbox_actions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- queue order, never reused
    kind       TEXT NOT NULL,
    dialog_id  TEXT NOT NULL,
    message_id TEXT NOT NULL DEFAULT '',
    payload    TEXT NOT NULL DEFAULT '{}',
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_actions_message ON outbox_actions (message_id) WHERE message_id != '';
