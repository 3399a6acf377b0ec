package rest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestPublicDialogs(t *testing.T) {
	e, _ := newEnvWith(t, "")
	a, tokA := e.user("a")
	b, tokB := e.user("b")
	_, tokC := e.user("c")
	pub := e.dialog(e.do("POST", "/chat/Dialog", tokA, map[string]any{"type": 4, "name": "town square",
		"permissions": map[string]any{"allow_preview": true}}), 201)
	if len(pub.OccupantsIDs) != 0 || pub.OccupantsCount == nil || *pub.OccupantsCount != 1 {
		t.Fatalf("public dialog %+v", pub)
	}
	e.post(tokA, map[string]any{"chat_dialog_id": pub.ID, "message": "welcome"})
	// Browsing: a listing of public dialogs only shows every one, joined or not; the
	// plain list shows only the viewer's dialogs.
	for _, query := range []string{"type=4", "type[in]=4"} {
		var browse cube.DialogList
		e.do("GET", "/chat/Dialog?"+query, tokC, nil).decode(t, &browse)
		if len(browse.Items) != 1 || browse.Items[0].ID != pub.ID || browse.TotalEntries != 1 {
			t.Fatalf("browsing %s as a non-member: %+v", query, browse)
		}
	}
	var mine cube.DialogList
	e.do("GET", "/chat/Dialog", tokC, nil).decode(t, &mine)
	if len(mine.Items) != 0 {
		t.Fatalf("a public dialog not joined is in the viewer's list: %+v", mine.Items)
	}
	// Not subscribed: no history, except the preview.
	expect(t, e.do("GET", "/chat/Message?chat_dialog_id="+pub.ID, tokB, nil), 403, "")
	r := e.do("GET", "/chat/Message?preview=1&chat_dialog_id="+pub.ID, tokB, nil)
	expect(t, r, 200, "")
	if !strings.Contains(string(r.body), `"welcome"`) {
		t.Fatalf("preview %s", r.body)
	}
	d := e.dialog(e.do("POST", "/chat/Dialog/"+pub.ID+"/subscribe.json", tokB, nil), 200)
	if *d.OccupantsCount != 2 || len(d.OccupantsIDs) != 0 {
		t.Fatalf("after subscribe %+v", d)
	}
	expect(t, e.do("GET", "/chat/Message?chat_dialog_id="+pub.ID, tokB, nil), 200, "")
	r = e.do("GET", "/chat/Dialog/"+pub.ID+"/occupants?limit=1&skip=1", tokB, nil)
	expect(t, r, 200, "")
	var occ struct{ Items []cube.User }
	r.decode(t, &occ)
	if len(occ.Items) != 1 || occ.Items[0].ID != b.ID {
		t.Fatalf("occupants page %s", r.body)
	}
	expect(t, e.do("GET", "/chat/Dialog/"+pub.ID+"/occupants", tokC, nil), 403, "")
	expect(t, e.do("DELETE", "/chat/dialog/"+pub.ID+"/subscribe", tokB, nil), 200, "") // the docs' lowercase path
	var l cube.DialogList
	e.do("GET", "/chat/Dialog?_id="+pub.ID, tokA, nil).decode(t, &l)
	if *l.Items[0].OccupantsCount != 1 {
		t.Fatalf("after unsubscribe %+v", l.Items[0])
	}
	_ = a
}

