package store

import (
	"context"
	"strings"

	"github.com/cubechat/cubechat/cube"
)

// blobSharedWith finds a message, not deleted for everyone, that carries the uid as an
// attachment (in "uid", or in "id" as some SDKs write it) in a dialog the user may
// read: one the user occupies, or a broadcast dialog. The LIKE is a cheap filter on
// the raw JSON before json_each checks the field exactly; uids are lowercase hex, so
// they hold no LIKE wildcard. ?1 is the uid, ?2 the user, ?3 the broadcast type.
const blobSharedWith = `SELECT EXISTS (
	SELECT 1 FROM messages m JOIN dialogs d ON d.id = m.dialog_id
	WHERE m.deleted_at IS NULL AND m.attachments LIKE '%' || ?1 || '%'
	AND (d.type = ?3 OR EXISTS (SELECT 1 FROM dialog_occupants o
		WHERE o.dialog_id = m.dialog_id AND o.user_id = ?2))
	AND EXISTS (SELECT 1 FROM json_each(m.attachments) a
		WHERE lower(json_extract(a.value, '$.uid')) = ?1 OR lower(json_extract(a.value, '$.id')) = ?1))`

// BlobReadableBy tells whether userID may read blob b (protocol.md §7, docs/security.md):
// anyone a public blob, the owner always, and otherwise only a reader of a dialog
// holding a message with the blob as an attachment. userID 0 (an application session
// with no user) reads public blobs only.
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
