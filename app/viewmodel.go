package app

import (
	"fyne.io/fyne/v2/lang"

	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// dialogPrivate is ConnectyCube's one-to-one dialog type (cube.DialogPrivate). The app
// does not import the protocol package, so the wire value is repeated here.
const dialogPrivate = 3

// groupWindow is how close in time two messages by one sender must be to read as one run.
const groupWindow = 5 * time.Minute

// sameDay tells whether a and b fall on the same calendar day in loc.
func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// listTime formats a dialog's last activity for the dialogs list: the time of day for
// today, "Yesterday", the weekday within a week, else the date.
func listTime(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.In(loc), now.In(loc)
	switch {
	case sameDay(t, now, loc):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1), loc):
		return lang.L("Yesterday")
	case now.Sub(t) < 6*24*time.Hour && t.Before(now):
		return localDate(t, "Mon")
	case t.Year() == now.Year():
		return localDate(t, layoutShortDate())
	default:
		return localDate(t, layoutNumericDate())
	}
}

// dayHeader is the date separator text above the first message of a day.
func dayHeader(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	switch {
	case sameDay(t, now, loc):
		return lang.L("Today")
	case sameDay(t, now.AddDate(0, 0, -1), loc):
		return lang.L("Yesterday")
	case t.Year() == now.Year():
		return localDate(t, layoutWeekdayDate())
	default:
		return localDate(t, layoutDate())
	}
}

// bubbleStatus maps a stored message state to the mark its bubble shows.
func bubbleStatus(s cache.MessageState) widgets.MessageStatus {
	switch s {
	case cache.StatePending:
		return widgets.StatusPending
	case cache.StateDelivered:
		return widgets.StatusDelivered
	case cache.StateRead:
		return widgets.StatusRead
	case cache.StateFailed:
		return widgets.StatusFailed
	default:
		return widgets.StatusSent
	}
}

// userName is how a user is called in the UI, with a readable fallback for users whose
// profile has not been fetched yet.
func userName(id int64, users map[int64]cache.User) string {
	if u, ok := users[id]; ok {
		if n := strings.TrimSpace(u.FullName); n != "" {
			return n
		}
		if u.Login != "" {
			return u.Login
		}
	}
	if id == 0 {
		return lang.L("Unknown")
	}
	return lang.X("user.fallback", "User {{.ID}}", msgData{"ID": strconv.FormatInt(id, 10)})
}

// peerOf returns the other occupant of a private dialog (0 when unknown).
func peerOf(d cache.Dialog, me int64) int64 {
	for _, id := range d.OccupantIDs {
		if id != me {
			return id
		}
	}
	return 0
}

// dialogTitle names a dialog. A private dialog is named after the peer: the dialog's own
// name is set by whoever created it and is the wrong way round for the other side.
func dialogTitle(d cache.Dialog, me int64, users map[int64]cache.User) string {
	if d.Type == dialogPrivate {
		if peer := peerOf(d, me); peer != 0 {
			if _, known := users[peer]; known || d.Name == "" {
				return userName(peer, users)
			}
		}
	}
	if n := strings.TrimSpace(d.Name); n != "" {
		return n
	}
	if d.Type == dialogPrivate {
		return lang.L("Private chat")
	}
	return lang.L("Group")
}

// dialogSubtitle is the line under the chat header's title.
func dialogSubtitle(d cache.Dialog, me int64, users map[int64]cache.User) string {
	if d.Type == dialogPrivate {
		if u, ok := users[peerOf(d, me)]; ok && u.Login != "" {
			return "@" + u.Login
		}
		return lang.L("Private chat")
	}
	return memberCount(len(d.OccupantIDs))
}

// dialogPreview is the dialogs list's last message line.
func dialogPreview(d cache.Dialog, me int64, users map[int64]cache.User) string {
	text := strings.Join(strings.Fields(d.LastMessage), " ")
	if d.LastMessageID == "" && text == "" {
		return lang.L("No messages yet")
	}
	if text == "" {
		text = lang.L("Attachment")
	}
	switch {
	case d.LastMessageUserID == me && me != 0:
		return lang.X("preview.you", "You: {{.Text}}", msgData{"Text": text})
	case d.Type != dialogPrivate && d.LastMessageUserID != 0:
		return userName(d.LastMessageUserID, users) + ": " + text
	default:
		return text
	}
}

// dialogRow is everything a DialogRow shows for d.
func dialogRow(d cache.Dialog, me int64, users map[int64]cache.User, now time.Time, loc *time.Location) widgets.DialogRowData {
	at := d.LastMessageAt
	if at.IsZero() {
		at = d.UpdatedAt
	}
	return widgets.DialogRowData{
		Name:    dialogTitle(d, me, users),
		Preview: dialogPreview(d, me, users),
		Time:    listTime(at, now, loc),
		Unread:  d.UnreadCount,
		Muted:   d.Muted,
	}
}

