-- messages_confirmed_sent_at served only a cache-wide "newest confirmed message"
-- query that nothing uses (the catch-up anchors per dialog on
-- messages_dialog_page). Keeping it cost one more B-tree insert per stored
-- message, most of all in a catch-up (docs/benchmarks.md, issue 10, round 3).
DROP INDEX IF EXISTS messages_confirmed_sent_at;
