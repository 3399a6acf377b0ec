package rest

import (
	"encoding/json"
	"slices"
	"testing"
)

// unsetUserFields are the user fields a plain sign-up leaves unset: they are left out
// of the JSON, never sent as null (docs/protocol.md, users).
var unsetUserFields = []string{"email", "phone", "website", "external_user_id", "facebook_id",
	"twitter_id", "custom_data", "blob_id", "avatar", "user_tags"}

// TestUnsetFieldsAreOmitted: a user and a dialog without optional fields carry no
// key for them at all, in sign-up, sign-in and listing answers.
func TestUnsetFieldsAreOmitted(t *testing.T) {
	e := newEnv(t)
	_, token := e.user("amy")
	bob, _ := e.user("bob")
	r := e.doHeaders("POST", "/users.json", map[string]string{"CB-AuthKey": testKey},
		map[string]any{"user": map[string]any{"login": "plain", "password": "secret1"}})
	expect(t, r, 201, "")
	var signUp struct{ User map[string]json.RawMessage }
	r.decode(t, &signUp)
	for _, f := range unsetUserFields {
		if v, ok := signUp.User[f]; ok {
			t.Errorf("sign-up answer has %s = %s, want no key", f, v)
		}
	}
	r = e.do("GET", "/users/v2?login=plain", token, nil)
	expect(t, r, 200, "")
	var list struct{ Items []map[string]json.RawMessage }
	r.decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("users/v2 = %s", r.body)
	}
	for _, f := range unsetUserFields {
		if v, ok := list.Items[0][f]; ok {
			t.Errorf("listed user has %s = %s, want no key", f, v)
		}
	}
	r = e.do("POST", "/chat/Dialog", token, map[string]any{"type": 2, "name": "no description", "occupants_ids": []int64{bob.ID}})
	expect(t, r, 201, "")
	var d map[string]json.RawMessage
	r.decode(t, &d)
	if v, ok := d["description"]; ok {
		t.Errorf("dialog has description = %s, want no key", v)
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
		if r.status != 422 || !slices.Contains([]string{`{"errors":{"tag_list":["must be a list of strings or a comma-separated string"]}}`}, string(r.body)) {
			t.Errorf("tag_list %v: %d %s, want a 422 naming tag_list", bad, r.status, r.body)
		}
	}
}