func TestDialogNotifications(t *testing.T) {
	e, _ := newEnvWith(t, "")
	_, tokA := e.user("a")
	b, tokB := e.user("b")
	_, tokX := e.user("x")
	g := e.group(tokA, "g", b.ID)
	path := "/chat/Dialog/" + g.ID + "/notifications"
	steps := []struct {
		name, method, token string
		body                any
		status              int
		want                string
	}{
		{"default on", "GET", tokB, nil, 200, `{"notifications":{"enabled":1}}`},
		{"off as a string", "PUT", tokB, map[string]any{"enabled": "0"}, 200, `{"notifications":{"enabled":0}}`},
		{"stays off", "GET", tokB, nil, 200, `{"notifications":{"enabled":0}}`},
		{"a is unaffected", "GET", tokA, nil, 200, `{"notifications":{"enabled":1}}`},
		{"on as a boolean", "PUT", tokB, map[string]any{"enabled": true}, 200, `{"notifications":{"enabled":1}}`},
		{"wrapped number", "PUT", tokB, map[string]any{"notifications": map[string]any{"enabled": 0}}, 200, `{"notifications":{"enabled":0}}`},
		{"garbage", "PUT", tokB, map[string]any{"enabled": "maybe"}, 422, ""},
		{"missing", "PUT", tokB, map[string]any{}, 422, ""},
		{"outsider reads", "GET", tokX, nil, 403, ""},
		{"outsider writes", "PUT", tokX, map[string]any{"enabled": 1}, 403, ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			expect(t, e.do(s.method, path, s.token, s.body), s.status, s.want)
		})
	}
	// Muted: no chat alert for b.
	e.post(tokA, map[string]any{"chat_dialog_id": g.ID, "message": "quiet"})
	r := e.doHeaders("GET", "/admin/alerts", nil, nil)
	expect(t, r, 403, "") // admin off in this env
	if alerts, _ := e.st.ListAlerts(t.Context(), b.ID, 0); len(alerts) != 0 {
		t.Fatalf("muted dialog alerted: %+v", alerts)
	}
}

func TestAdminAndBroadcast(t *testing.T) {
	e, rec := newEnvWith(t, "admin-secret")
	owner, tokOwner := e.user("news")
	b, tokB := e.user("reader")
	admin := map[string]string{AdminKeyHeader: "admin-secret"}
	body := map[string]any{"user_id": owner.ID, "name": "Announcements"}
	expect(t, e.doHeaders("POST", "/admin/chat/Dialog", nil, body), 403, "")
	expect(t, e.doHeaders("POST", "/admin/chat/Dialog", map[string]string{AdminKeyHeader: "wrong"}, body), 403, "")
	expect(t, e.doHeaders("POST", "/admin/chat/Dialog", admin, map[string]any{"name": "x"}), 422, "")
	bc := e.dialog(e.doHeaders("POST", "/admin/chat/Dialog.json", admin, body), 201)
	if bc.Type != cube.DialogBroadcast || bc.UserID != owner.ID {
		t.Fatalf("broadcast %+v", bc)
	}
	// Everyone lists and reads it; only the owner and admins post.
	m := e.post(tokOwner, map[string]any{"chat_dialog_id": bc.ID, "message": "release 1.0", "send_to_chat": 1})
	if len(rec.take(owner.ID)) != 1 {
		t.Fatal("the owner's echo is missing")
	}
	var l cube.DialogList
	e.do("GET", "/chat/Dialog?type=1", tokB, nil).decode(t, &l)
	if len(l.Items) != 1 || l.Items[0].ID != bc.ID || *l.Items[0].UnreadMessagesCount != 1 {
		t.Fatalf("reader's list %+v", l)
	}
	r := e.do("GET", "/chat/Message?chat_dialog_id="+bc.ID, tokB, nil)
	if !strings.Contains(string(r.body), m.ID) {
		t.Fatalf("reader's history %s", r.body)
	}
	expect(t, e.do("GET", "/chat/Message/unread?chat_dialog_ids="+bc.ID, tokB, nil), 200, `{"`+bc.ID+`":0,"total":0}`)
	expect(t, e.do("POST", "/chat/Message", tokB, map[string]any{"chat_dialog_id": bc.ID, "message": "me too"}), 403, "")
	expect(t, e.do("DELETE", "/chat/Message/"+m.ID, tokB, "force=1"), 403, "")
	expect(t, e.do("PUT", "/chat/Message/"+m.ID+"/reactions", tokB, map[string]any{"add": "👍"}), 403, "")
	expect(t, e.do("POST", "/chat/Dialog", tokB, map[string]any{"type": 1, "name": "mine"}), 403, "")
	expect(t, e.do("DELETE", "/chat/Dialog/"+bc.ID, tokB, nil), 200, "") // hides it for the reader
	e.do("GET", "/chat/Dialog?type=1", tokB, nil).decode(t, &l)
	if len(l.Items) != 0 {
		t.Fatalf("hidden broadcast still listed: %+v", l.Items)
	}

	// Admin lists: every dialog, and messages paged backwards by _id.
	g := e.group(tokOwner, "side", b.ID)
	var ids []string
	for i := range 3 {
		ids = append(ids, e.post(tokOwner, map[string]any{"chat_dialog_id": g.ID, "message": fmt.Sprint(i)}).ID)
	}
	e.doHeaders("GET", "/admin/chat/list?sort_asc=created_at", admin, nil).decode(t, &l)
	if l.TotalEntries != 2 || l.Items[0].ID != bc.ID || l.Items[0].UnreadMessagesCount != nil {
		t.Fatalf("admin list %+v", l)
	}
	var ml cube.MessageList
	e.doHeaders("GET", "/admin/chat/messages/list?limit=1&chat_dialog_id="+g.ID+"&_id[lt]="+ids[2], admin, nil).decode(t, &ml)
	if len(ml.Items) != 1 || ml.Items[0].ID != ids[1] {
		t.Fatalf("admin messages %+v", ml.Items)
	}
	expect(t, e.doHeaders("GET", "/admin/chat/messages/list", admin, nil), 422, "")
	r = e.doHeaders("GET", fmt.Sprint("/admin/alerts?user_id=", b.ID), admin, nil)
	expect(t, r, 200, "")
	var alerts struct {
		Items []struct {
			MessageID string `json:"message_id"`
		}
	}
	r.decode(t, &alerts)
	var alerted []string
	for _, a := range alerts.Items {
		alerted = append(alerted, a.MessageID)
	}
	slices.Reverse(alerted)
	if !slices.Equal(alerted, ids) {
		t.Fatalf("alerts of b = %v, want %v", alerted, ids)
	}
	expect(t, e.doHeaders("GET", "/admin/alerts?user_id=x", admin, nil), 422, "")
}

