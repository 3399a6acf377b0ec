package cubeserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The REST half of the authorization matrix (docs/security.md): every endpoint,
// crossed with every role, against a real server over HTTP. Each cell is the exact
// status expected; a denied request that is answered 2xx fails the test, and so does
// an allowed one that is refused, so the matrix cannot pass by denying everything.
// Where an allowed answer lists things (dialogs, messages, files, search results), the
// cell also checks that nothing of a dialog the caller is not in leaks into it.

// ok stands for any 2xx answer (201 for a new object, 200 for an existing one).
const ok = 2

// expect lists the answer per role, in the order of roleNames:
// owner, admin, occupant, outsider, blocked, app-only, expired, forged, no-token.
type expect [roleCount]int

// userOnly is the last four columns of an endpoint that needs a signed-in user.
func userOnly(owner, admin, occupant, outsider, blocked int) expect {
	return expect{owner, admin, occupant, outsider, blocked, 403, 401, 401, 401}
}

// anySession is the last four columns of an endpoint any live session may call.
func anySession(owner, admin, occupant, outsider, blocked, app int) expect {
	return expect{owner, admin, occupant, outsider, blocked, app, 401, 401, 401}
}

// restCase is one endpoint: the request it makes in a world, and the answers.
type restCase struct {
	name   string
	method string
	path   func(w world, token string) string
	body   func(e *authzEnv, w world, r role) any
	want   expect
	// leak, when set, must not appear in an allowed answer of the roles it is given for.
	leak func(w world) string
	// leakFor are the roles that must not see leak (default: outsider and app-only).
	leakFor []role
	headers map[string]string
	// form, when set, replaces body with a multipart form (the presigned upload).
	form func(w world) map[string]string
	// asSelf gives every user role a fresh account of its own (world.self) for the cell:
	// calls a user may make only on their own account, which the cell may delete.
	asSelf bool
}

func fixed(p string) func(world, string) string { return func(world, string) string { return p } }

