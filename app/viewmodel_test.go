package app

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

var utc = time.UTC

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestListTime(t *testing.T) {
	now := at("2025-03-14 18:30") // a Friday
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, ""},
		{at("2025-03-14 09:05"), "09:05"},
		{at("2025-03-13 23:59"), "Yesterday"},
		{at("2025-03-10 12:00"), "Mon"},
		{at("2025-01-02 12:00"), "2 Jan"},
		{at("2024-12-31 12:00"), "31.12.2024"},
	}
	for _, c := range cases {
		if got := listTime(c.t, now, utc); got != c.want {
			t.Errorf("listTime(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestDayHeader(t *testing.T) {
	now := at("2025-03-14 18:30")
	cases := []struct {
		t    time.Time
		want string
	}{
		{at("2025-03-14 00:00"), "Today"},
		{at("2025-03-13 10:00"), "Yesterday"},
		{at("2025-02-03 10:00"), "Monday, 3 February"},
		{at("2023-07-09 10:00"), "9 July 2023"},
	}
	for _, c := range cases {
		if got := dayHeader(c.t, now, utc); got != c.want {
			t.Errorf("dayHeader(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestDialogTitleAndPreview(t *testing.T) {
	const me = 1
	users := map[int64]cache.User{
		1: {ID: 1, Login: "me"},
		2: {ID: 2, Login: "ann", FullName: "Ann Lee"},
		3: {ID: 3, Login: "bob"},
	}
	private := cache.Dialog{ID: "p", Type: dialogPrivate, Name: "Me", OccupantIDs: []int64{1, 2},
		LastMessage: "see\nyou", LastMessageID: "m", LastMessageUserID: 1}
	group := cache.Dialog{ID: "g", Type: 2, Name: "Team", OccupantIDs: []int64{1, 2, 3},
		LastMessage: "hi", LastMessageID: "m2", LastMessageUserID: 3}
	unknownPeer := cache.Dialog{ID: "u", Type: dialogPrivate, OccupantIDs: []int64{1, 9}}

	cases := []struct {
		d                   cache.Dialog
		title, sub, preview string
	}{
		{private, "Ann Lee", "@ann", "You: see you"},
		{group, "Team", "3 members", "bob: hi"},
		{unknownPeer, "User 9", "Private chat", "No messages yet"},
	}
	for _, c := range cases {
		if got := dialogTitle(c.d, me, users); got != c.title {
			t.Errorf("%s: title %q, want %q", c.d.ID, got, c.title)
		}
		if got := dialogSubtitle(c.d, me, users); got != c.sub {
			t.Errorf("%s: subtitle %q, want %q", c.d.ID, got, c.sub)
		}
		if got := dialogPreview(c.d, me, users); got != c.preview {
			t.Errorf("%s: preview %q, want %q", c.d.ID, got, c.preview)
		}
	}
}

func TestHistoryRowsSeparatorsAndGrouping(t *testing.T) {
	const me = 1
	users := map[int64]cache.User{2: {ID: 2, FullName: "Ann"}}
	now := at("2025-03-14 18:00")
	msgs := []cache.Message{
		{ID: "a", SenderID: 2, Body: "hi", SentAt: at("2025-03-13 10:00"), State: cache.StateRead},
		{ID: "b", SenderID: 2, Body: "there", SentAt: at("2025-03-13 10:02")},
		{ID: "c", SenderID: 2, Body: "later", SentAt: at("2025-03-13 11:00")},
		{ID: "d", SenderID: 1, Body: "morning", SentAt: at("2025-03-14 08:00"), State: cache.StatePending},
		{ID: "e", SenderID: 1, Body: "", SentAt: at("2025-03-14 08:01"), State: cache.StateFailed,
			Attachments: []cache.Attachment{{Type: "image", Name: "cat.png"}}},
	}
	rows := historyRows(msgs, me, true, users, now, utc)

	want := []struct {
		day       string
		continues bool
		sender    string
		mine      bool
		status    widgets.MessageStatus
	}{
		{"Yesterday", false, "Ann", false, widgets.StatusRead},
		{"", true, "", false, widgets.StatusSent},
		{"", false, "Ann", false, widgets.StatusSent}, // an hour later starts a new run
		{"Today", false, "", true, widgets.StatusPending},
		{"", true, "", true, widgets.StatusFailed},
	}
	for i, w := range want {
		r := rows[i]
		if r.DayHeader != w.day || r.Continues != w.continues || r.Sender != w.sender || r.Mine != w.mine || r.Status != w.status {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
	}
	if a := rows[4].Attachments; len(a) != 1 || a[0].Name != "cat.png" || a[0].Kind != widgets.AttachmentImage || a[0].Progress >= 0 {
		t.Errorf("an attachment-only message should show its file as a thumbnail, got %+v", a)
	}
	if rows[3].Time != "08:00" {
		t.Errorf("time %q", rows[3].Time)
	}

	private := historyRows(msgs[:1], me, false, users, now, utc)
	if private[0].Sender != "" {
		t.Error("private chats do not repeat the peer's name on bubbles")
	}
}

func TestPlanReload(t *testing.T) {
	cases := []struct {
		name string
		c    cache.Change
		open string
		want reloadPlan
	}{
		{"nothing", cache.Change{}, "d1", reloadPlan{}},
		{"message in open dialog", cache.Change{Messages: map[string][]string{"d1": {"m"}}}, "d1",
			reloadPlan{Dialogs: true, History: true}},
		{"message elsewhere", cache.Change{Messages: map[string][]string{"d2": {"m"}}}, "d1",
			reloadPlan{Dialogs: true}},
		{"open dialog row", cache.Change{Dialogs: []string{"d1"}}, "d1",
			reloadPlan{Dialogs: true, History: true, Header: true}},
		{"users", cache.Change{Users: true}, "d1", reloadPlan{Dialogs: true, History: true, Header: true}},
		{"no open dialog", cache.Change{Users: true, Dialogs: []string{"d1"}}, "", reloadPlan{Dialogs: true}},
	}
	for _, c := range cases {
		if got := planReload(c.c, c.open); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestMergeChanges(t *testing.T) {
	a := cache.Change{Dialogs: []string{"d1"}, Messages: map[string][]string{"d1": {"m1"}}}
	b := cache.Change{Dialogs: []string{"d1", "d2"}, Messages: map[string][]string{"d1": {"m2"}, "d2": {"m3"}}, Users: true}
	got := mergeChanges(a, b)
	want := cache.Change{Dialogs: []string{"d1", "d2"}, Messages: map[string][]string{"d1": {"m1", "m2"}, "d2": {"m3"}}, Users: true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merge = %+v, want %+v", got, want)
	}
	if len(a.Messages["d1"]) != 1 {
		t.Fatal("merge must not modify its inputs")
	}
}

func TestReloadLimitAndPrepend(t *testing.T) {
	if reloadLimit(0, 1) != historyPage || reloadLimit(120, 3) != 123 {
		t.Error("reload keeps every shown row and makes room for the changed ones")
	}
	cur := []cache.Message{{ID: "c"}, {ID: "d"}}
	got := prependMessages([]cache.Message{{ID: "a"}, {ID: "b"}, {ID: "c"}}, cur)
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "a,b,c,d" {
		t.Errorf("prepend = %v", ids)
	}
}

func TestKeepOlder(t *testing.T) {
	msg := func(id string, min int) cache.Message {
		return cache.Message{ID: id, SentAt: at("2025-03-14 10:00").Add(time.Duration(min) * time.Minute)}
	}
	ids := func(ms []cache.Message) string {
		var s []string
		for _, m := range ms {
			s = append(s, m.ID)
		}
		return strings.Join(s, ",")
	}
	cur := []cache.Message{msg("a", 1), msg("b", 2), msg("c", 3), msg("d", 4)}
	cases := []struct {
		name          string
		current, next []cache.Message
		want          string
	}{
		{"reload of the newest rows keeps paged-in ones", cur, []cache.Message{msg("c", 3), msg("d", 4), msg("e", 5)}, "a,b,c,d,e"},
		{"reload covering everything", cur, []cache.Message{msg("a", 1), msg("b", 2), msg("c", 3), msg("d", 4)}, "a,b,c,d"},
		{"first load", nil, []cache.Message{msg("a", 1)}, "a"},
		{"empty reload keeps the window", cur, nil, "a,b,c,d"},
	}
	for _, c := range cases {
		if got := ids(keepOlder(c.current, c.next)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
