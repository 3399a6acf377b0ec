package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Outgoing is a message with more than text: custom parameters (a reply's quote, a
// forward's origin; docs/message-extras.md) and attachments already on the server (a
// forwarded file is sent again by its blob uid, never uploaded twice).
type Outgoing struct {
	Body        string
	Custom      map[string]string
	Attachments []cache.Attachment
}

// SendWith is Send for an Outgoing: stored as pending at once, then queued. Every
// attachment must name its blob (UID); a local file goes through SendFile instead.
func (e *Engine) SendWith(ctx context.Context, dialogID string, out Outgoing) (string, error) {
	if strings.TrimSpace(out.Body) == "" && len(out.Attachments) == 0 {
		return "", errors.New("sync: cannot send an empty message")
	}
	for _, a := range out.Attachments {
		if a.UID == "" {
			return "", fmt.Errorf("sync: attachment %q is not on the server; send the file instead", a.Name)
		}
	}
	me := e.Me()
	if me == 0 {
		return "", errors.New("sync: not logged in")
	}
	d, err := e.db.Dialog(ctx, dialogID)
	if err != nil {
		return "", fmt.Errorf("sync: sending to dialog %s: %w", dialogID, err)
	}
	m := cache.Message{
		ID:          cube.NewObjectID(),
		DialogID:    dialogID,
		SenderID:    me,
		RecipientID: peerOf(*d, me),
		Body:        out.Body,
		SentAt:      composedAt(),
		State:       cache.StatePending,
		Attachments: sentAttachments(out.Attachments),
	}
	if len(out.Custom) > 0 {
		// Strings only: extraParams carry text, so a number sent live would come back
		// as a string from the server anyway.
		m.Custom = make(map[string]any, len(out.Custom))
		for k, v := range out.Custom {
			m.Custom[k] = v
		}
	}
	if err := e.queueing(func() error { return e.db.EnqueueOutgoing(ctx, m) }); err != nil {
		return "", fmt.Errorf("sync: queueing the message: %w", err)
	}
	e.typing.ourMessageSent(dialogID)
	e.kickOutbox()
	return m.ID, nil
}

// sentAttachments copies attachments for a new message: the server's description
// only, since the local download belongs to the message it was made for.
func sentAttachments(in []cache.Attachment) []cache.Attachment {
	if len(in) == 0 {
		return nil
	}
	out := make([]cache.Attachment, len(in))
	for i, a := range in {
		a.LocalPath, a.Download = "", cache.DownloadNone
		out[i] = a
	}
	return out
}
