-- One row the background checkpointer rewrites right after a checkpoint that
-- emptied the log, so that its write, not a user's, starts the log again and
-- waits for the new log header's fsync (cache/checkpoint.go).
CREATE TABLE wal_restart (n INTEGER NOT NULL);
INSERT INTO wal_restart (n) VALUES (0);
