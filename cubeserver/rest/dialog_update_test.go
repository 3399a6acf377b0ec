package rest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestUpdateDialogRoles(t *testing.T) {
	e, _ := newEnvWith(t, "")
	a, tokA := e.user("owner")
	b, tokB := e.user("bob")
	c, tokC := e.user("carol")
	d, _ := e.user("dave")
	_, tokX := e.user("outsider")
	g := e.group(tokA, "crew", b.ID, c.ID)
	m := e.post(tokC, map[string]any{"chat_dialog_id": g.ID, "message": "pin me"})
	path := "/chat/Dialog/" + g.ID + ".json"
	pushOcc := func(ids ...int64) map[string]any {
		return map[string]any{"push_all": map[string]any{"occupants_ids": ids}}
	}
	pullOcc := func(ids ...int64) map[string]any {
		return map[string]any{"pull_all": map[string]any{"occupants_ids": ids}}
	}

	steps := []struct {
		name   string
		token  string
		body   any
		status int
		check  func(cube.Dialog) bool
	}{
		{"occupant renames", tokB, map[string]any{"name": " Crew 2 ", "description": "d", "photo": "p.png"}, 200,
			func(d cube.Dialog) bool { return d.Name == "Crew 2" && d.Description == "d" && *d.Photo == "p.png" }},
		{"occupant adds an occupant (JS string form)", tokB, map[string]any{"push_all": map[string]any{"occupants_ids": fmt.Sprint(d.ID)}}, 200,
			func(x cube.Dialog) bool { return slices.Contains(x.OccupantsIDs, d.ID) }},
		{"occupant cannot remove others", tokB, pullOcc(c.ID), 403, nil},
		{"occupant cannot pin", tokB, map[string]any{"push_all": map[string]any{"pinned_messages_ids": []string{m.ID}}}, 403, nil},
		{"occupant cannot make admins", tokB, map[string]any{"push_all": map[string]any{"admins_ids": []int64{b.ID}}}, 403, nil},
		{"owner makes b admin", tokA, map[string]any{"push_all": map[string]any{"admins_ids": []int64{b.ID}}}, 200,
			func(x cube.Dialog) bool { return slices.Equal(x.AdminsIDs, []int64{b.ID}) }},
		{"admin pins", tokB, map[string]any{"push_all": map[string]any{"pinned_messages_ids": []string{m.ID}}}, 200,
			func(x cube.Dialog) bool { return slices.Equal(x.PinnedMessagesIDs, []string{m.ID}) }},
		{"admin removes an occupant", tokB, pullOcc(d.ID), 200,
			func(x cube.Dialog) bool { return !slices.Contains(x.OccupantsIDs, d.ID) }},
		{"admin cannot remove the owner", tokB, pullOcc(a.ID), 403, nil},
		{"admin cannot remove admins", tokB, map[string]any{"pull_all": map[string]any{"admins_ids": []int64{b.ID}}}, 403, nil},
		{"admin must be an occupant", tokA, map[string]any{"push_all": map[string]any{"admins_ids": []int64{d.ID}}}, 422, nil},
		{"unknown occupant", tokA, pushOcc(9999), 422, nil},
		{"extensions set", tokA, map[string]any{"extensions": map[string]any{"location": "Sun bar", "floor": 3}}, 200,
			func(x cube.Dialog) bool { return x.Extensions["location"] == "Sun bar" && x.Extensions["floor"] == "3" }},
		{"too many extensions", tokA, map[string]any{"extensions": map[string]any{"a": "1", "b": "2", "c": "3", "d": "4"}}, 422, nil},
		{"extensions null resets", tokA, `{"extensions":null}`, 200, func(x cube.Dialog) bool { return len(x.Extensions) == 0 }},
		{"empty name refused", tokA, map[string]any{"name": "  "}, 422, nil},
		{"anyone may leave", tokC, pullOcc(c.ID), 200, func(x cube.Dialog) bool { return !slices.Contains(x.OccupantsIDs, c.ID) }},
		{"a leaver is an outsider", tokC, map[string]any{"name": "x"}, 403, nil},
		{"outsider", tokX, map[string]any{"name": "x"}, 403, nil},
		{"malformed body", tokA, `{"name":`, 400, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := e.do("PUT", path, s.token, s.body)
			expect(t, r, s.status, "")
			if s.check != nil {
				var got cube.Dialog
				r.decode(t, &got)
				if !s.check(got) {
					t.Fatalf("unexpected dialog %s", r.body)
				}
			}
		})
	}
	expect(t, e.do("PUT", "/chat/Dialog/"+cube.NewObjectID(), tokA, map[string]any{"name": "x"}), 404, "")

	// At most five admins; only the owner changes them, also through /admins.
	var more []int64
	for i := range 5 {
		u, _ := e.user(fmt.Sprint("extra", i))
		more = append(more, u.ID)
	}
	e.dialog(e.do("PUT", path, tokA, pushOcc(more...)), 200)
	expect(t, e.do("PUT", "/chat/Dialog/"+g.ID+"/admins", tokA, map[string]any{"push_all": map[string]any{"admins_ids": more}}), 422, "")
	x := e.dialog(e.do("PUT", "/chat/Dialog/"+g.ID+"/admins", tokA, map[string]any{"push_all": map[string]any{"admins_ids": more[:4]}}), 200)
	if len(x.AdminsIDs) != 5 {
		t.Fatalf("admins = %v", x.AdminsIDs)
	}
	x = e.dialog(e.do("PUT", "/chat/Dialog/"+g.ID+"/admins", tokA, map[string]any{"pull_all": map[string]any{"admins_ids": []int64{b.ID}}}), 200)
	if slices.Contains(x.AdminsIDs, b.ID) {
		t.Fatalf("admins after pull = %v", x.AdminsIDs)
	}
	expect(t, e.do("PUT", "/chat/Dialog/"+g.ID+"/admins", tokB, map[string]any{"push_all": map[string]any{"admins_ids": []int64{b.ID}}}), 403, "")
	expect(t, e.do("PUT", "/chat/Dialog/"+g.ID+"/admins", tokA, map[string]any{}), 422, "")

	// A private dialog's occupants never change.
	p := e.dialog(e.do("POST", "/chat/Dialog", tokA, map[string]any{"type": 3, "occupants_ids": []int64{b.ID}}), 201)
	expect(t, e.do("PUT", "/chat/Dialog/"+p.ID, tokA, pushOcc(c.ID)), 422, "")
}

