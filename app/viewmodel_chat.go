package app

import (
	"fyne.io/fyne/v2/lang"

	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// Dialog types of ConnectyCube besides dialogPrivate (the wire values, see cube.Dialog*).
const (
	dialogBroadcast = 1
	dialogGroup     = 2
	dialogPublic    = 4
)

// maxAdmins is the server's limit of admins per dialog.
const maxAdmins = 5

// quickReactions is the row offered in a message's menu, in this order.
var quickReactions = []string{"👍", "❤️", "😂", "😮", "😢", "🙏"}

// typingText is the line under the history while others type ("" when nobody does).
func typingText(ids []int64, users map[int64]cache.User) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, userName(id, users))
	}
	switch n := len(names); {
	case n == 0:
		return ""
	case n == 1:
		return lang.X("typing.one", "{{.A}} is typing…", msgData{"A": names[0]})
	case n == 2:
		return lang.X("typing.two", "{{.A}} and {{.B}} are typing…", msgData{"A": names[0], "B": names[1]})
	case n == 3:
		return lang.X("typing.three", "{{.A}}, {{.B}} and {{.C}} are typing…", msgData{"A": names[0], "B": names[1], "C": names[2]})
	default:
		return lang.X("typing.many", "{{.A}}, {{.B}} and {{.Count}} others are typing…", msgData{"A": names[0], "B": names[1], "Count": n - 2})
	}
}

// reactionSummary turns a message's reactions into chips: most given first, ties in the
// quick row's order, then by emoji so the bar does not reshuffle between reloads.
func reactionSummary(m cache.Message, me int64) []widgets.Reaction {
	if m.Deleted || len(m.Reactions) == 0 {
		return nil
	}
	out := make([]widgets.Reaction, 0, len(m.Reactions))
	for emoji, users := range m.Reactions {
		if len(users) == 0 {
			continue
		}
		out = append(out, widgets.Reaction{Emoji: emoji, Count: len(users), Mine: slices.Contains(users, me)})
	}
	rank := func(e string) int {
		if i := slices.Index(quickReactions, e); i >= 0 {
			return i
		}
		return len(quickReactions)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if ra, rb := rank(a.Emoji), rank(b.Emoji); ra != rb {
			return ra < rb
		}
		return a.Emoji < b.Emoji
	})
	return out
}

// lastSeenText is a private chat's presence line: "online", "last seen 5 min ago", …;
// "" when nothing is known yet.
func lastSeenText(u cache.User, now time.Time, loc *time.Location) string {
	if u.Online {
		return lang.L("online")
	}
	if u.LastSeen.IsZero() {
		return ""
	}
	ago := now.Sub(u.LastSeen)
	t := u.LastSeen.In(loc)
	switch {
	case ago < time.Minute:
		return lang.L("last seen just now")
	case ago < time.Hour:
		return lang.X("seen.minutes", "last seen {{.Minutes}} min ago", msgData{"Minutes": int(ago / time.Minute)})
	case sameDay(t, now, loc):
		return lang.X("seen.today", "last seen today at {{.Time}}", msgData{"Time": t.Format("15:04")})
	case sameDay(t, now.AddDate(0, 0, -1), loc):
		return lang.X("seen.yesterday", "last seen yesterday at {{.Time}}", msgData{"Time": t.Format("15:04")})
	case t.Year() == now.In(loc).Year():
		return lang.X("seen.date", "last seen {{.Date}}", msgData{"Date": localDate(t, layoutShortDate())})
	default:
		return lang.X("seen.date", "last seen {{.Date}}", msgData{"Date": localDate(t, layoutShortDateYear())})
	}
}

// dialogRole is what the user is in a dialog.
type dialogRole int

const (
	roleMember dialogRole = iota
	roleAdmin
	roleOwner
)

func roleIn(d cache.Dialog, me int64) dialogRole {
	switch {
	case me != 0 && d.OwnerID == me:
		return roleOwner
	case slices.Contains(d.AdminIDs, me):
		return roleAdmin
	default:
		return roleMember
	}
}

// canPost tells whether the user may write in d: everyone, except in a broadcast
// dialog, where only its owner and admins post (the server refuses the rest).
func canPost(d cache.Dialog, me int64) bool {
	return d.Type != dialogBroadcast || roleIn(d, me) >= roleAdmin
}

// dialogActions is what the dialog info panel offers, by dialog type and the user's
// role, following the server's rules: members of a group may rename it and add users;
// admins may also remove users; the owner may also manage admins and delete the dialog
// for everyone.
type dialogActions struct {
	Rename, EditDescription bool
	ShowMembers             bool
	AddMembers              bool
	RemoveMembers           bool // others than the owner (and, for admins, other admins)
	ManageAdmins            bool
	Block                   bool // private chats: block the peer
	Leave                   bool // delete for me / leave the group / unsubscribe
	DeleteForEveryone       bool
	ClearHistory            bool
	Notifications           bool
}

