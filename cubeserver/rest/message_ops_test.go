package rest

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

func TestCreateMessage(t *testing.T) {
	e, rec := newEnvWith(t, "")
	a, tokA := e.user("a")
	b, tokB := e.user("b")
	_, tokX := e.user("x")
	ctx := context.Background()

	// recipient_id finds or creates the private dialog; attachments as an index-keyed
	// object (docs, Dart); custom keys become fields; send_to_chat delivers it.
	m := e.post(tokA, map[string]any{"recipient_id": fmt.Sprint(b.ID), "message": "hello <b>",
		"attachments": map[string]any{"1": map[string]any{"type": "audio", "uid": "u2"}, "0": map[string]any{"type": "image", "uid": "u1", "size": "7"}},
		"country":     "USA", "send_to_chat": 1, "markable": 1})
	if m.RecipientID != b.ID || m.SenderID != a.ID || len(m.Attachments) != 2 || m.Attachments[0].UID != "u1" ||
		m.Attachments[0].Size != 7 || m.Custom["country"] != "USA" || !cube.IsObjectID(m.ID) {
		t.Fatalf("created %+v", m)
	}
	got := rec.take(b.ID)
	if len(got) != 1 || len(rec.take(a.ID)) != 1 { // the sender's copy stands for carbons
		t.Fatalf("b received %d packets, want 1", len(got))
	}
	s := got[0]
	raw, _ := xml.Marshal(s)
	if s.Type != "chat" || s.ID != m.ID || s.From != cube.UserJID(a.ID, testAppID, "localhost") || s.BodyText() != "hello <b>" ||
		s.Extra.Get("dialog_id") != m.ChatDialogID || s.Extra.Get("country") != "USA" || s.Extra.Get("date_sent") != fmt.Sprint(m.DateSent) ||
		len(s.Extra.Attachments) != 2 || s.Markable == nil {
		t.Fatalf("stanza %s", raw)
	}
	// Stored like a chat message: b has one unread and an alert (b is offline).
	r := e.do("GET", "/chat/Message/unread.json", tokB, nil)
	expect(t, r, 200, `{"`+m.ChatDialogID+`":1,"total":1}`)
	alerts, err := e.st.ListAlerts(ctx, b.ID, 0)
	if err != nil || len(alerts) != 1 || alerts[0].MessageID != m.ID {
		t.Fatalf("alerts %+v, %v", alerts, err)
	}

	// Array attachments (JS SDK 6), silent: no alert; an online active user: no alert.
	e.post(tokA, map[string]any{"chat_dialog_id": m.ChatDialogID, "attachments": []any{map[string]any{"type": "file", "uid": "u3"}}, "silent": 1})
	rec.online[b.ID] = true
	e.post(tokA, map[string]any{"chat_dialog_id": m.ChatDialogID, "message": "seen live"})
	if alerts, _ := e.st.ListAlerts(ctx, b.ID, 0); len(alerts) != 1 {
		t.Fatalf("silent or active-user messages alerted: %+v", alerts)
	}
	if len(rec.take(b.ID)) != 0 {
		t.Fatal("without send_to_chat nothing is delivered")
	}

	// Groups: delivered from {room}/{sender} to every occupant.
	g := e.group(tokA, "g", b.ID)
	gm := e.post(tokB, map[string]any{"chat_dialog_id": g.ID, "message": "hi all", "send_to_chat": "1"})
	if gm.RecipientID != 0 {
		t.Fatalf("group message recipient %d", gm.RecipientID)
	}
	for _, uid := range []int64{a.ID, b.ID} {
		got := rec.take(uid)
		if len(got) != 1 || got[0].Type != "groupchat" || got[0].From != cube.RoomJID(testAppID, g.ID, "localhost")+"/"+fmt.Sprint(b.ID) {
			t.Fatalf("user %d got %+v", uid, got)
		}
	}

	bad := []struct {
		name, token string
		body        any
		status      int
	}{
		{"outsider", tokX, map[string]any{"chat_dialog_id": g.ID, "message": "x"}, 403},
		{"unknown dialog", tokA, map[string]any{"chat_dialog_id": cube.NewObjectID(), "message": "x"}, 404},
		{"no dialog", tokA, map[string]any{"message": "x"}, 422},
		{"to myself", tokA, map[string]any{"recipient_id": a.ID, "message": "x"}, 422},
		{"unknown recipient", tokA, map[string]any{"recipient_id": 999, "message": "x"}, 422},
		{"empty", tokA, map[string]any{"chat_dialog_id": g.ID}, 422},
		{"bad attachments", tokA, map[string]any{"chat_dialog_id": g.ID, "attachments": "x"}, 422},
		{"bad custom key", tokA, map[string]any{"chat_dialog_id": g.ID, "message": "x", "1st": "no"}, 422},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, e.do("POST", "/chat/Message", tc.token, tc.body), tc.status, "")
		})
	}
}