func TestDeleteDialogs(t *testing.T) {
	e, _ := newEnvWith(t, "")
	_, tokA := e.user("a")
	b, tokB := e.user("b")
	_, tokX := e.user("x")
	listed := func(token, id string) bool {
		t.Helper()
		r := e.do("GET", "/chat/Dialog?_id="+id, token, nil)
		expect(t, r, 200, "")
		return strings.Contains(string(r.body), id)
	}
	g := e.group(tokA, "g", b.ID)
	expect(t, e.do("DELETE", "/chat/Dialog/"+g.ID, tokB, "force=1"), 403, "") // not the owner
	expect(t, e.do("DELETE", "/chat/Dialog/"+g.ID, tokX, nil), 403, "")
	expect(t, e.do("DELETE", "/chat/Dialog/"+g.ID+".json", tokB, nil), 200, "") // b leaves
	if listed(tokB, g.ID) || !listed(tokA, g.ID) {
		t.Fatal("delete for me must remove the group from b's list only")
	}

	// A private dialog is hidden for the caller and comes back with the next message.
	p := e.dialog(e.do("POST", "/chat/Dialog", tokA, map[string]any{"type": 3, "occupants_ids": []int64{b.ID}}), 201)
	e.post(tokA, map[string]any{"chat_dialog_id": p.ID, "message": "old"})
	expect(t, e.do("DELETE", "/chat/Dialog/"+p.ID, tokB, nil), 200, "")
	if listed(tokB, p.ID) || !listed(tokA, p.ID) {
		t.Fatal("private dialog must be hidden for b only")
	}
	e.post(tokA, map[string]any{"chat_dialog_id": p.ID, "message": "new"})
	if !listed(tokB, p.ID) {
		t.Fatal("a new message must bring the dialog back")
	}
	var l cube.MessageList
	r := e.do("GET", "/chat/Message?chat_dialog_id="+p.ID, tokB, nil)
	r.decode(t, &l)
	if len(l.Items) != 1 || l.Items[0].Message != "new" {
		t.Fatalf("b sees %s; the history before the delete stays hidden", r.body)
	}

	// Force: the owner deletes for everyone; several ids answer the bulk JSON.
	g2 := e.group(tokA, "g2", b.ID)
	unknown := cube.NewObjectID()
	r = e.do("DELETE", "/chat/Dialog/"+g2.ID+","+unknown+","+p.ID, tokA, "force=1")
	expect(t, r, 200, `{"SuccessfullyDeleted":{"ids":["`+g2.ID+`","`+p.ID+`"]},"NotFound":{"ids":["`+unknown+`"]},"WrongPermissions":{"ids":[]}}`)
	if listed(tokB, g2.ID) || listed(tokA, p.ID) {
		t.Fatal("force delete must remove the dialogs for everyone")
	}
	g3 := e.group(tokA, "g3", b.ID)
	r = e.do("DELETE", "/chat/Dialog/"+g3.ID+","+unknown+"?force=1", tokB, nil) // force in the query (Dart)
	expect(t, r, 200, `{"SuccessfullyDeleted":{"ids":[]},"NotFound":{"ids":["`+unknown+`"]},"WrongPermissions":{"ids":["`+g3.ID+`"]}}`)
}

