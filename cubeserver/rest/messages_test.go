package rest

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// chatFixture is a private dialog of a and b with five messages: three in one second.
type chatFixture struct {
	e              *env
	a, b           cube.User
	tokenA, tokenB string
	dialog         *cube.Dialog
	ids            []string // in send order
}

const baseSecond = 1_700_000_000

func newChat(t *testing.T) *chatFixture {
	e := newEnv(t)
	f := &chatFixture{e: e}
	f.a, f.tokenA = e.user("a")
	f.b, f.tokenB = e.user("b")
	ctx := context.Background()
	d, err := e.st.FindOrCreatePrivateDialog(ctx, f.a.ID, f.b.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.dialog = d
	for i, sec := range []int64{0, 1, 1, 1, 2} {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: f.a.ID, RecipientID: f.b.ID,
			Message: "m" + strconv.Itoa(i), DateSent: baseSecond + sec}
		if _, err := e.st.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, m.ID)
	}
	return f
}

func (f *chatFixture) unread(t *testing.T, token string) int {
	t.Helper()
	r := f.e.do("GET", "/chat/Dialog?_id="+f.dialog.ID, token, nil)
	expect(t, r, 200, "")
	var l cube.DialogList
	r.decode(t, &l)
	if len(l.Items) != 1 {
		t.Fatalf("dialog list = %s", r.body)
	}
	return *l.Items[0].UnreadMessagesCount
}

func (f *chatFixture) list(t *testing.T, token, query string) cube.MessageList {
	t.Helper()
	r := f.e.do("GET", "/chat/Message.json?chat_dialog_id="+f.dialog.ID+"&"+query, token, nil)
	expect(t, r, 200, "")
	var l cube.MessageList
	r.decode(t, &l)
	return l
}

func TestListMessagesFilters(t *testing.T) {
	f := newChat(t)
	s := func(sec int64) string { return strconv.FormatInt(baseSecond+sec, 10) }
	ids := f.ids
	tests := []struct {
		name, query string
		want        []string
	}{
		{"default ascending", "", ids},
		{"date_sent gte keeps the whole second", "date_sent%5Bgte%5D=" + s(1), ids[1:]},
		{"date_sent gt skips the second", "date_sent[gt]=" + s(1), ids[4:]},
		{"date_sent plain", "date_sent=" + s(1), ids[1:4]},
		{"date_sent lt", "date_sent[lt]=" + s(1), ids[:1]},
		{"sort desc", "sort_desc=date_sent", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"limit and skip within one second", "date_sent[gte]=" + s(1) + "&limit=2&skip=1", ids[2:4]},
		{"desc pages are stable", "sort_desc=date_sent&limit=2&skip=2", []string{ids[2], ids[1]}},
		{"_id[in]", "_id%5Bin%5D=" + ids[3] + "%2C" + ids[0], []string{ids[0], ids[3]}},
		{"sender_id of the peer", "sender_id=" + strconv.FormatInt(f.b.ID, 10), nil},
		{"updated_at in the future", "updated_at[gt]=4000000000", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := f.list(t, f.tokenB, tc.query+"&mark_as_read=0")
			var got []string
			for _, m := range l.Items {
				got = append(got, m.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ids %v, want %v", got, tc.want)
			}
		})
	}
	r := f.e.do("GET", "/chat/Message?count=1&date_sent[gte]="+s(1)+"&chat_dialog_id="+f.dialog.ID, f.tokenB, nil)
	expect(t, r, 200, `{"items":{"count":4}}`)
	expect(t, f.e.do("GET", "/chat/Message?chat_dialog_id="+f.dialog.ID+"&sort_desc=body", f.tokenB, nil), 422, "")
	expect(t, f.e.do("GET", "/chat/Message?chat_dialog_id="+f.dialog.ID+"&limit=x", f.tokenB, nil), 422, "")
	expect(t, f.e.do("GET", "/chat/Message", f.tokenB, nil), 422, `{"errors":{"chat_dialog_id":["is required"]}}`)
}

