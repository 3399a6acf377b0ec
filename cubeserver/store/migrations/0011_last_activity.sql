-- When each user's first resource connected and last resource disconnected (unix ms),
-- for XEP-0012 last activity (protocol.md §8.13).
CREATE TABLE user_last_activity (
    user_id         INTEGER PRIMARY KEY,
    connected_at    INTEGER NOT NULL DEFAULT 0,
    disconnected_at INTEGER NOT NULL DEFAULT 0
);
