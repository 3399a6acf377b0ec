package sync

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// The own profile against a real server: a name change and an avatar reach the server
// and the cache; a password change keeps the engine working with the new password.
func TestProfileUpdateReachesServerAndCache(t *testing.T) {
	h := newHarness(t)
	alice := h.newPeer(h.user("alice"))
	alice.waitSynced()

	name := "Alice Liddell"
	got, err := alice.e.UpdateProfile(h.ctx, ProfileChanges{FullName: &name})
	if err != nil || got.FullName != name {
		t.Fatalf("UpdateProfile: %+v %v", got, err)
	}
	if u, _ := h.srv.Store().UserByID(h.ctx, alice.acc.ID); u.FullName != name {
		t.Fatalf("the server has %q", u.FullName)
	}
	if me, err := alice.e.MyProfile(h.ctx); err != nil || me.FullName != name {
		t.Fatalf("cached profile: %+v %v", me, err)
	}
	if acc, err := alice.db.Account(h.ctx); err != nil || acc.FullName != name {
		t.Fatalf("cached account: %+v %v", acc, err)
	}
	empty := " "
	if _, err := alice.e.UpdateProfile(h.ctx, ProfileChanges{FullName: &empty}); err == nil {
		t.Fatal("an empty name was accepted")
	}

	// An avatar: uploaded as a public file whose uid the profile keeps.
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "me.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = alice.e.UpdateProfile(h.ctx, ProfileChanges{AvatarPath: path})
	if err != nil || got.Avatar == "" || got.FullName != name {
		t.Fatalf("avatar update: %+v %v", got, err)
	}
	if u, _ := h.srv.Store().UserByID(h.ctx, alice.acc.ID); u.Avatar != got.Avatar {
		t.Fatalf("the server's avatar is %q, want %q", u.Avatar, got.Avatar)
	}
	data, err := alice.e.Avatar(h.ctx, got.Avatar)
	if err != nil || !bytes.Equal(data, buf.Bytes()) {
		t.Fatalf("the avatar read back: %d bytes, %v", len(data), err)
	}
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notImage, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.e.UpdateProfile(h.ctx, ProfileChanges{AvatarPath: notImage}); err == nil {
		t.Fatal("a text file became the avatar")
	}
}

func TestChangePasswordKeepsTheEngineWorking(t *testing.T) {
	h := newHarness(t)
	alice := h.newPeer(h.user("alice"))
	bobAcc := h.user("bob")
	bob := h.client(bobAcc)
	alice.waitSynced()

	if n, err := alice.e.OnlineCount(h.ctx); err != nil || n < 1 {
		t.Fatalf("online count with alice connected: %d %v", n, err)
	}
	if err := alice.e.ChangePassword(h.ctx, "wrong", "new-secret-1"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := alice.e.ChangePassword(h.ctx, alice.acc.password, "new-secret-1"); err != nil {
		t.Fatal(err)
	}
	fresh := h.client(account{User: alice.acc.User, password: "new-secret-1"})
	if _, err := fresh.GetSession(h.ctx); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	// The server reset alice's chat; the engine comes back with the new password and
	// gets bob's message.
	d, err := bob.CreateDialog(h.ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{alice.acc.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.CreateMessage(h.ctx, cube.NewMessage{DialogID: d.ID, Message: "after the change", SendToChat: true}); err != nil {
		t.Fatal(err)
	}
	alice.waitMessages(d.ID, 1, nil)
	alice.waitSynced()
	if s := alice.e.Status(); s.NeedsSignIn {
		t.Fatalf("the engine asks to sign in again: %+v", s)
	}
}
