-- Which messages carry which file (docs/security.md): a private blob is readable by the
-- readers of a dialog holding a message that carries its uid, and this index answers
-- that without scanning messages. An attachment names its file by "uid", or by "id"
-- when a client puts the uid there; short numeric ids are not uids and are left out.
CREATE TABLE message_blobs (
    uid        TEXT NOT NULL,
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    dialog_id  TEXT NOT NULL,
    PRIMARY KEY (uid, message_id)
) WITHOUT ROWID;
CREATE INDEX message_blobs_message ON message_blobs(message_id);

INSERT OR IGNORE INTO message_blobs (uid, message_id, dialog_id)
    SELECT lower(json_extract(a.value, '$.uid')), m.id, m.dialog_id
    FROM messages m, json_each(m.attachments) a
    WHERE m.attachments IS NOT NULL AND length(json_extract(a.value, '$.uid')) >= 16;
INSERT OR IGNORE INTO message_blobs (uid, message_id, dialog_id)
    SELECT lower(json_extract(a.value, '$.id')), m.id, m.dialog_id
    FROM messages m, json_each(m.attachments) a
    WHERE m.attachments IS NOT NULL AND length(json_extract(a.value, '$.id')) >= 16;
