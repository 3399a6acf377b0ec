package sync

import (
	"strings"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// notifyCase is everything the notification policy looks at for one message.
type notifyCase struct {
	live         bool      // arrived on the live stream (not catch-up or back-fill)
	isNew        bool      // not in the cache before
	sentAt       time.Time // the message's date_sent
	sessionStart time.Time // when this engine started
	mine         bool      // sent by this account (any device)
	muted        bool      // muted here, or notifications off on the server
	focused      bool      // the window has the focus
	onScreen     bool      // the window shows this message's dialog
}

// shouldNotify is the notification policy of docs/architecture.md (the sync engine's
// rules): only live messages newer than this session's start, not mine, not in muted
// dialogs, and only when the user cannot see them (window unfocused, or another dialog
// open).
func shouldNotify(c notifyCase) bool {
	switch {
	case !c.live, !c.isNew, c.mine, c.muted:
		return false
	// date_sent has one-second resolution: a message of the very second the
	// session started counts as new.
	case c.sentAt.Before(c.sessionStart.Truncate(time.Second)):
		return false
	}
	return !c.focused || !c.onScreen
}

// notifyLive applies the policy to a live message just stored and publishes a
// NotifyEvent when it passes. f holds its dialog (none cached: nothing to show it
// in) and its sender's name (notify_facts.go).
func (e *Engine) notifyLive(m cache.Message, isNew bool, f liveNotifyFacts) {
	d := f.dialogs[m.DialogID]
	if d == nil {
		return
	}
	e.mu.Lock()
	c := notifyCase{
		live: true, isNew: isNew, sentAt: m.SentAt, sessionStart: e.sessionStart,
		mine: m.SenderID == e.me, muted: d.Muted || !d.NotificationsEnabled,
		focused: e.focused, onScreen: e.open == m.DialogID,
	}
	e.mu.Unlock()
	if !shouldNotify(c) {
		return
	}
	title := d.Name
	if name := displayName(cache.User{Login: f.names[m.SenderID].Login, FullName: f.names[m.SenderID].FullName}); name != "" {
		if d.Type == cube.DialogPrivate || title == "" {
			title = name
		} else {
			title = name + " in " + d.Name
		}
	}
	e.events.Publish(NotifyEvent{DialogID: m.DialogID, MessageID: m.ID, Title: title, Body: previewText(m)})
}

// displayName is how a user is called in notices and notifications.
func displayName(u cache.User) string {
	if strings.TrimSpace(u.FullName) != "" {
		return u.FullName
	}
	return u.Login
}

// previewText is a one-line summary of a message for a notification.
func previewText(m cache.Message) string {
	const maxPreview = 200
	body := strings.Join(strings.Fields(m.Body), " ")
	if body == "" && len(m.Attachments) > 0 {
		a := m.Attachments[0]
		body = "📎 " + a.Name
		if a.Name == "" {
			body = "📎 " + a.Type
		}
	}
	if r := []rune(body); len(r) > maxPreview {
		body = string(r[:maxPreview]) + "…"
	}
	return body
}
