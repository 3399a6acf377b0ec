package integration_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestSessionLifecycle(t *testing.T) {
	srv := startServer(t)
	alice := login(t, srv, "alice")
	ctx := context.Background()
	s, err := alice.rest.GetSession(ctx)
	if err != nil || s.UserID != alice.ID {
		t.Fatalf("GetSession: %+v %v", s, err)
	}
	if err := alice.rest.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if s, err := alice.rest.GetSession(ctx); err != nil || s.UserID != 0 {
		t.Fatalf("after logout the session should be an application one: %+v %v", s, err)
	}
	if _, err := alice.rest.Login(ctx, "alice", "alice-pass-1"); err != nil {
		t.Fatal(err)
	}
	token := alice.rest.Token()
	if err := alice.rest.DeleteSession(ctx); err != nil || alice.rest.Token() != "" {
		t.Fatalf("DeleteSession: %v, token %q", err, alice.rest.Token())
	}
	alice.rest.SetToken(token)
	if _, err := alice.rest.GetSession(ctx); !cube.IsSessionExpired(err) {
		t.Fatalf("a deleted token must read as an expired session: %v", err)
	}
}

func TestDialogOperationsAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob, carol := login(t, srv, "alice"), login(t, srv, "bob"), login(t, srv, "carol")
	ctx := context.Background()

	group := alice.team(t, bob)
	upd, err := alice.rest.UpdateDialog(ctx, group.ID, cube.DialogUpdate{Name: cube.Str("Team 2"), Description: cube.Str("about"), PushOccupants: []int64{carol.ID}})
	if err != nil || upd.Name != "Team 2" || upd.Description != "about" || !slices.Contains(upd.OccupantsIDs, carol.ID) {
		t.Fatalf("update: %+v %v", upd, err)
	}
	if d, err := alice.rest.AddAdmins(ctx, group.ID, []int64{bob.ID}); err != nil || !slices.Contains(d.AdminsIDs, bob.ID) {
		t.Fatalf("add admins: %+v %v", d, err)
	}
	if d, err := alice.rest.RemoveAdmins(ctx, group.ID, []int64{bob.ID}); err != nil || slices.Contains(d.AdminsIDs, bob.ID) {
		t.Fatalf("remove admins: %+v %v", d, err)
	}
	if err := bob.rest.SetDialogNotifications(ctx, group.ID, false); err != nil {
		t.Fatal(err)
	}
	if on, err := bob.rest.DialogNotifications(ctx, group.ID); err != nil || on {
		t.Fatalf("notifications after mute: %v %v", on, err)
	}
	if n, err := carol.rest.CountDialogs(ctx, cube.DialogFilter{TypeIn: []int{cube.DialogGroup}}); err != nil || n != 1 {
		t.Fatalf("carol's group count: %d %v", n, err)
	}

	public, err := alice.rest.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPublic, Name: "Lobby"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.rest.SubscribePublicDialog(ctx, public.ID); err != nil {
		t.Fatal(err)
	}
	subs, err := alice.rest.PublicDialogOccupants(ctx, public.ID, 10, 0)
	if err != nil || !slices.ContainsFunc(subs, func(u cube.User) bool { return u.ID == bob.ID }) {
		t.Fatalf("subscribers: %+v %v", subs, err)
	}
	if err := bob.rest.UnsubscribePublicDialog(ctx, public.ID); err != nil {
		t.Fatal(err)
	}

	if err := alice.rest.ClearHistory(ctx, group.ID, false); err != nil {
		t.Fatal(err)
	}
	res, err := alice.rest.DeleteDialogs(ctx, []string{group.ID, "000000000000000000000000"}, true)
	if err != nil || !slices.Contains(res.SuccessfullyDeleted.IDs, group.ID) || !slices.Contains(res.NotFound.IDs, "000000000000000000000000") {
		t.Fatalf("bulk delete: %+v %v", res, err)
	}
	// Only the owner may delete for everybody: refused outright or listed as such.
	if res, err := bob.rest.DeleteDialogs(ctx, []string{public.ID}, true); err == nil && !slices.Contains(res.WrongPermissions.IDs, public.ID) {
		t.Fatalf("a non-owner deleted the dialog for everybody: %+v", res)
	}
}

func TestMessageOperationsAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	ctx := context.Background()
	d, err := alice.rest.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, text := range []string{"hello world", "second hello", "third"} {
		m, err := alice.rest.CreateMessage(ctx, cube.NewMessage{DialogID: d.ID, Message: text, Custom: map[string]any{"country": "NZ"},
			Attachments: []cube.Attachment{{Type: "image", UID: "u1"}}})
		if err != nil || m.Message != text || m.Custom["country"] != "NZ" || len(m.Attachments) != 1 || m.Attachments[0].UID != "u1" {
			t.Fatalf("create: %+v %v", m, err)
		}
		ids = append(ids, m.ID)
	}
	if n, err := bob.rest.CountMessages(ctx, cube.MessageFilter{DialogID: d.ID}); err != nil || n != 3 {
		t.Fatalf("count: %d %v", n, err)
	}
	if list, err := bob.rest.ListMessages(ctx, cube.MessageFilter{DialogID: d.ID, IDIn: ids[:2], SenderID: alice.ID}); err != nil || len(list.Items) != 2 {
		t.Fatalf("filtered list: %+v %v", list, err)
	}
	total, per, err := bob.rest.UnreadCount(ctx, []string{d.ID})
	if err != nil || total != 3 || per[d.ID] != 3 {
		t.Fatalf("unread: %d %v %v", total, per, err)
	}
	found, err := bob.rest.GlobalSearch(ctx, cube.SearchQuery{Text: "hello"})
	if err != nil || len(found.Messages) != 2 {
		t.Fatalf("search: %+v %v", found, err)
	}

	if err := bob.rest.AddReaction(ctx, ids[0], "👍"); err != nil {
		t.Fatal(err)
	}
	if err := alice.rest.UpdateReaction(ctx, ids[0], "🔥", ""); err != nil {
		t.Fatal(err)
	}
	who, err := alice.rest.ListReactions(ctx, ids[0])
	if err != nil || !slices.Contains(who["👍"], bob.ID) || !slices.Contains(who["🔥"], alice.ID) {
		t.Fatalf("reactions: %v %v", who, err)
	}
	if err := bob.rest.RemoveReaction(ctx, ids[0], "👍"); err != nil {
		t.Fatal(err)
	}
	if who, _ := alice.rest.ListReactions(ctx, ids[0]); slices.Contains(who["👍"], bob.ID) {
		t.Fatalf("reaction not removed: %v", who)
	}

	res, err := alice.rest.DeleteMessages(ctx, ids[:2], true)
	if err != nil || len(res.SuccessfullyDeleted.IDs) != 2 {
		t.Fatalf("delete: %+v %v", res, err)
	}
	if n, _ := bob.rest.CountMessages(ctx, cube.MessageFilter{DialogID: d.ID}); n != 1 {
		t.Fatalf("count after delete: %d", n)
	}
	sys, err := alice.rest.SendSystemMessage(ctx, bob.ID, map[string]any{"kind": "ping"})
	if err != nil || sys.RecipientID != bob.ID || sys.MessageID == "" {
		t.Fatalf("system message: %+v %v", sys, err)
	}
}

func TestBlobsAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	ctx := context.Background()
	content := bytes.Repeat([]byte("0123456789"), 50_000) // 500 kB
	var last int64
	blob, err := alice.rest.UploadFile(ctx, "notes.txt", "text/plain", bytes.NewReader(content), int64(len(content)), false,
		func(sent, total int64) { last = sent })
	if err != nil {
		t.Fatal(err)
	}
	if last != int64(len(content)) {
		t.Fatalf("progress ended at %d", last)
	}
	info, err := alice.rest.GetBlob(ctx, blob.UID)
	if err != nil || info.ID != blob.ID || info.Size != int64(len(content)) {
		t.Fatalf("blob info: %+v %v", info, err)
	}
	var buf bytes.Buffer
	// Private: bob may read it only once a message carrying it reached him.
	var refused *cube.Error
	if _, err := bob.rest.DownloadBlob(ctx, blob.UID, &buf); !errors.As(err, &refused) || refused.Status != 404 {
		t.Fatalf("download of a file not shared with bob: %v", err)
	}
	if _, err := alice.rest.CreateMessage(ctx, cube.NewMessage{RecipientID: bob.ID, Message: "notes",
		Attachments: []cube.Attachment{blob.Attachment("file")}}); err != nil {
		t.Fatal(err)
	}
	if n, err := bob.rest.DownloadBlob(ctx, blob.UID, &buf); err != nil || n != int64(len(content)) || !bytes.Equal(buf.Bytes(), content) {
		t.Fatalf("download: %d %v", n, err)
	}
	// The private URL works without any header, as an image widget would fetch it.
	pinned := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: clientConfig(t, srv, false, "").RootCAs}}}
	defer pinned.CloseIdleConnections()
	resp, err := pinned.Get(alice.rest.BlobDownloadURL(blob.UID, true))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("private url: %s", resp.Status)
	}
	if err := alice.rest.DeleteBlob(ctx, blob.ID); err != nil {
		t.Fatal(err)
	}
	var e *cube.Error
	if _, err := alice.rest.GetBlob(ctx, blob.UID); !errors.As(err, &e) || e.Status != 404 {
		t.Fatalf("deleted blob: %v", err)
	}
	if _, err := alice.rest.UploadFile(ctx, "big", "", strings.NewReader(""), cube.MaxBlobSize+1, false, nil); err == nil {
		t.Fatal("a file over 100 MB was accepted")
	}
}