func TestDeleteMessages(t *testing.T) {
	e, rec := newEnvWith(t, "")
	a, tokA := e.user("a")
	b, tokB := e.user("b")
	_, tokX := e.user("x")
	g := e.group(tokA, "g", b.ID)
	var ids []string
	for i := range 4 {
		ids = append(ids, e.post(tokB, map[string]any{"chat_dialog_id": g.ID, "message": fmt.Sprint("m", i)}).ID)
	}
	list := func(token, query string) []cube.Message {
		t.Helper()
		r := e.do("GET", "/chat/Message?mark_as_read=0&chat_dialog_id="+g.ID+query, token, nil)
		expect(t, r, 200, "")
		var l cube.MessageList
		r.decode(t, &l)
		return l.Items
	}
	before := time.Now().Add(-time.Second).Unix()

	// For me: hidden for the caller only; one id answers the bulk JSON too.
	expect(t, e.do("DELETE", "/chat/Message/"+ids[0]+".json", tokA, nil), 200,
		`{"SuccessfullyDeleted":{"ids":["`+ids[0]+`"]},"NotFound":{"ids":[]},"WrongPermissions":{"ids":[]}}`)
	if len(list(tokA, "")) != 3 || len(list(tokB, "")) != 4 {
		t.Fatal("delete for me must hide the message for the caller only")
	}
	expect(t, e.do("DELETE", "/chat/Message/"+ids[1], tokX, "force=1"), 403, "")
	expect(t, e.do("DELETE", "/chat/Message/"+cube.NewObjectID(), tokA, nil), 404, "")

	// Force by an admin (the owner) on someone else's message, force in the form body.
	rec.take(a.ID)
	rec.take(b.ID)
	expect(t, e.do("DELETE", "/chat/Message/"+ids[1], tokA, "force=1"), 200, "")
	for _, uid := range []int64{a.ID, b.ID} {
		got := rec.take(uid)
		if len(got) != 1 || got[0].Remove == nil || got[0].Remove.ID != ids[1] || got[0].Extra.Get("dialog_id") != g.ID {
			t.Fatalf("user %d got %+v", uid, got)
		}
	}
	if len(list(tokB, "")) != 3 {
		t.Fatal("force delete must remove the message for everyone")
	}
	// The tombstone is found by updated_at (catch-up after a reconnect), without its body.
	var tomb *cube.Message
	for _, m := range list(tokB, fmt.Sprint("&updated_at[gte]=", before)) {
		if m.ID == ids[1] {
			tomb = &m
		}
	}
	if tomb == nil || !tomb.Deleted || tomb.Message != "" {
		t.Fatalf("tombstone = %+v", tomb)
	}
	// A plain occupant may force-delete their own messages only; bulk answer.
	ext, _ := e.user("ext")
	e.dialog(e.do("PUT", "/chat/Dialog/"+g.ID, tokA, map[string]any{"push_all": map[string]any{"occupants_ids": []int64{ext.ID}}}), 200)
	mine := e.post(tokA, map[string]any{"chat_dialog_id": g.ID, "message": "owner's"})
	r := e.do("DELETE", "/chat/Message/"+ids[2]+","+mine.ID+","+ids[1]+"?force=1", tokB, nil)
	expect(t, r, 200, `{"SuccessfullyDeleted":{"ids":["`+ids[2]+`"]},"NotFound":{"ids":["`+ids[1]+`"]},"WrongPermissions":{"ids":["`+mine.ID+`"]}}`)
	// The dialog's last message follows deletions.
	expect(t, e.do("DELETE", "/chat/Message/"+mine.ID, tokA, "force=1"), 200, "")
	expect(t, e.do("POST", "/chat/Dialog/"+g.ID+"/subscribe", tokA, nil), 422, "") // not public
	var l cube.DialogList
	e.do("GET", "/chat/Dialog?_id="+g.ID, tokA, nil).decode(t, &l)
	if *l.Items[0].LastMessageID != ids[3] {
		t.Fatalf("last message %v, want %s", *l.Items[0].LastMessageID, ids[3])
	}
}