func restCases() []restCase {
	group := func(suffix string) func(world, string) string {
		return func(w world, _ string) string { return "/chat/Dialog/" + w.group.ID + suffix }
	}
	broadcast := func(suffix string) func(world, string) string {
		return func(w world, _ string) string { return "/chat/Dialog/" + w.broadcast.ID + suffix }
	}
	msg := func(suffix string) func(world, string) string {
		return func(w world, _ string) string { return "/chat/Message/" + w.message.ID + suffix }
	}
	blobID := func(suffix string) func(world, string) string {
		return func(w world, _ string) string { return "/blobs/" + itoa(w.blob.ID) + suffix }
	}
	blobUID := func(suffix string, withToken bool) func(world, string) string {
		return func(w world, token string) string {
			p := "/blobs/" + w.blob.UID + suffix
			if withToken && token != "" {
				p += "?token=" + token
			}
			return p
		}
	}
	body := func(v map[string]any) func(*authzEnv, world, role) any {
		return func(*authzEnv, world, role) any { return v }
	}
	groupID := func(w world) string { return w.group.ID }
	messageID := func(w world) string { return w.message.ID }
	blobUIDOf := func(w world) string { return w.blob.UID }
	// The file of a private blob: readers of the group (owner and occupants) only.
	fileReaders := expect{ok, ok, ok, 404, ok, 404, 401, 401, 401}

	return []restCase{
		// Sessions and accounts.
		{name: "GET /session", method: "GET", path: fixed("/session"), want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "DELETE /session", method: "DELETE", path: fixed("/session"), want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "POST /login (own credentials)", method: "POST", path: fixed("/login"),
			body: func(e *authzEnv, _ world, r role) any {
				u := e.users[roleOwner]
				if r.isUser() {
					u = e.users[r]
				}
				return map[string]any{"login": u.Login, "password": password(u.Login)}
			}, want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "POST /login (someone's login, wrong password)", method: "POST", path: fixed("/login"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"login": e.helper.Login, "password": "guess"}
			}, want: anySession(401, 401, 401, 401, 401, 401)},
		{name: "DELETE /login", method: "DELETE", path: fixed("/login"), want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "POST /users (sign-up)", method: "POST", path: fixed("/users"),
			body: func(e *authzEnv, _ world, _ role) any {
				e.seq++
				return map[string]any{"user": map[string]any{"login": fmt.Sprintf("newcomer%d", e.seq), "password": "newcomer-pw-1"}}
			}, want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "GET /users/v2", method: "GET", path: fixed("/users/v2"), want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "GET /users/{owner}", method: "GET",
			path: func(w world, _ string) string { return "/users/" + itoa(ownerOf(w)) }, want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "GET /users/online", method: "GET", path: fixed("/users/online"), want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "GET /users/online?count=true", method: "GET", path: fixed("/users/online?count=true"), want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "POST /users/password/reset", method: "POST", path: fixed("/users/password/reset"),
			body: func(e *authzEnv, _ world, _ role) any { return map[string]any{"email": "nobody@example.com"} },
			want: anySession(ok, ok, ok, ok, ok, ok)},
		{name: "PUT /users/{owner} (profile)", method: "PUT",
			path: func(w world, _ string) string { return "/users/" + itoa(ownerOf(w)) },
			body: body(map[string]any{"user": map[string]any{"full_name": "OWNER"}}), want: userOnly(ok, 403, 403, 403, 403)},
		{name: "PUT /users/{owner} (password, set to the same)", method: "PUT",
			path: func(w world, _ string) string { return "/users/" + itoa(ownerOf(w)) },
			body: func(e *authzEnv, _ world, _ role) any {
				pw := password(e.users[roleOwner].Login)
				return map[string]any{"user": map[string]any{"old_password": pw, "password": pw}}
			}, want: userOnly(ok, 403, 403, 403, 403)},
		{name: "PUT /users/{self} (profile)", method: "PUT", asSelf: true,
			path: func(w world, _ string) string { return "/users/" + itoa(w.self.ID) },
			body: body(map[string]any{"user": map[string]any{"full_name": "Me"}}), want: userOnly(ok, ok, ok, ok, ok)},
		{name: "DELETE /users/{bystander}", method: "DELETE",
			path: func(w world, _ string) string { return "/users/" + itoa(w.bystander) }, want: userOnly(403, 403, 403, 403, 403)},
		{name: "DELETE /users/{self}", method: "DELETE", asSelf: true,
			path: func(w world, _ string) string { return "/users/" + itoa(w.self.ID) }, want: userOnly(ok, ok, ok, ok, ok)},

		// Dialogs.
		{name: "GET /chat/Dialog", method: "GET", path: fixed("/chat/Dialog?limit=100"), want: userOnly(ok, ok, ok, ok, ok),
			leak: groupID, leakFor: []role{roleOutsider}},
		{name: "POST /chat/Dialog (group with the owner)", method: "POST", path: fixed("/chat/Dialog"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"type": 2, "name": "new", "occupants_ids": []int64{e.users[roleOwner].ID, e.helper.ID}}
			}, want: userOnly(ok, ok, ok, ok, 403)},
		{name: "POST /chat/Dialog (private with the owner)", method: "POST", path: fixed("/chat/Dialog"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"type": 3, "occupants_ids": []int64{e.users[roleOwner].ID}}
			}, want: userOnly(422, ok, ok, ok, 403)},
		{name: "PUT /chat/Dialog/{group} (rename)", method: "PUT", path: group(""), body: body(map[string]any{"name": "renamed"}),
			want: userOnly(ok, ok, ok, 403, ok)},
		{name: "PUT /chat/Dialog/{group} (add an occupant)", method: "PUT", path: group(""),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"push_all": map[string]any{"occupants_ids": []int64{e.helper.ID}}}
			}, want: userOnly(ok, ok, ok, 403, ok)},
		{name: "PUT /chat/Dialog/{group} (remove the occupant)", method: "PUT", path: group(""),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"pull_all": map[string]any{"occupants_ids": []int64{e.users[roleOccupant].ID}}}
			}, want: userOnly(ok, ok, ok, 403, 403)}, // the occupant removing themselves is leaving
		{name: "PUT /chat/Dialog/{group}/admins", method: "PUT", path: group("/admins"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"push_all": map[string]any{"admins_ids": []int64{e.users[roleOccupant].ID}}}
			}, want: userOnly(ok, 403, 403, 403, 403)},
		{name: "GET /chat/Dialog/{group}/occupants", method: "GET", path: group("/occupants"), want: userOnly(ok, ok, ok, 403, ok)},
		{name: "GET /chat/Dialog/{group}/notifications", method: "GET", path: group("/notifications"), want: userOnly(ok, ok, ok, 403, ok)},
		{name: "PUT /chat/Dialog/{group}/notifications", method: "PUT", path: group("/notifications"),
			body: body(map[string]any{"enabled": 0}), want: userOnly(ok, ok, ok, 403, ok)},
		{name: "DELETE /chat/Dialog/clearHistory/{group}", method: "DELETE",
			path: func(w world, _ string) string { return "/chat/Dialog/clearHistory/" + w.group.ID }, want: userOnly(ok, ok, ok, 403, ok)},
		{name: "DELETE /chat/Dialog/{group} (leave)", method: "DELETE", path: group(""), want: userOnly(ok, ok, ok, 403, ok)},
		{name: "DELETE /chat/Dialog/{group}?force=1", method: "DELETE", path: group("?force=1"), want: userOnly(ok, 403, 403, 403, 403)},
		{name: "POST /chat/Dialog/{public}/subscribe", method: "POST",
			path: func(w world, _ string) string { return "/chat/Dialog/" + w.public.ID + "/subscribe" }, want: userOnly(ok, ok, ok, ok, ok)},
		{name: "POST /chat/Dialog/{group}/subscribe (not public)", method: "POST", path: group("/subscribe"),
			want: userOnly(422, 422, 422, 422, 422)},
		{name: "DELETE /chat/Dialog/{public}/subscribe", method: "DELETE",
			path: func(w world, _ string) string { return "/chat/Dialog/" + w.public.ID + "/subscribe" }, want: userOnly(ok, ok, ok, ok, ok)},

		// Broadcast dialogs: the owner names admins among all users; owner and admins post;
		// everyone reads (here occupant, outsider and blocked are readers, not occupants).
		{name: "PUT /chat/Dialog/{broadcast}/admins (add a reader)", method: "PUT", path: broadcast("/admins"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"push_all": map[string]any{"admins_ids": []int64{e.users[roleOutsider].ID}}}
			}, want: userOnly(ok, 403, 403, 403, 403)},
		{name: "PUT /chat/Dialog/{broadcast}/admins (remove the admin)", method: "PUT", path: broadcast("/admins"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"pull_all": map[string]any{"admins_ids": []int64{e.users[roleAdmin].ID}}}
			}, want: userOnly(ok, 403, 403, 403, 403)},
		{name: "PUT /chat/Dialog/{broadcast} (rename)", method: "PUT", path: broadcast(""), body: body(map[string]any{"name": "renamed"}),
			want: userOnly(ok, ok, 403, 403, 403)},
		{name: "GET /chat/Message?chat_dialog_id={broadcast}", method: "GET",
			path: func(w world, _ string) string { return "/chat/Message?chat_dialog_id=" + w.broadcast.ID }, want: userOnly(ok, ok, ok, ok, ok)},
		{name: "POST /chat/Message to the broadcast", method: "POST", path: fixed("/chat/Message"),
			body: func(_ *authzEnv, w world, _ role) any {
				return map[string]any{"chat_dialog_id": w.broadcast.ID, "message": "news"}
			},
			want: userOnly(ok, ok, 403, 403, 403)},

		// Messages.
		{name: "GET /chat/Message?chat_dialog_id={group}", method: "GET",
			path: func(w world, _ string) string { return "/chat/Message?chat_dialog_id=" + w.group.ID }, want: userOnly(ok, ok, ok, 403, ok)},
		{name: "GET /chat/Message?chat_dialog_id={private owner-blocked}", method: "GET",
			path: func(w world, _ string) string { return "/chat/Message?chat_dialog_id=" + w.privateOB.ID }, want: userOnly(ok, 403, 403, 403, ok)},
		{name: "POST /chat/Message to the group", method: "POST", path: fixed("/chat/Message"),
			body: func(_ *authzEnv, w world, _ role) any {
				return map[string]any{"chat_dialog_id": w.group.ID, "message": "hi"}
			},
			want: userOnly(ok, ok, ok, 403, ok)},
		{name: "POST /chat/Message to the private owner-blocked dialog", method: "POST", path: fixed("/chat/Message"),
			body: func(_ *authzEnv, w world, _ role) any {
				return map[string]any{"chat_dialog_id": w.privateOB.ID, "message": "hi"}
			},
			want: userOnly(ok, 403, 403, 403, 403)},
		{name: "POST /chat/Message with recipient_id=owner", method: "POST", path: fixed("/chat/Message"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"recipient_id": e.users[roleOwner].ID, "message": "hi"}
			}, want: userOnly(422, ok, ok, ok, 403)},
		{name: "POST /chat/Message/system to the owner", method: "POST", path: fixed("/chat/Message/system"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"recipientId": e.users[roleOwner].ID, "note": "ping"}
			}, want: userOnly(ok, ok, ok, ok, 403)},
		{name: "PUT /chat/Message/{m} (mark read)", method: "PUT", path: msg(""), body: body(map[string]any{"read": 1}),
			want: userOnly(ok, ok, ok, 403, ok)},
		{name: "PUT /chat/Message/{m} (edit the text)", method: "PUT", path: msg(""), body: body(map[string]any{"message": "edited"}),
			want: userOnly(ok, 403, 403, 403, 403)},
		{name: "DELETE /chat/Message/{m} (for me)", method: "DELETE", path: msg(""), want: userOnly(ok, ok, ok, 403, ok)},
		{name: "DELETE /chat/Message/{m}?force=1", method: "DELETE", path: msg("?force=1"), want: userOnly(ok, ok, 403, 403, 403)},
		{name: "GET /chat/Message/{m}/reactions", method: "GET", path: msg("/reactions"), want: userOnly(ok, ok, ok, 403, ok)},
		{name: "PUT /chat/Message/{m}/reactions", method: "PUT", path: msg("/reactions"), body: body(map[string]any{"add": "👍"}),
			want: userOnly(ok, ok, ok, 403, ok)},
		{name: "GET /chat/Message/unread", method: "GET", path: fixed("/chat/Message/unread"), want: userOnly(ok, ok, ok, ok, ok)},
		{name: "GET /chat/search", method: "GET", path: func(w world, _ string) string { return "/chat/search?search_text=" + w.word },
			want: userOnly(ok, ok, ok, ok, ok), leak: messageID, leakFor: []role{roleOutsider}},

		// Files.
		{name: "GET /blobs (own list)", method: "GET", path: fixed("/blobs"), want: userOnly(ok, ok, ok, ok, ok),
			leak: blobUIDOf, leakFor: []role{roleAdmin, roleOccupant, roleOutsider, roleBlocked}},
		{name: "POST /blobs", method: "POST", path: fixed("/blobs"),
			body: body(map[string]any{"blob": map[string]any{"name": "a.txt", "content_type": "text/plain"}}), want: userOnly(ok, ok, ok, ok, ok)},
		{name: "GET /blobs/{id}.json", method: "GET", path: blobID(".json"), want: fileReaders},
		{name: "GET /blobs/{id} (one id past the last)", method: "GET",
			path: func(w world, _ string) string { return "/blobs/" + itoa(w.publicBlob.ID+1) + ".json" },
			want: expect{404, 404, 404, 404, 404, 404, 401, 401, 401}},
		{name: "GET /blobs/{uid}.json", method: "GET", path: blobUID(".json", false), want: fileReaders},
		{name: "GET /blobs/{uid}/object?download_url=1", method: "GET",
			path: func(w world, _ string) string { return "/blobs/" + w.blob.UID + "/object?download_url=1" }, want: fileReaders},
		{name: "GET /blobs/{uid}?token= (the file)", method: "GET", path: blobUID("", true), want: fileReaders},
		{name: "HEAD /blobs/{uid}?token= (the file)", method: "HEAD", path: blobUID("", true), want: fileReaders},
		{name: "GET /blobs/{uid}/download?token=", method: "GET", path: blobUID("/download", true),
			want: expect{301, 301, 301, 404, 301, 404, 401, 401, 401}},
		{name: "PUT /blobs/{id}/complete", method: "PUT", path: blobID("/complete"), body: body(map[string]any{"size": 17}),
			want: userOnly(ok, 403, 403, 404, 403)},
		{name: "DELETE /blobs/{id}", method: "DELETE", path: blobID(""), want: userOnly(ok, 403, 403, 404, 403)},
		{name: "GET /blobs/{public uid} (the file, public)", method: "GET",
			path: func(w world, _ string) string { return "/blobs/" + w.publicBlob.UID }, want: expect{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
		{name: "GET /blobs/{public id}.json", method: "GET",
			path: func(w world, _ string) string { return "/blobs/" + itoa(w.publicBlob.ID) + ".json" }, want: anySession(ok, ok, ok, ok, ok, ok)},

		{name: "POST /blobs/upload (a form with a forged signature over the owner's file)", method: "POST", path: fixed("/blobs/upload"),
			form: func(w world) map[string]string {
				return map[string]string{"key": w.blob.UID, "Content-Type": "text/plain", "policy": "e30=", "x-amz-signature": "00"}
			}, want: expect{403, 403, 403, 403, 403, 403, 403, 403, 403}},

		// Signing in: the credentials decide, whatever token comes along.
		{name: "PUT /chat/Message (mark the group read)", method: "PUT", path: fixed("/chat/Message"),
			body: func(_ *authzEnv, w world, _ role) any { return map[string]any{"chat_dialog_id": w.group.ID, "read": 1} },
			want: userOnly(ok, ok, ok, 403, ok)},
		{name: "POST /session (right password)", method: "POST", path: fixed("/session"),
			body: func(e *authzEnv, _ world, r role) any {
				u := e.users[roleOutsider]
				return map[string]any{"application_id": e.s.AppID(), "auth_key": e.s.AuthKey(),
					"user": map[string]any{"login": u.Login, "password": password(u.Login)}}
			}, want: expect{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
		{name: "POST /session (wrong password)", method: "POST", path: fixed("/session"),
			body: func(e *authzEnv, _ world, r role) any {
				return map[string]any{"application_id": e.s.AppID(), "auth_key": e.s.AuthKey(),
					"user": map[string]any{"login": e.helper.Login, "password": "guess"}}
			}, want: expect{401, 401, 401, 401, 401, 401, 401, 401, 401}},

		// The admin API takes the administration key, never a session.
		{name: "POST /admin/chat/Dialog", method: "POST", path: fixed("/admin/chat/Dialog"),
			body: func(e *authzEnv, _ world, _ role) any {
				return map[string]any{"user_id": e.users[roleOwner].ID, "name": "news"}
			},
			want: expect{403, 403, 403, 403, 403, 403, 403, 403, 403}},
		{name: "GET /admin/chat/list", method: "GET", path: fixed("/admin/chat/list"), want: expect{403, 403, 403, 403, 403, 403, 403, 403, 403}},
		{name: "GET /admin/chat/messages/list", method: "GET",
			path: func(w world, _ string) string { return "/admin/chat/messages/list?chat_dialog_id=" + w.group.ID },
			want: expect{403, 403, 403, 403, 403, 403, 403, 403, 403}},
		{name: "GET /admin/alerts", method: "GET", path: fixed("/admin/alerts"), want: expect{403, 403, 403, 403, 403, 403, 403, 403, 403}},
	}
}

// TestAuthorizationMatrixREST runs every endpoint as every role.
func TestAuthorizationMatrixREST(t *testing.T) {
	e := newAuthzEnv(t)
	cases, denied, allowed := 0, 0, 0
	for _, c := range restCases() {
		for r := role(0); r < roleCount; r++ {
			w := e.newWorld()
			token := e.token(r)
			if c.asSelf && r.isUser() {
				w.self = e.newUser(fmt.Sprintf("self%d", e.seq))
				token = e.sessionOf(w.self.ID)
			}
			var body any
			if c.body != nil {
				body = c.body(e, w, r)
			}
			var status int
			var out []byte
			if c.form != nil {
				status, out = e.postForm(c.path(w, token), token, c.form(w))
			} else {
				status, out = e.do(c.method, c.path(w, token), token, c.headers, body)
			}
			want := c.want[r]
			cases++
			got2xx := status >= 200 && status < 300
			switch {
			case want == ok && !got2xx:
				t.Errorf("%s as %s: %d, want 2xx (allowed): %.200s", c.name, r, status, out)
			case want != ok && status != want:
				t.Errorf("%s as %s: %d, want %d: %.200s", c.name, r, status, want, out)
			}
			if want == ok || (want >= 300 && want < 400) {
				allowed++
			} else {
				denied++
			}
			if c.leak != nil && got2xx && leakChecked(c, r) && strings.Contains(string(out), c.leak(w)) {
				t.Errorf("%s as %s: the answer shows %s, which this role may not see: %.300s", c.name, r, c.leak(w), out)
			}
		}
	}
	// The admin API does answer its key, so the denials above are not a dead switch.
	for _, path := range []string{"/admin/chat/list", "/admin/alerts"} {
		status, out := e.do("GET", path, "", map[string]string{"CB-Administration-API-Key": adminKey}, nil)
		cases++
		allowed++
		if status != http.StatusOK {
			t.Errorf("GET %s with the admin key: %d %s", path, status, out)
		}
	}
	t.Logf("REST authorization matrix: %d cases (%d endpoints × %d roles + admin key), %d must be refused, %d allowed",
		cases, len(restCases()), roleCount, denied, allowed)
}

// ownerOf is the world's owner (the group's creator).
func ownerOf(w world) int64 { return w.group.UserID }

func leakChecked(c restCase, r role) bool {
	for _, x := range c.leakFor {
		if x == r {
			return true
		}
	}
	return false
}
