package rest

import (
	"context"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// TestPrivateBlobReadRule: a private blob's record and file are readable by the owner
// and by readers of a dialog holding a message that carries its uid; by nobody else,
// not even an application session, and a refusal looks exactly like an unknown id.
func TestPrivateBlobReadRule(t *testing.T) {
	be := newBlobEnv(t)
	owner, ownerTok := be.user("owner")
	member, memberTok := be.user("member")
	_, strangerTok := be.user("stranger")
	app, err := be.st.CreateSession(context.Background(), store.NewSession{AppID: testAppID})
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("payroll.xlsx")
	blob := be.create(ownerTok, map[string]any{"blob": map[string]any{"content_type": "text/plain", "name": "pay.txt"}})
	be.uploadBlob(blob, content)
	expect(t, be.do("PUT", "/blobs/"+itoa(blob.ID)+"/complete", ownerTok, map[string]any{"size": len(content)}), 200, "")
	public := be.create(ownerTok, map[string]any{"blob": map[string]any{"content_type": "text/plain", "name": "hi.txt", "public": true}})
	be.uploadBlob(public, content)
	expect(t, be.do("PUT", "/blobs/"+itoa(public.ID)+"/complete", ownerTok, map[string]any{"size": len(content)}), 200, "")

	reads := func(token string, b cube.Blob) []string {
		return []string{"/blobs/" + itoa(b.ID) + ".json", "/blobs/" + b.UID + ".json",
			"/blobs/" + b.UID + "/object?download_url=1", "/blobs/" + b.UID + "?token=" + token}
	}
	check := func(who, token string, b cube.Blob, want int) {
		t.Helper()
		for _, path := range reads(token, b) {
			if r := be.do("GET", path, token, nil); r.status != want {
				t.Errorf("%s GET %s = %d, want %d (%s)", who, path, r.status, want, r.body)
			}
		}
	}
	check("owner", ownerTok, blob, 200)
	check("member before sharing", memberTok, blob, 404)
	check("stranger", strangerTok, blob, 404)
	check("app session", app.Token, blob, 404)
	check("stranger, public blob", strangerTok, public, 200)
	check("app session, public blob", app.Token, public, 200)
	// The unknown id next in line answers the same as the hidden one.
	expect(t, be.do("GET", "/blobs/"+itoa(public.ID+1)+".json", strangerTok, nil), 404, "")
	// Nor may a stranger delete it, or learn that it exists by trying.
	expect(t, be.do("DELETE", "/blobs/"+itoa(blob.ID), strangerTok, nil), 404, "")

	// Shared in a group: every occupant reads it, the stranger still does not.
	d, _, err := be.st.CreateDialog(context.Background(), store.NewDialog{Type: cube.DialogGroup, Name: "team",
		OwnerID: owner.ID, OccupantIDs: []int64{owner.ID, member.ID}})
	if err != nil {
		t.Fatal(err)
	}
	r := be.do("POST", "/chat/Message", ownerTok, map[string]any{"chat_dialog_id": d.ID,
		"attachments": []any{map[string]any{"type": "file", "uid": blob.UID}}})
	expect(t, r, 201, "")
	var sent cube.Message
	r.decode(t, &sent)
	check("member after sharing", memberTok, blob, 200)
	check("stranger after sharing", strangerTok, blob, 404)
	// A reader who is not the owner may not delete it (and now may know it exists).
	expect(t, be.do("DELETE", "/blobs/"+itoa(blob.ID), memberTok, nil), 403, "")

	// Deleted for everyone: the message no longer carries the file.
	expect(t, be.do("DELETE", "/chat/Message/"+sent.ID+"?force=1", ownerTok, nil), 200, "")
	check("member after the message was deleted", memberTok, blob, 404)
	check("owner after the message was deleted", ownerTok, blob, 200)
}