func TestReactions(t *testing.T) {
	e, rec := newEnvWith(t, "")
	a, tokA := e.user("a")
	b, tokB := e.user("b")
	_, tokX := e.user("x")
	p := e.dialog(e.do("POST", "/chat/Dialog", tokA, map[string]any{"type": 3, "occupants_ids": []int64{b.ID}}), 201)
	m := e.post(tokA, map[string]any{"chat_dialog_id": p.ID, "message": "react"})
	path := "/chat/Message/" + m.ID + "/reactions"

	expect(t, e.do("PUT", path+".json", tokB, map[string]any{"add": "👍"}), 200, "")
	got := rec.take(a.ID)
	if len(got) != 1 || got[0].Type != "chat" || got[0].From != cube.UserJID(b.ID, testAppID, "localhost") ||
		got[0].Reactions == nil || got[0].Reactions.MessageID != m.ID || got[0].Reactions.UserID != fmt.Sprint(b.ID) ||
		!slices.Equal(got[0].Reactions.Items, []cube.ReactionElem{{Type: "👍", Add: "true"}}) || got[0].Extra.Get("dialog_id") != p.ID {
		t.Fatalf("a got %+v", got)
	}
	// An add replaces the user's previous reaction; the packet says so.
	expect(t, e.do("PUT", path, tokB, map[string]any{"add": "🔥"}), 200, "")
	if got := rec.take(a.ID); len(got) != 1 || !slices.Equal(got[0].Reactions.Items,
		[]cube.ReactionElem{{Type: "🔥", Add: "true"}, {Type: "👍", Remove: "true"}}) {
		t.Fatalf("switch packet %+v", got)
	}
	expect(t, e.do("PUT", path, tokA, map[string]any{"add": "🔥"}), 200, "")
	expect(t, e.do("GET", path, tokA, nil), 200, fmt.Sprintf(`{"🔥":[%d,%d]}`, b.ID, a.ID))
	r := e.do("GET", "/chat/Message?mark_as_read=0&chat_dialog_id="+p.ID, tokB, nil)
	if !strings.Contains(string(r.body), `"reactions":{"own":["🔥"],"total":{"🔥":2}}`) {
		t.Fatalf("b's view %s", r.body)
	}
	expect(t, e.do("PUT", path, tokB, map[string]any{"remove": "👍"}), 200, "") // not b's: nothing changes
	expect(t, e.do("PUT", path, tokB, map[string]any{"remove": "🔥"}), 200, "")
	expect(t, e.do("PUT", path, tokA, map[string]any{"remove": "🔥"}), 200, "")
	r = e.do("GET", "/chat/Message?mark_as_read=0&chat_dialog_id="+p.ID, tokB, nil)
	if !strings.Contains(string(r.body), `"reactions":null`) {
		t.Fatalf("no reactions left, got %s", r.body)
	}
	bad := []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"outsider puts", "PUT", path, tokX, map[string]any{"add": "👍"}, 403},
		{"outsider reads", "GET", path, tokX, nil, 403},
		{"unknown message", "PUT", "/chat/Message/" + cube.NewObjectID() + "/reactions", tokA, map[string]any{"add": "👍"}, 404},
		{"nothing to do", "PUT", path, tokA, map[string]any{}, 422},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, e.do(tc.method, tc.path, tc.token, tc.body), tc.status, "")
		})
	}
}

