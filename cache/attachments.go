package cache

import (
	"context"
	"fmt"
)

// The attachment cache's state lives in each attachment of the message row
// (LocalPath, Download), so a page of history carries it with no extra query.

// SetAttachmentFile records that the attachment uid of a message has been
// downloaded to path (state DownloadDone). ErrNotFound when the message, or an
// attachment with that uid in it, is not cached.
func (db *DB) SetAttachmentFile(ctx context.Context, messageID, uid, path string) error {
	if path == "" {
		return fmt.Errorf("cache: attachment %s of %s: empty file path", uid, messageID)
	}
	return db.setAttachment(ctx, messageID, uid, func(a *Attachment) {
		a.LocalPath, a.Download = path, DownloadDone
	})
}

// SetAttachmentDownload records the download state of an attachment (running,
// failed, or none to forget a file that went missing; DownloadDone needs a path:
// use SetAttachmentFile). ErrNotFound as for SetAttachmentFile.
func (db *DB) SetAttachmentDownload(ctx context.Context, messageID, uid string, state DownloadState) error {
	if !state.Valid() || state == DownloadDone {
		return fmt.Errorf("cache: attachment %s of %s: cannot set download state %q here", uid, messageID, state)
	}
	return db.setAttachment(ctx, messageID, uid, func(a *Attachment) {
		a.Download = state
		if state == DownloadNone {
			a.LocalPath = ""
		}
	})
}

func (db *DB) setAttachment(ctx context.Context, messageID, uid string, change func(*Attachment)) error {
	if uid == "" {
		return fmt.Errorf("cache: attachment of %s: empty uid", messageID)
	}
	return db.editMessage(ctx, "update attachment "+uid, messageID, func(m *Message) (bool, error) {
		for i := range m.Attachments {
			if m.Attachments[i].UID == uid {
				atts := append([]Attachment(nil), m.Attachments...) // the stored copy stays intact
				change(&atts[i])
				m.Attachments = atts
				return false, nil
			}
		}
		return false, fmt.Errorf("attachment %s of message %s: %w", uid, messageID, ErrNotFound)
	})
}

// keepLocalFiles returns the attachments of a fresh copy with this machine's
// download state carried over from the stored ones of the same UID.
func keepLocalFiles(stored, fresh []Attachment) []Attachment {
	if len(stored) == 0 || len(fresh) == 0 {
		return fresh
	}
	local := map[string]Attachment{}
	for _, a := range stored {
		if a.UID != "" && (a.LocalPath != "" || a.Download != DownloadNone) {
			local[a.UID] = a
		}
	}
	if len(local) == 0 {
		return fresh
	}
	out := append([]Attachment(nil), fresh...)
	for i, a := range out {
		if l, ok := local[a.UID]; ok && a.LocalPath == "" && a.Download == DownloadNone {
			out[i].LocalPath, out[i].Download = l.LocalPath, l.Download
		}
	}
	return out
}
