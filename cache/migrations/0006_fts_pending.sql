-- Messages stored on the live path are indexed for search a moment later, many in
-- one transaction, instead of in the write that stores each (cache/search_pending.go).
-- This table names the messages.pk values whose search entry is still to be
-- written; a search writes them first. A later migration that rebuilds
-- messages_fts from its content table must empty this table in the same migration.
CREATE TABLE fts_pending (
    pk INTEGER PRIMARY KEY
);