// historyRows turns a window of messages (oldest first) into bubbles: a date separator
// before each new day, runs of one sender grouped, sender names in group dialogs.
func historyRows(msgs []cache.Message, me int64, group bool, users map[int64]cache.User, now time.Time, loc *time.Location) []widgets.BubbleData {
	rows := make([]widgets.BubbleData, len(msgs))
	for i, m := range msgs {
		r := widgets.BubbleData{
			ID:      m.ID,
			Mine:    m.SenderID == me,
			Body:    m.Body,
			Time:    m.SentAt.In(loc).Format("15:04"),
			Edited:  !m.EditedAt.IsZero(),
			Deleted: m.Deleted,
			Status:  ownStatus(m, me),
			Error:   m.LastError,

			Reactions:   reactionSummary(m, me),
			Attachments: attachmentViews(m.Attachments),
		}
		r.Quote, r.Forwarded = bubbleExtras(m, users)
		newDay := i == 0 || !sameDay(msgs[i-1].SentAt, m.SentAt, loc)
		if newDay {
			r.DayHeader = dayHeader(m.SentAt, now, loc)
		} else {
			prev := msgs[i-1]
			r.Continues = prev.SenderID == m.SenderID && m.SentAt.Sub(prev.SentAt) < groupWindow
		}
		if group && !r.Mine && !r.Continues {
			r.Sender = userName(m.SenderID, users)
		}
		rows[i] = r
	}
	return rows
}

// attachmentViews describes a message's attachments for its bubble (thumbnails and
// progress are added by the history view, which holds them).
func attachmentViews(atts []cache.Attachment) []widgets.AttachmentView {
	if len(atts) == 0 {
		return nil
	}
	out := make([]widgets.AttachmentView, len(atts))
	for i, a := range atts {
		v := widgets.AttachmentView{UID: a.UID, Kind: widgets.AttachmentFile, Name: attachmentName(a),
			Size: humanSize(a.Size), Width: a.Width, Height: a.Height, Progress: -1}
		if isImage(a) {
			v.Kind = widgets.AttachmentImage
		}
		out[i] = v
	}
	return out
}

// reloadPlan says which views a cache change makes stale.
type reloadPlan struct {
	Dialogs bool // the dialogs list (rows, names, previews)
	History bool // the open chat's window of messages
	Header  bool // the open chat's title and subtitle
}

// planReload decides what to reload for a change while openDialog is shown ("" = none).
// Any message change can move a dialog's preview or order, so it reloads the list too.
func planReload(c cache.Change, openDialog string) reloadPlan {
	var p reloadPlan
	p.Dialogs = len(c.Dialogs) > 0 || len(c.Messages) > 0 || c.Users || c.Account || c.Privacy
	if openDialog == "" {
		return p
	}
	if _, ok := c.Messages[openDialog]; ok {
		p.History = true
	}
	if _, ok := c.Reactions[openDialog]; ok {
		p.History = true
	}
	if _, ok := c.Markers[openDialog]; ok {
		p.History = true
	}
	if len(c.Activity) > 0 {
		p.Header = true // the peer's "online" / "last seen"
	}
	for _, id := range c.Dialogs {
		if id == openDialog {
			p.Header = true
			// A dialog change may be a filled gap (back-fill) of the open chat.
			p.History = true
		}
	}
	if c.Users {
		p.Header, p.History = true, true // sender names and the private title come from users
	}
	return p
}

// mergeChanges unions two changes without modifying either (changes are shared).
func mergeChanges(a, b cache.Change) cache.Change {
	out := cache.Change{Users: a.Users || b.Users, Account: a.Account || b.Account,
		Privacy: a.Privacy || b.Privacy, SystemMessages: a.SystemMessages || b.SystemMessages,
		Actions: a.Actions || b.Actions}
	out.Dialogs = unionStrings(a.Dialogs, b.Dialogs)
	out.Drafts = unionStrings(a.Drafts, b.Drafts)
	seen := map[int64]bool{}
	for _, id := range append(append([]int64{}, a.Activity...), b.Activity...) {
		if !seen[id] {
			seen[id] = true
			out.Activity = append(out.Activity, id)
		}
	}
	out.Messages = unionIDMaps(a.Messages, b.Messages)
	out.Reactions = unionIDMaps(a.Reactions, b.Reactions)
	out.Markers = unionIDMaps(a.Markers, b.Markers)
	return out
}

func unionStrings(a, b []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range append(append([]string{}, a...), b...) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func unionIDMaps(a, b map[string][]string) map[string][]string {
	var out map[string][]string
	for _, src := range []map[string][]string{a, b} {
		for d, ids := range src {
			if out == nil {
				out = map[string][]string{}
			}
			out[d] = append(out[d], ids...)
		}
	}
	return out
}

// historyPage is how many messages a chat opens with and pages in at a time.
const historyPage = 50

// reloadLimit is how many of the newest rows to re-read when the open chat changes: the
// rows already shown plus room for the new ones, so a reload never drops loaded history.
func reloadLimit(shown int, changedIDs int) int {
	n := shown + changedIDs
	if n < historyPage {
		return historyPage
	}
	return n
}