func TestListMessagesMarkAsRead(t *testing.T) {
	f := newChat(t)
	if n := f.unread(t, f.tokenB); n != 5 {
		t.Fatalf("b starts with %d unread, want 5", n)
	}
	f.list(t, f.tokenB, "mark_as_read=0")
	if n := f.unread(t, f.tokenB); n != 5 {
		t.Fatalf("mark_as_read=0 changed unread to %d", n)
	}
	l := f.list(t, f.tokenB, "limit=2")
	if n := f.unread(t, f.tokenB); n != 3 {
		t.Fatalf("reading 2 left %d unread, want 3", n)
	}
	if !slices.Contains(l.Items[0].ReadIDs, f.b.ID) || l.Items[0].Read != 1 {
		t.Fatalf("returned message not shown as read: %+v", l.Items[0])
	}
	// The sender sees the peer's read in read_ids and in the dialog's status.
	mine := f.list(t, f.tokenA, "limit=1")
	if !slices.Equal(mine.Items[0].ReadIDs, []int64{f.a.ID, f.b.ID}) || mine.Items[0].Read != 1 {
		t.Fatalf("sender's view = %+v", mine.Items[0])
	}
	f.list(t, f.tokenB, "")
	if n := f.unread(t, f.tokenB); n != 0 {
		t.Fatalf("reading all left %d unread", n)
	}
}

func TestUpdateMessages(t *testing.T) {
	f := newChat(t)
	e, ids, d := f.e, f.ids, f.dialog.ID
	expect(t, e.do("PUT", "/chat/Message/"+ids[0]+","+ids[1]+".json", f.tokenB,
		map[string]any{"chat_dialog_id": d, "read": 1}), 200, "")
	if n := f.unread(t, f.tokenB); n != 3 {
		t.Fatalf("after reading 2 by PUT: %d unread", n)
	}
	expect(t, e.do("PUT", "/chat/Message/"+ids[4], f.tokenB, map[string]any{"chat_dialog_id": d, "delivered": 1}), 200, "")
	if n := f.unread(t, f.tokenB); n != 3 {
		t.Fatalf("delivered changed unread to %d", n)
	}
	r := e.do("GET", "/chat/Dialog?_id="+d, f.tokenA, nil)
	var l cube.DialogList
	r.decode(t, &l)
	if s := l.Items[0].LastMessageStatus; s == nil || *s != "delivered" {
		t.Fatalf("sender's last_message_status = %s", r.body)
	}
	// No ids: every message of the dialog (use-chat's "mark dialog as read").
	expect(t, e.do("PUT", "/chat/Message.json", f.tokenB, map[string]any{"chat_dialog_id": d, "read": "1"}), 200, "")
	if n := f.unread(t, f.tokenB); n != 0 {
		t.Fatalf("after reading all by PUT: %d unread", n)
	}

	expect(t, e.do("PUT", "/chat/Message/"+ids[4], f.tokenA, map[string]any{"chat_dialog_id": d, "message": "edited"}), 200, "")
	got := f.list(t, f.tokenA, "_id="+ids[4])
	if got.Items[0].Message != "edited" {
		t.Fatalf("edit not stored: %+v", got.Items[0])
	}
	tests := []struct {
		name, path, token string
		body              any
		status            int
	}{
		{"edit by the peer", "/chat/Message/" + ids[4], f.tokenB, map[string]any{"chat_dialog_id": d, "message": "x"}, 403},
		{"edit without ids", "/chat/Message", f.tokenA, map[string]any{"chat_dialog_id": d, "message": "x"}, 422},
		{"edit unknown id", "/chat/Message/" + cube.NewObjectID(), f.tokenA, map[string]any{"chat_dialog_id": d, "message": "x"}, 404},
		{"nothing to do", "/chat/Message/" + ids[0], f.tokenB, map[string]any{"chat_dialog_id": d}, 422},
		{"unknown dialog", "/chat/Message", f.tokenB, map[string]any{"chat_dialog_id": cube.NewObjectID(), "read": 1}, 404},
		{"malformed JSON", "/chat/Message", f.tokenB, `{"read":`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, e.do("PUT", tc.path, tc.token, tc.body), tc.status, "")
		})
	}
}

func TestMessagesForbiddenToOutsiders(t *testing.T) {
	f := newChat(t)
	_, tokenC := f.e.user("c")
	d := f.dialog.ID
	expect(t, f.e.do("GET", "/chat/Message?chat_dialog_id="+d, tokenC, nil), 403,
		`{"errors":{"base":["You are not an occupant of this dialog"]}}`)
	expect(t, f.e.do("PUT", "/chat/Message", tokenC, map[string]any{"chat_dialog_id": d, "read": 1}), 403, "")
	expect(t, f.e.do("GET", "/chat/Message?chat_dialog_id="+cube.NewObjectID(), tokenC, nil), 404, "")
	if n := f.unread(t, f.tokenB); n != 5 {
		t.Fatalf("an outsider's read changed b's unread to %d", n)
	}
}
