package store

import (
	"context"
	"strings"

	"github.com/cubechat/cubechat/cube"
)

// minBlobRefLen is the shortest attachment reference indexed as a uid: server uids are
// 32 hex characters, while short values are numeric blob ids, which name nothing here.
const minBlobRefLen = 16

// blobSharedWith finds a message, not deleted for everyone, that carries the uid (?1)
// in a dialog user ?2 may read: one they occupy, or a broadcast dialog (type ?3).
const blobSharedWith = `SELECT EXISTS (
	SELECT 1 FROM message_blobs mb
	JOIN messages m ON m.id = mb.message_id
	JOIN dialogs d ON d.id = mb.dialog_id
	WHERE mb.uid = ?1 AND m.deleted_at IS NULL
	AND (d.type = ?3 OR EXISTS (SELECT 1 FROM dialog_occupants o WHERE o.dialog_id = mb.dialog_id AND o.user_id = ?2)))`

// BlobReadableBy tells whether userID may read blob b (docs/security.md): anyone a
// public blob, the owner always, and otherwise only a reader of a dialog holding a
// message with the blob as an attachment. userID 0 (an application session with no
// user) reads public blobs only.
func (s *Store) BlobReadableBy(ctx context.Context, b Blob, userID int64) (bool, error) {
	switch {
	case b.Public:
		return true, nil
	case userID <= 0:
		return false, nil
	case b.OwnerID == userID:
		return true, nil
	}
	var shared bool
	err := s.db.QueryRowContext(ctx, blobSharedWith, strings.ToLower(b.UID), userID, cube.DialogBroadcast).Scan(&shared)
	return shared, err
}

// indexBlobRefs records which files message m carries (message_blobs), inside the
// transaction that stores it.
func indexBlobRefs(ctx context.Context, tx execer, m cube.Message) error {
	for _, a := range m.Attachments {
		for _, ref := range []string{a.UID, a.ID} {
			if len(ref) < minBlobRefLen {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO message_blobs (uid, message_id, dialog_id)
				VALUES (?,?,?)`, strings.ToLower(ref), m.ID, m.ChatDialogID); err != nil {
				return err
			}
		}
	}
	return nil
}