func TestUnreadAndSystemMessages(t *testing.T) {
	e, rec := newEnvWith(t, "")
	a, tokA := e.user("a")
	b, tokB := e.user("b")
	g1 := e.group(tokA, "g1", b.ID)
	g2 := e.group(tokA, "g2", b.ID)
	for _, d := range []string{g1.ID, g2.ID, g2.ID} {
		e.post(tokA, map[string]any{"chat_dialog_id": d, "message": "x"})
	}
	tests := []struct{ query, want string }{
		{"", `{"` + g1.ID + `":1,"` + g2.ID + `":2,"total":3}`},
		{"?chat_dialog_ids=" + g1.ID + "%2C%20" + g2.ID, `{"` + g1.ID + `":1,"` + g2.ID + `":2,"total":3}`},
		{"?chat_dialog_ids[]=" + g2.ID, `{"` + g2.ID + `":2,"total":2}`},
		{"?chat_dialog_ids=" + cube.NewObjectID(), `{"total":0}`},
	}
	for _, tc := range tests {
		expect(t, e.do("GET", "/chat/Message/unread"+tc.query, tokB, nil), 200, tc.want)
	}

	r := e.do("POST", "/chat/Message/system.json", tokA, map[string]any{"recipientId": b.ID, "type": "dialog/NEW_DIALOG",
		"dialog": map[string]any{"id": g1.ID, "meta": map[string]any{"n": 1}}})
	expect(t, r, 200, "")
	var ans struct {
		MessageID       string         `json:"messageId"`
		RecipientID     int64          `json:"recipientId"`
		ExtensionParams map[string]any `json:"extensionParams"`
	}
	r.decode(t, &ans)
	got := rec.take(b.ID)
	if len(got) != 1 || ans.RecipientID != b.ID || got[0].ID != ans.MessageID || got[0].Type != "headline" ||
		got[0].From != cube.UserJID(a.ID, testAppID, "localhost") || got[0].Extra.Get("moduleIdentifier") != "SystemNotifications" ||
		got[0].Extra.Map()["dialog"].(map[string]any)["meta"].(map[string]any)["n"] != "1" || ans.ExtensionParams["type"] != "dialog/NEW_DIALOG" {
		t.Fatalf("system message %s → %+v", r.body, got)
	}
	expect(t, e.do("POST", "/chat/Message/system", tokA, map[string]any{"type": "x"}), 422, "")
	expect(t, e.do("POST", "/chat/Message/system", tokA, map[string]any{"recipientId": 999}), 404, "")
	expect(t, e.do("POST", "/chat/Message/system", tokA, map[string]any{"recipientId": b.ID, "bad key": 1}), 422, "")
}

func TestAppSessionNeedsUser(t *testing.T) {
	e, _ := newEnvWith(t, "")
	sess, err := e.st.CreateSession(context.Background(), store.NewSession{AppID: testAppID})
	if err != nil {
		t.Fatal(err)
	}
	id := cube.NewObjectID()
	for _, c := range []struct{ method, path string }{
		{"PUT", "/chat/Dialog/" + id}, {"DELETE", "/chat/Dialog/" + id}, {"POST", "/chat/Message"},
		{"DELETE", "/chat/Message/" + id}, {"GET", "/chat/Message/unread"}, {"PUT", "/chat/Message/" + id + "/reactions"},
		{"GET", "/chat/Dialog/" + id + "/notifications"}, {"POST", "/chat/Message/system"},
	} {
		expect(t, e.do(c.method, c.path, sess.Token, nil), 403, `{"errors":{"base":["Forbidden. Need user."]}}`)
		expect(t, e.do(c.method, c.path, "", nil), 401, sessionMissing)
	}
}