func TestListDialogsMoreFilters(t *testing.T) {
	e, _ := newEnvWith(t, "")
	_, tok := e.user("a")
	b, _ := e.user("b")
	mk := func(name string, ext map[string]any) string {
		return e.dialog(e.do("POST", "/chat/Dialog", tok, map[string]any{"type": 2, "name": name,
			"occupants_ids": []int64{b.ID}, "extensions": ext}), 201).ID
	}
	sun := mk("sun", map[string]any{"location": "Sun bar"})
	moon := mk("moon", map[string]any{"location": "Moon bar"})
	none := mk("sunset", nil)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"extension equals", "extensions%5Blocation%5D=Sun%20bar", []string{sun}},
		{"extension ne keeps dialogs without it", "extensions[location][ne]=Sun%20bar", []string{moon, none}},
		{"extension in", "extensions[location][in]=Sun%20bar,Moon%20bar", []string{sun, moon}},
		{"name", "name=moon", []string{moon}},
		{"name ctn", "name[ctn]=sun", []string{sun, none}},
		{"name nin", "name[nin]=sun,moon", []string{none}},
		{"_id nin", "_id[nin]=" + sun + "," + moon, []string{none}},
		{"_id ne", "_id[ne]=" + none, []string{sun, moon}},
		{"type ne", "type[ne]=2", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l cube.DialogList
			r := e.do("GET", "/chat/Dialog?sort_asc=created_at&"+tc.query, tok, nil)
			expect(t, r, 200, "")
			r.decode(t, &l)
			var got []string
			for _, d := range l.Items {
				got = append(got, d.ID)
			}
			if !slices.Equal(got, tc.want) || l.TotalEntries != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", got, l.TotalEntries, tc.want)
			}
		})
	}
	expect(t, e.do("GET", "/chat/Dialog?extensions[a%22b]=x", tok, nil), 422, "")
}
