package sync

import (
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// This file is the only place that knows both the wire types (cube) and the stored
// types (cache).

// messageFromWire maps a server message (REST item or live stanza) to its stored
// shape. me is the logged-in user: the state of one's own message follows the other
// occupants' read and delivered marks; any other message is simply "sent".
func messageFromWire(m cube.Message, me int64) cache.Message {
	out := cache.Message{
		ID:          m.ID,
		DialogID:    m.ChatDialogID,
		SenderID:    m.SenderID,
		RecipientID: m.RecipientID,
		Body:        m.Message,
		State:       cache.StateSent,
		Attachments: attachmentsFromWire(m.Attachments),
		Custom:      customFromWire(m.Custom),
		// Markers only add in the cache, so the server's lists merge safely.
		DeliveredIDs: slices.Clone(m.DeliveredIDs),
		ReadIDs:      slices.Clone(m.ReadIDs),
		Deleted:      m.Deleted,
	}
	if m.DateSent != 0 {
		out.SentAt = cube.UnixAny(m.DateSent)
	}
	if m.SenderID == me {
		out.State = ownMessageState(m, me)
	}
	return out
}

// ownMessageState reads how far one's own message got from the ids that received or
// read it (the sender is always in both lists).
func ownMessageState(m cube.Message, me int64) cache.MessageState {
	othersIn := func(ids []int64) bool {
		for _, id := range ids {
			if id != me {
				return true
			}
		}
		return false
	}
	switch {
	case othersIn(m.ReadIDs):
		return cache.StateRead
	case othersIn(m.DeliveredIDs):
		return cache.StateDelivered
	}
	return cache.StateSent
}

// customFromWire drops the routing parameters that the stanza carries but that are
// columns of their own, so Custom holds only what the sender added.
func customFromWire(in map[string]any) map[string]any {
	var out map[string]any
	for k, v := range in {
		switch k {
		case "save_to_history", "dialog_id", "date_sent", "message_id", "moduleIdentifier":
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[k] = v
	}
	return out
}

func attachmentsFromWire(in []cube.Attachment) []cache.Attachment {
	if len(in) == 0 {
		return nil
	}
	out := make([]cache.Attachment, len(in))
	for i, a := range in {
		out[i] = cache.Attachment{
			Type: a.Type, ID: a.ID, UID: a.UID, URL: a.URL, Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, Width: a.Width, Height: a.Height, Duration: a.Duration, Data: a.Data,
		}
	}
	return out
}

func attachmentsToWire(in []cache.Attachment) []cube.Attachment {
	if len(in) == 0 {
		return nil
	}
	out := make([]cube.Attachment, len(in))
	for i, a := range in {
		out[i] = cube.Attachment{
			Type: a.Type, ID: a.ID, UID: a.UID, URL: a.URL, Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, Width: a.Width, Height: a.Height, Duration: a.Duration, Data: a.Data,
		}
	}
	return out
}

// dialogFromWire maps a server dialog. The server's unread count is the truth for
// this user; the local Muted flag is kept by the cache.
func dialogFromWire(d cube.Dialog) cache.Dialog {
	out := cache.Dialog{
		ID:               d.ID,
		Type:             d.Type,
		Name:             d.Name,
		Description:      d.Description,
		Photo:            deref(d.Photo),
		OwnerID:          d.UserID,
		OccupantIDs:      slices.Clone(d.OccupantsIDs),
		AdminIDs:         slices.Clone(d.AdminsIDs),
		LastMessage:      deref(d.LastMessage),
		UnreadCount:      deref(d.UnreadMessagesCount),
		UpdatedAt:        d.UpdatedAt.Time,
		PinnedMessageIDs: slices.Clone(d.PinnedMessagesIDs),
		OccupantsCount:   deref(d.OccupantsCount),
		Extensions:       maps.Clone(d.Extensions),
	}
	if d.Permissions != nil {
		out.AllowPreview = d.Permissions.AllowPreview
	}
	out.LastMessageID = deref(d.LastMessageID)
	out.LastMessageUserID = deref(d.LastMessageUserID)
	if ts := deref(d.LastMessageDateSent); ts != 0 {
		out.LastMessageAt = cube.UnixAny(ts)
	}
	return out
}

func userFromWire(u cube.User) cache.User {
	return cache.User{ID: u.ID, Login: u.Login, FullName: u.FullName, Avatar: u.Avatar, BlobID: u.BlobID,
		Email: u.Email, Phone: u.Phone, Website: u.Website, CustomData: u.CustomData,
		LastRequestAt: u.LastRequestAt.Time, UpdatedAt: u.UpdatedAt.Time}
}

// accountFromWire keeps the server profile as JSON (never the password: the wire
// type only carries one when sending, and it is cleared here anyway).
func accountFromWire(u cube.User) (cache.Account, error) {
	u.Password, u.OldPassword = "", ""
	profile, err := json.Marshal(u)
	if err != nil {
		return cache.Account{}, err
	}
	return cache.Account{UserID: u.ID, Login: u.Login, FullName: u.FullName, Profile: string(profile)}, nil
}

// outgoingFromCache builds the stanza parameters of a queued message. dateSent is the
// moment of sending (unix seconds), not of composing: a peer's catch-up cursor may
// already be past the composing time, and a message stored "in the past" would be
// skipped by its next catch-up.
func outgoingFromCache(m cache.Message, d cache.Dialog, dateSent int64) cube.OutgoingMessage {
	return cube.OutgoingMessage{
		ID:            m.ID,
		DialogID:      m.DialogID,
		DialogType:    d.Type,
		RecipientID:   m.RecipientID,
		Body:          m.Body,
		SaveToHistory: true,
		DateSent:      dateSent,
		Attachments:   attachmentsToWire(m.Attachments),
		Custom:        m.Custom,
	}
}

// peerOf is the other occupant of a private dialog (0 when it cannot be told).
func peerOf(d cache.Dialog, me int64) int64 {
	if d.Type != cube.DialogPrivate {
		return 0
	}
	for _, id := range d.OccupantIDs {
		if id != me {
			return id
		}
	}
	return 0
}

// unixSeconds is t in whole unix seconds, 0 for the zero time.
func unixSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