func availableDialogActions(d cache.Dialog, me int64) dialogActions {
	role := roleIn(d, me)
	a := dialogActions{Leave: true, ClearHistory: true, Notifications: true}
	switch d.Type {
	case dialogPrivate:
		a.Block = true
		a.DeleteForEveryone = role >= roleAdmin
	case dialogGroup:
		a.Rename, a.EditDescription = true, true
		a.ShowMembers, a.AddMembers = true, true
		a.RemoveMembers = role >= roleAdmin
		a.ManageAdmins = role == roleOwner
		a.DeleteForEveryone = role == roleOwner
	default: // public and broadcast: only their managers change them
		a.Rename = role >= roleAdmin
		a.EditDescription = role >= roleAdmin
		a.ShowMembers = d.Type == dialogBroadcast
		a.ManageAdmins = role == roleOwner && d.Type == dialogBroadcast
		a.DeleteForEveryone = role == roleOwner
	}
	return a
}

// canRemoveMember tells whether the user may remove member from d: never themselves (that
// is Leave) nor the owner; an admin may not remove another admin.
func canRemoveMember(d cache.Dialog, me, member int64) bool {
	if !availableDialogActions(d, me).RemoveMembers || member == me || member == d.OwnerID {
		return false
	}
	return roleIn(d, me) == roleOwner || !slices.Contains(d.AdminIDs, member)
}

// messageActions is what a message's menu offers.
type messageActions struct {
	React, Edit, Copy, Retry    bool
	DeleteForMe, DeleteForEvery bool
}

// availableMessageActions decides the menu of m for the user in d. Edits and deletes
// for everyone go to the server, so they need a message the server has; a failed one
// offers Retry instead.
func availableMessageActions(m cache.Message, d cache.Dialog, me int64) messageActions {
	if m.Deleted {
		return messageActions{DeleteForMe: true}
	}
	mine := m.SenderID == me
	a := messageActions{
		React:       m.State != cache.StatePending && m.State != cache.StateFailed,
		Copy:        strings.TrimSpace(m.Body) != "",
		Retry:       mine && m.State == cache.StateFailed,
		DeleteForMe: true,
	}
	_, forwarded := forwardOf(m) // a copy of someone's words is not edited (as in Telegram)
	a.Edit = mine && m.State.Confirmed() && strings.TrimSpace(m.Body) != "" && !forwarded
	switch {
	case mine:
		a.DeleteForEvery = m.State.Confirmed()
	case d.Type != dialogPrivate:
		a.DeleteForEvery = roleIn(d, me) >= roleAdmin && m.State.Confirmed()
	}
	return a
}

// ownStatus is the mark of one's own message: the state, raised by the per-user
// markers (a read by any other occupant reads as read).
func ownStatus(m cache.Message, me int64) widgets.MessageStatus {
	s := bubbleStatus(m.State)
	if m.State == cache.StatePending || m.State == cache.StateFailed {
		return s
	}
	others := func(ids []int64) bool {
		for _, id := range ids {
			if id != me && id != 0 {
				return true
			}
		}
		return false
	}
	switch {
	case others(m.ReadIDs):
		return widgets.StatusRead
	case others(m.DeliveredIDs) && s < widgets.StatusDelivered:
		return widgets.StatusDelivered
	}
	return s
}

// humanSize formats a byte count the way file managers do.
func humanSize(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
}

// isImage tells whether an attachment is drawn as a thumbnail.
func isImage(a cache.Attachment) bool {
	return a.Type == "image" || strings.HasPrefix(a.ContentType, "image/")
}

// attachmentName is the file's name, or a readable stand-in.
func attachmentName(a cache.Attachment) string {
	switch {
	case a.Name != "":
		return a.Name
	case isImage(a):
		return lang.L("Photo")
	case a.Type != "":
		return strings.ToUpper(a.Type[:1]) + a.Type[1:]
	default:
		return lang.L("File")
	}
}

// windowTitle shows the total unread count in the title bar.
func windowTitle(unread int) string {
	if unread <= 0 {
		return "cubechat"
	}
	return fmt.Sprintf("cubechat (%s)", widgets.BadgeText(unread))
}

// memberCount is "1 member", "3 members".
func memberCount(n int) string {
	return lang.XN("members.count", "{{.Count}} members", n, msgData{"Count": n})
}
