-- Each user's offline queue in numbers, kept with the queue (offline.go), so that a
-- queued stanza checks the user's limits without counting the queue.
CREATE TABLE offline_totals (
    user_id INTEGER PRIMARY KEY,
    stanzas INTEGER NOT NULL,
    bytes   INTEGER NOT NULL
);
INSERT INTO offline_totals (user_id, stanzas, bytes)
    SELECT user_id, COUNT(*), SUM(length(stanza)) FROM offline_queue GROUP BY user_id;
