-- Blobs (attachments, protocol.md §7). The file itself lives on disk under
-- DataDir/blobs/, named only by uid; this table holds its metadata. There is no foreign
-- key to users: deleting a user must not fail on, or silently drop, rows whose files
-- would then be orphaned on disk.
CREATE TABLE blobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uid           TEXT NOT NULL UNIQUE,      -- server-generated lowercase hex, the file's name
    owner_id      INTEGER NOT NULL,
    name          TEXT NOT NULL,             -- client metadata only, never a path
    content_type  TEXT NOT NULL,
    public        INTEGER NOT NULL DEFAULT 0,
    uploaded_size INTEGER,                   -- bytes on disk; NULL until the upload lands
    etag          TEXT,                      -- hex MD5 of the uploaded bytes
    completed_at  INTEGER,                   -- set by PUT /blobs/{id}/complete
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX blobs_owner ON blobs(owner_id, id);
