package app

import (
	"reflect"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

var testUsers = map[int64]cache.User{
	1: {ID: 1, Login: "alice", FullName: "Alice"},
	2: {ID: 2, Login: "bob", FullName: "Bob"},
	3: {ID: 3, Login: "carol", FullName: "Carol"},
	4: {ID: 4, Login: "dan"},
	5: {ID: 5, Login: "eve", FullName: "Eve"},
}

func TestTypingText(t *testing.T) {
	cases := []struct {
		ids  []int64
		want string
	}{
		{nil, ""},
		{[]int64{2}, "Bob is typing…"},
		{[]int64{2, 3}, "Bob and Carol are typing…"},
		{[]int64{2, 3, 4}, "Bob, Carol and dan are typing…"},
		{[]int64{2, 3, 4, 5}, "Bob, Carol and 2 others are typing…"},
		{[]int64{99}, "User 99 is typing…"},
	}
	for _, c := range cases {
		if got := typingText(c.ids, testUsers); got != c.want {
			t.Errorf("typingText(%v) = %q, want %q", c.ids, got, c.want)
		}
	}
}

func TestReactionSummary(t *testing.T) {
	cases := []struct {
		name string
		m    cache.Message
		want []widgets.Reaction
	}{
		{"none", cache.Message{}, nil},
		{"deleted hides reactions", cache.Message{Deleted: true, Reactions: map[string][]int64{"👍": {2}}}, nil},
		{"count first, then quick-row order, mine marked", cache.Message{Reactions: map[string][]int64{
			"🙏": {2}, "👍": {3}, "❤️": {1, 2}, "🔥": {4}, "": nil}},
			[]widgets.Reaction{{Emoji: "❤️", Count: 2, Mine: true}, {Emoji: "👍", Count: 1}, {Emoji: "🙏", Count: 1}, {Emoji: "🔥", Count: 1}}},
	}
	for _, c := range cases {
		if got := reactionSummary(c.m, 1); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestLastSeenText(t *testing.T) {
	loc := time.UTC
	now := time.Date(2025, 3, 12, 15, 0, 0, 0, loc)
	cases := []struct {
		u    cache.User
		want string
	}{
		{cache.User{Online: true, LastSeen: now.Add(-time.Hour)}, "online"},
		{cache.User{}, ""},
		{cache.User{LastSeen: now.Add(-20 * time.Second)}, "last seen just now"},
		{cache.User{LastSeen: now.Add(-5 * time.Minute)}, "last seen 5 min ago"},
		{cache.User{LastSeen: now.Add(-3 * time.Hour)}, "last seen today at 12:00"},
		{cache.User{LastSeen: now.Add(-20 * time.Hour)}, "last seen yesterday at 19:00"},
		{cache.User{LastSeen: time.Date(2025, 1, 2, 9, 0, 0, 0, loc)}, "last seen 2 Jan"},
		{cache.User{LastSeen: time.Date(2023, 1, 2, 9, 0, 0, 0, loc)}, "last seen 2 Jan 2023"},
	}
	for _, c := range cases {
		if got := lastSeenText(c.u, now, loc); got != c.want {
			t.Errorf("lastSeenText(%v) = %q, want %q", c.u.LastSeen, got, c.want)
		}
	}
}

func TestAvailableDialogActions(t *testing.T) {
	const me = 1
	group := func(owner int64, admins ...int64) cache.Dialog {
		return cache.Dialog{Type: dialogGroup, OwnerID: owner, AdminIDs: admins, OccupantIDs: []int64{1, 2, 3}}
	}
	cases := []struct {
		name string
		d    cache.Dialog
		want dialogActions
	}{
		{"group member", group(2),
			dialogActions{Rename: true, EditDescription: true, ShowMembers: true, AddMembers: true, Leave: true, ClearHistory: true, Notifications: true}},
		{"group admin", group(2, me),
			dialogActions{Rename: true, EditDescription: true, ShowMembers: true, AddMembers: true, RemoveMembers: true, Leave: true, ClearHistory: true, Notifications: true}},
		{"group owner", group(me),
			dialogActions{Rename: true, EditDescription: true, ShowMembers: true, AddMembers: true, RemoveMembers: true, ManageAdmins: true, Leave: true, DeleteForEveryone: true, ClearHistory: true, Notifications: true}},
		{"private, not creator", cache.Dialog{Type: dialogPrivate, OwnerID: 2, OccupantIDs: []int64{1, 2}},
			dialogActions{Block: true, Leave: true, ClearHistory: true, Notifications: true}},
		{"private, creator", cache.Dialog{Type: dialogPrivate, OwnerID: me, OccupantIDs: []int64{1, 2}},
			dialogActions{Block: true, Leave: true, DeleteForEveryone: true, ClearHistory: true, Notifications: true}},
		{"public subscriber", cache.Dialog{Type: dialogPublic, OwnerID: 2},
			dialogActions{Leave: true, ClearHistory: true, Notifications: true}},
		{"public owner", cache.Dialog{Type: dialogPublic, OwnerID: me},
			dialogActions{Rename: true, EditDescription: true, Leave: true, DeleteForEveryone: true, ClearHistory: true, Notifications: true}},
	}
	for _, c := range cases {
		if got := availableDialogActions(c.d, me); got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestCanRemoveMember(t *testing.T) {
	d := cache.Dialog{Type: dialogGroup, OwnerID: 9, AdminIDs: []int64{1, 2}, OccupantIDs: []int64{1, 2, 3, 9}}
	cases := []struct {
		me, member int64
		want       bool
	}{
		{1, 3, true},  // admin removes a member
		{1, 2, false}, // admin cannot remove another admin
		{1, 9, false}, // nobody removes the owner
		{1, 1, false}, // removing oneself is Leave
		{3, 2, false}, // members remove nobody
		{9, 2, true},  // the owner removes admins too
	}
	for _, c := range cases {
		if got := canRemoveMember(d, c.me, c.member); got != c.want {
			t.Errorf("me=%d member=%d: got %v", c.me, c.member, got)
		}
	}
}

func TestAvailableMessageActions(t *testing.T) {
	const me = 1
	private := cache.Dialog{Type: dialogPrivate, OccupantIDs: []int64{1, 2}}
	adminGroup := cache.Dialog{Type: dialogGroup, OwnerID: 5, AdminIDs: []int64{me}}
	cases := []struct {
		name string
		m    cache.Message
		d    cache.Dialog
		want messageActions
	}{
		{"own sent", cache.Message{SenderID: me, Body: "hi", State: cache.StateSent}, private,
			messageActions{React: true, Edit: true, Copy: true, DeleteForMe: true, DeleteForEvery: true}},
		{"own failed", cache.Message{SenderID: me, Body: "hi", State: cache.StateFailed}, private,
			messageActions{Copy: true, Retry: true, DeleteForMe: true}},
		{"own pending", cache.Message{SenderID: me, Body: "hi", State: cache.StatePending}, private,
			messageActions{Copy: true, DeleteForMe: true}},
		{"theirs in private", cache.Message{SenderID: 2, Body: "hi", State: cache.StateRead}, private,
			messageActions{React: true, Copy: true, DeleteForMe: true}},
		{"theirs, I am group admin", cache.Message{SenderID: 2, Body: "hi", State: cache.StateSent}, adminGroup,
			messageActions{React: true, Copy: true, DeleteForMe: true, DeleteForEvery: true}},
		{"own attachment only", cache.Message{SenderID: me, State: cache.StateSent, Attachments: []cache.Attachment{{UID: "u"}}}, private,
			messageActions{React: true, DeleteForMe: true, DeleteForEvery: true}},
		{"deleted", cache.Message{SenderID: me, Deleted: true, State: cache.StateSent}, private,
			messageActions{DeleteForMe: true}},
	}
	for _, c := range cases {
		if got := availableMessageActions(c.m, c.d, me); got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestOwnStatus(t *testing.T) {
	cases := []struct {
		m    cache.Message
		want widgets.MessageStatus
	}{
		{cache.Message{State: cache.StatePending}, widgets.StatusPending},
		{cache.Message{State: cache.StateFailed}, widgets.StatusFailed},
		{cache.Message{State: cache.StateSent, ReadIDs: []int64{1}, DeliveredIDs: []int64{1}}, widgets.StatusSent},
		{cache.Message{State: cache.StateSent, DeliveredIDs: []int64{1, 2}}, widgets.StatusDelivered},
		{cache.Message{State: cache.StateSent, ReadIDs: []int64{1, 3}}, widgets.StatusRead},
		{cache.Message{State: cache.StateRead}, widgets.StatusRead},
	}
	for i, c := range cases {
		if got := ownStatus(c.m, 1); got != c.want {
			t.Errorf("case %d: got %v, want %v", i, got, c.want)
		}
	}
}

func TestHumanSizeAndTitle(t *testing.T) {
	sizes := map[int64]string{0: "", 512: "512 B", 2048: "2 KB", 3_500_000: "3.5 MB", 2_000_000_000: "2.0 GB"}
	for n, want := range sizes {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	titles := map[int]string{0: "cubechat", 3: "cubechat (3)", 5000: "cubechat (999+)"}
	for n, want := range titles {
		if got := windowTitle(n); got != want {
			t.Errorf("windowTitle(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSearchResults(t *testing.T) {
	now := time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC)
	bobChat := cache.Dialog{ID: "d1", Type: dialogPrivate, OccupantIDs: []int64{1, 2}}
	team := cache.Dialog{ID: "d2", Type: dialogGroup, Name: "Team Bobcats", OccupantIDs: []int64{1, 2, 3}}
	hiking := cache.Dialog{ID: "d3", Type: dialogGroup, Name: "Hiking"}
	all := []cache.Dialog{bobChat, team, hiking}

	if got := filterDialogs(all, "  BOB ", 1, testUsers); len(got) != 2 || got[0].ID != "d1" || got[1].ID != "d2" {
		t.Errorf("filter by name: %+v", got)
	}
	if got := filterDialogs(all, "team cats", 1, testUsers); len(got) != 1 || got[0].ID != "d2" {
		t.Errorf("every word must match: %+v", got)
	}
	if got := filterDialogs(all, "", 1, testUsers); len(got) != 3 {
		t.Errorf("empty query keeps all: %d", len(got))
	}

	msgs := []cache.Message{
		{ID: "m2", DialogID: "d3", SenderID: 1, Body: "see\nyou", SentAt: now.Add(-time.Minute)},
		{ID: "m1", DialogID: "zz", SenderID: 3, Body: "hello", SentAt: now.Add(-time.Hour)},
		{ID: "m2", DialogID: "d3", SenderID: 1, Body: "see you", SentAt: now.Add(-time.Minute)},
		{ID: "m3", DialogID: "d3", SenderID: 2, Deleted: true},
	}
	got := searchResults([]cache.Dialog{bobChat}, msgs, all, 1, testUsers, now, time.UTC)
	want := []searchItem{
		{Kind: searchHeader, Title: "Chats"},
		{Kind: searchDialog, DialogID: "d1", Title: "Bob"},
		{Kind: searchHeader, Title: "Messages"},
		{Kind: searchMessage, DialogID: "d3", MessageID: "m2", Title: "Hiking", Text: "You: see you", Time: "14:59"},
		{Kind: searchMessage, DialogID: "zz", MessageID: "m1", Title: "Carol", Text: "hello", Time: "14:00"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results:\n got %+v\nwant %+v", got, want)
	}
	if searchResults(nil, nil, all, 1, testUsers, now, time.UTC) != nil {
		t.Error("no hits, no sections")
	}
}

func TestCanSearchServer(t *testing.T) {
	cases := []struct {
		text   string
		online bool
		want   bool
	}{
		{"hello", true, true}, {"hell", true, false}, {"  hell ", true, false}, {"hello", false, false}, {"привет", true, true},
	}
	for _, c := range cases {
		if got := canSearchServer(c.text, c.online); got != c.want {
			t.Errorf("canSearchServer(%q, %v) = %v", c.text, c.online, got)
		}
	}
}
