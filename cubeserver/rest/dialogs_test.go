package rest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func TestCreateDialog(t *testing.T) {
	e := newEnv(t)
	a, tokenA := e.user("a")
	b, tokenB := e.user("b")
	c, _ := e.user("c")
	occupants := fmt.Sprintf("%d, %d", b.ID, c.ID) // JS SDK 6 sends a comma+space string

	r := e.do("POST", "/chat/Dialog.json", tokenA, map[string]any{"type": 2, "name": "crew",
		"occupants_ids": occupants, "extensions": map[string]any{"location": "Sun bar", "floor": 3}})
	expect(t, r, 201, "")
	var g cube.Dialog
	r.decode(t, &g)
	if !slices.Equal(g.OccupantsIDs, []int64{a.ID, b.ID, c.ID}) || g.UserID != a.ID || g.Name != "crew" {
		t.Fatalf("group = %s", r.body)
	}
	if g.XMPPRoomJID == nil || *g.XMPPRoomJID != cube.RoomJID(testAppID, g.ID, "localhost") {
		t.Fatalf("room jid = %v", g.XMPPRoomJID)
	}
	if g.Extensions["floor"] != "3" || g.UnreadMessagesCount == nil || *g.UnreadMessagesCount != 0 {
		t.Fatalf("extensions/unread = %s", r.body)
	}

	r = e.do("POST", "/chat/Dialog", tokenA, map[string]any{"type": 3, "occupants_ids": []int64{b.ID}})
	expect(t, r, 201, "")
	var p1 cube.Dialog
	r.decode(t, &p1)
	if p1.XMPPRoomJID != nil || !slices.Equal(p1.OccupantsIDs, []int64{a.ID, b.ID}) {
		t.Fatalf("private = %s", r.body)
	}
	r = e.do("POST", "/chat/Dialog", tokenB, map[string]any{"type": "3", "occupants_ids": []string{strconv.FormatInt(a.ID, 10)}})
	expect(t, r, 200, "")
	var p2 cube.Dialog
	r.decode(t, &p2)
	if p2.ID != p1.ID {
		t.Fatalf("second private dialog %s for the same pair (first %s)", p2.ID, p1.ID)
	}

	bad := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"broadcast refused", map[string]any{"type": 1, "name": "news"}, 403, ""},
		{"group without name", map[string]any{"type": 2, "occupants_ids": []int64{b.ID}}, 422, `{"errors":{"name":["is required"]}}`},
		{"group without occupants", map[string]any{"type": 2, "name": "x"}, 422, ""},
		{"private with two others", map[string]any{"type": 3, "occupants_ids": []int64{b.ID, c.ID}}, 422, ""},
		{"unknown occupant", map[string]any{"type": 2, "name": "x", "occupants_ids": []int64{999}}, 422,
			`{"errors":{"occupants_ids":["user 999 does not exist"]}}`},
		{"no type", map[string]any{"name": "x"}, 422, ""},
		{"bad type", map[string]any{"type": 9, "name": "x"}, 422, ""},
		{"garbage occupants", map[string]any{"type": 2, "name": "x", "occupants_ids": "7, x"}, 422, ""},
		{"malformed JSON", `{"type": 2,,}`, 400, ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, e.do("POST", "/chat/Dialog", tokenA, tc.body), tc.status, tc.want)
		})
	}
}

func TestListDialogsFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, token := e.user("a")
	b, _ := e.user("b")
	c, _ := e.user("c")
	_, tokenC := e.user("outsider")
	mk := func(body map[string]any) cube.Dialog {
		t.Helper()
		r := e.do("POST", "/chat/Dialog", token, body)
		expect(t, r, 201, "")
		var d cube.Dialog
		r.decode(t, &d)
		return d
	}
	g1 := mk(map[string]any{"type": 2, "name": "g1", "occupants_ids": []int64{b.ID}})
	p1 := mk(map[string]any{"type": 3, "occupants_ids": []int64{b.ID}})
	time.Sleep(20 * time.Millisecond)
	cut := time.Now()
	time.Sleep(20 * time.Millisecond)
	g2 := mk(map[string]any{"type": 2, "name": "g2", "occupants_ids": []int64{c.ID}})
	pub := mk(map[string]any{"type": 4, "name": "pub"})
	// A message in g1 makes it the most recently active dialog.
	if _, err := e.st.StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: g1.ID,
		SenderID: b.ID, Message: "hi", DateSent: time.Now().Unix() + 5}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	tests := []struct {
		name, query string
		want        []string
		total       int
	}{
		{"default order: latest activity first", "", []string{g1.ID, pub.ID, g2.ID, p1.ID}, 4},
		{"type[in] comma list", "type%5Bin%5D=2%2C3&sort_asc=created_at", []string{g1.ID, p1.ID, g2.ID}, 3},
		{"type", "type=4", []string{pub.ID}, 1},
		{"updated_at gt ISO with milliseconds", "sort_asc=created_at&updated_at%5Bgt%5D=" +
			url.QueryEscape(cut.UTC().Format(time.RFC3339Nano)), []string{g1.ID, g2.ID, pub.ID}, 3},
		{"updated_at gt unix seconds in the future", "updated_at[gt]=" + strconv.FormatInt(now+3600, 10), nil, 0},
		{"updated_at lte unix seconds", "updated_at[lte]=" + strconv.FormatInt(now+3600, 10) + "&type=3", []string{p1.ID}, 1},
		{"limit and skip", "sort_asc=created_at&limit=2&skip=1", []string{p1.ID, g2.ID}, 4},
		{"sort_desc date_sent alias", "sort_desc=date_sent&limit=1", []string{g1.ID}, 4},
		{"_id[in]", "sort_asc=created_at&_id%5Bin%5D=" + g2.ID + "%2C" + p1.ID, []string{p1.ID, g2.ID}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/chat/Dialog.json?"+tc.query, token, nil)
			expect(t, r, 200, "")
			var got cube.DialogList
			r.decode(t, &got)
			var ids []string
			for _, d := range got.Items {
				ids = append(ids, d.ID)
			}
			if !slices.Equal(ids, tc.want) || got.TotalEntries != tc.total {
				t.Fatalf("ids %v total %d, want %v total %d", ids, got.TotalEntries, tc.want, tc.total)
			}
		})
	}
	r := e.do("GET", "/chat/Dialog?count=1&type[in]=2", token, nil)
	expect(t, r, 200, `{"items":{"count":2}}`)
	expect(t, e.do("GET", "/chat/Dialog?count=1", tokenC, nil), 200, `{"items":{"count":0}}`)
	expect(t, e.do("GET", "/chat/Dialog?sort_desc=colour", token, nil), 422, "")
	expect(t, e.do("GET", "/chat/Dialog?updated_at[gt]=yesterday", token, nil), 422, "")

	// Unread count and last message status are the viewer's own.
	r = e.do("GET", "/chat/Dialog?_id="+g1.ID, token, nil)
	var list cube.DialogList
	r.decode(t, &list)
	if d := list.Items[0]; *d.UnreadMessagesCount != 1 || d.LastMessageStatus != nil || *d.LastMessageUserID != b.ID {
		t.Fatalf("a's view of g1 = %s", r.body)
	}
}