func TestClearHistory(t *testing.T) {
	e, _ := newEnvWith(t, "")
	_, tokA := e.user("a")
	b, tokB := e.user("b")
	g := e.group(tokA, "g", b.ID)
	for _, text := range []string{"one", "two"} {
		e.post(tokA, map[string]any{"chat_dialog_id": g.ID, "message": text})
	}
	count := func(token string) string {
		r := e.do("GET", "/chat/Message?count=1&chat_dialog_id="+g.ID, token, nil)
		expect(t, r, 200, "")
		return string(r.body)
	}
	expect(t, e.do("DELETE", "/chat/Dialog/clearHistory/"+g.ID, tokB, nil), 200, "")
	if count(tokB) != `{"items":{"count":0}}` || count(tokA) != `{"items":{"count":2}}` {
		t.Fatalf("clear for me: b %s, a %s", count(tokB), count(tokA))
	}
	r := e.do("GET", "/chat/Message/unread?chat_dialog_ids="+g.ID, tokB, nil)
	expect(t, r, 200, `{"`+g.ID+`":0,"total":0}`)
	expect(t, e.do("DELETE", "/chat/Dialog/clearHistory/"+g.ID, tokB, "force=1"), 403, "")
	expect(t, e.do("DELETE", "/chat/Dialog/clearHistory/"+g.ID, tokA, "force=1"), 200, "")
	if count(tokA) != `{"items":{"count":0}}` {
		t.Fatalf("force clear left %s", count(tokA))
	}
	d := e.dialog(e.do("POST", "/chat/Dialog", tokA, map[string]any{"type": 3, "occupants_ids": []int64{b.ID}}), 201)
	expect(t, e.do("DELETE", "/chat/Dialog/clearHistory/"+cube.NewObjectID(), tokA, nil), 404, "")
	expect(t, e.do("DELETE", "/chat/Dialog/clearHistory/"+d.ID, tokB, "force=1"), 200, "") // either party of a private dialog
}

// A private chat has no admins: both of its people pin and unpin, nobody else does.
func TestPrivateChatPinsByBothPeople(t *testing.T) {
	e, _ := newEnvWith(t, "")
	_, tokA := e.user("ann")
	b, tokB := e.user("ben")
	_, tokX := e.user("outsider")
	d := e.dialog(e.do("POST", "/chat/Dialog", tokA, map[string]any{"type": 3, "occupants_ids": []int64{b.ID}}), 201)
	m := e.post(tokA, map[string]any{"chat_dialog_id": d.ID, "message": "the address"})
	path := "/chat/Dialog/" + d.ID + ".json"
	pin := map[string]any{"push_all": map[string]any{"pinned_messages_ids": []string{m.ID}}}
	unpin := map[string]any{"pull_all": map[string]any{"pinned_messages_ids": []string{m.ID}}}

	expect(t, e.do("PUT", path, tokX, pin), 403, "")
	got := e.dialog(e.do("PUT", path, tokB, pin), 200)
	if !slices.Equal(got.PinnedMessagesIDs, []string{m.ID}) {
		t.Fatalf("pinned %v", got.PinnedMessagesIDs)
	}
	if got = e.dialog(e.do("PUT", path, tokA, unpin), 200); len(got.PinnedMessagesIDs) != 0 {
		t.Fatalf("after unpinning %v", got.PinnedMessagesIDs)
	}
}
