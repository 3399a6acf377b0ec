-- XEP-0016 privacy lists per user (protocol.md §8.12). At most one list per user is the
-- default; the active list is per session and lives in memory only.
CREATE TABLE privacy_lists (
    user_id    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, name)
);
CREATE UNIQUE INDEX privacy_lists_one_default ON privacy_lists(user_id) WHERE is_default = 1;

CREATE TABLE privacy_items (
    user_id   INTEGER NOT NULL,
    list_name TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    type      TEXT NOT NULL DEFAULT '',
    value     TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL,
    -- comma-separated stanza kinds the item covers; '' = all of them
    kinds     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, list_name, ord),
    FOREIGN KEY (user_id, list_name) REFERENCES privacy_lists(user_id, name) ON DELETE CASCADE
);
