package rest

import (
	"encoding/json"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// unsetUserFields are the user fields a plain sign-up leaves unset: the answers carry
// them as null, as the SDK typing (email: string | null, …) and the docs' examples do
// (docs/protocol.md §2.6).
var unsetUserFields = []string{"email", "phone", "website", "external_user_id", "facebook_id",
	"twitter_id", "custom_data", "blob_id", "avatar", "user_tags"}

func expectNulls(t *testing.T, what string, obj map[string]json.RawMessage, keys []string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := obj[k]; !ok || string(v) != "null" {
			t.Errorf("%s: %s = %q (present %v), want null", what, k, v, ok)
		}
	}
}

// TestUnsetFieldsAreNull: a user and a dialog without optional fields answer them as
// null in sign-up, sign-in, listing and occupant answers, and our SDK still decodes them.
func TestUnsetFieldsAreNull(t *testing.T) {
	e := newEnv(t)
	_, token := e.user("amy")
	bob, _ := e.user("bob")
	r := e.doHeaders("POST", "/users.json", map[string]string{"CB-AuthKey": testKey},
		map[string]any{"user": map[string]any{"login": "plain", "password": "secret1"}})
	expect(t, r, 201, "")
	var signUp struct{ User map[string]json.RawMessage }
	r.decode(t, &signUp)
	expectNulls(t, "sign-up", signUp.User, unsetUserFields)
	var typed struct{ User cube.User }
	r.decode(t, &typed)
	if typed.User.Login != "plain" || typed.User.Email != "" || typed.User.ID == 0 {
		t.Fatalf("our SDK decodes the sign-up answer as %+v", typed.User)
	}

	r = e.do("POST", "/login", token, map[string]any{"login": "plain", "password": "secret1"})
	expect(t, r, 200, "")
	var signIn struct{ User map[string]json.RawMessage }
	r.decode(t, &signIn)
	expectNulls(t, "sign-in", signIn.User, unsetUserFields)

	r = e.do("GET", "/users/v2?login=plain", token, nil)
	expect(t, r, 200, "")
	var list struct{ Items []map[string]json.RawMessage }
	r.decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("users/v2 = %s", r.body)
	}
	expectNulls(t, "users/v2", list.Items[0], unsetUserFields)
	var typedList cube.UserList
	r.decode(t, &typedList)
	if len(typedList.Items) != 1 || typedList.Items[0].Login != "plain" {
		t.Fatalf("our SDK decodes users/v2 as %+v", typedList)
	}

	r = e.do("POST", "/chat/Dialog", token, map[string]any{"type": 2, "name": "no description", "occupants_ids": []int64{bob.ID}})
	expect(t, r, 201, "")
	var d map[string]json.RawMessage
	r.decode(t, &d)
	expectNulls(t, "dialog", d, []string{"description"})
	var typedDialog cube.Dialog
	r.decode(t, &typedDialog)
	if typedDialog.Description != "" || typedDialog.Name != "no description" {
		t.Fatalf("our SDK decodes the dialog as %+v", typedDialog)
	}
	r = e.do("GET", "/chat/Dialog/"+typedDialog.ID+"/occupants", token, nil)
	expect(t, r, 200, "")
	var occ struct{ Items []map[string]json.RawMessage }
	r.decode(t, &occ)
	if len(occ.Items) != 2 {
		t.Fatalf("occupants = %s", r.body)
	}
	expectNulls(t, "occupant", occ.Items[0], unsetUserFields)

	// A set description stays a string.
	r = e.do("POST", "/chat/Dialog", token, map[string]any{"type": 2, "name": "described", "description": "about",
		"occupants_ids": []int64{bob.ID}})
	expect(t, r, 201, "")
	r.decode(t, &d)
	if string(d["description"]) != `"about"` {
		t.Fatalf("description = %s", d["description"])
	}
}

// TestSignUpKeepsTagArrays: tag_list as the SDK's typing has it (an array of strings)
// is kept, as is the comma-separated string; anything else is refused, not dropped.
func TestSignUpKeepsTagArrays(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		login string
		tags  any
		want  string
	}{
		{"arr", []string{"vip", "beta"}, "vip,beta"},
		{"str", "vip, beta", "vip,beta"},
		{"one", []string{" solo "}, "solo"},
	} {
		r := e.doHeaders("POST", "/users.json", map[string]string{"CB-AuthKey": testKey},
			map[string]any{"user": map[string]any{"login": tc.login, "password": "secret1", "tag_list": tc.tags}})
		expect(t, r, 201, "")
		var got struct {
			User struct {
				UserTags string `json:"user_tags"`
			}
		}
		r.decode(t, &got)
		if got.User.UserTags != tc.want {
			t.Errorf("tag_list %v: user_tags = %q, want %q", tc.tags, got.User.UserTags, tc.want)
		}
	}
	for _, bad := range []any{[]any{"ok", 3}, map[string]any{"a": "b"}, 7} {
		r := e.doHeaders("POST", "/users.json", map[string]string{"CB-AuthKey": testKey},
			map[string]any{"user": map[string]any{"login": "bad", "password": "secret1", "tag_list": bad}})
		if r.status != 422 || string(r.body) != `{"errors":{"tag_list":["must be a list of strings or a comma-separated string"]}}` {
			t.Errorf("tag_list %v: %d %s, want a 422 naming tag_list", bad, r.status, r.body)
		}
	}
}
