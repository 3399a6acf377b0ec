-- One row the background checkpointer rewrites right after a checkpoint that
-- emptied the log, so that its write, not a message's, starts the log again and
-- waits for the new log header's fsync (store.go, restartWAL).
CREATE TABLE wal_restart (n INTEGER NOT NULL);
INSERT INTO wal_restart (n) VALUES (0);
