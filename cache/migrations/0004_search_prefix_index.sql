-- Search as you type asks for the messages containing a word that starts with the
-- last thing typed. Without a prefix index FTS5 merges the posting lists of every
-- word with that start ("th": the, this, that, thanks, ...) before any limit
-- applies; with it, prefixes of 1 to 3 characters are one list each. The index is
-- rebuilt from the messages table (external content: the text is not copied;
-- deleted messages have an empty body, so they stay out of it as before).
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
