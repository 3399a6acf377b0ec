package sync

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// A reply's quote travels in the message's custom parameters: the peer stores it from
// the live stanza, and a cache rebuilt from the server's REST history has it too.
func TestSendWithCustomParamsReachesPeerAndHistory(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "hi")
	orig := pr.exchange(b, a, "lunch at noon?")

	quote := map[string]string{"reply_to_id": orig, "reply_to_sender_id": "42", "reply_to_text": "lunch at noon?"}
	id, err := a.e.SendWith(ctx, pr.dialog, Outgoing{Body: "yes!", Custom: quote})
	if err != nil {
		t.Fatal(err)
	}
	hasQuote := func(m cache.Message) bool {
		for k, v := range quote {
			if m.Custom[k] != v {
				return false
			}
		}
		return m.Body == "yes!"
	}
	b.waitMessage(id, "the quote live at Bob's", hasQuote)
	a.waitOutboxEmpty()

	// A new device: the history comes from REST.
	b.close()
	if err := os.Remove(b.path); err != nil {
		t.Fatal(err)
	}
	b.open()
	if err := b.e.Login(ctx, b.acc.Login, b.acc.password); err != nil {
		t.Fatal(err)
	}
	b.e.Start(ctx)
	b.waitMessage(id, "the quote in the server's history", hasQuote)

	if _, err := a.e.SendWith(ctx, pr.dialog, Outgoing{Body: "  "}); err == nil {
		t.Error("an empty message was accepted")
	}
	if _, err := a.e.SendWith(ctx, pr.dialog, Outgoing{Attachments: []cache.Attachment{{Name: "x.txt", LocalPath: "/tmp/x.txt"}}}); err == nil {
		t.Error("a local file was accepted as an uploaded attachment")
	}
}

// A forwarded file is sent again by its blob uid: a third user who was never in the
// original dialog receives it and can download it.
func TestForwardedAttachmentReachesAThirdUser(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	c := pr.h.newPeer(pr.h.user("cy"))
	c.waitSynced()

	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("forward me"), 0o600); err != nil {
		t.Fatal(err)
	}
	fileID, err := a.e.SendFile(ctx, pr.dialog, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := b.waitMessage(fileID, "the file at Bob's", func(m cache.Message) bool {
		return len(m.Attachments) == 1 && m.Attachments[0].UID != ""
	})

	group, err := b.e.CreateDialog(ctx, cube.DialogGroup, "elsewhere", []int64{c.acc.ID})
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := b.e.SendWith(ctx, group, Outgoing{Attachments: got.Attachments,
		Custom: map[string]string{"forwarded_from_id": fileID, "forwarded_from_sender_id": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	m := c.waitMessage(fwd, "the forwarded file at Cy's", func(m cache.Message) bool {
		return len(m.Attachments) == 1 && m.Attachments[0].UID == got.Attachments[0].UID &&
			m.Custom["forwarded_from_id"] == fileID
	})
	local, err := c.e.DownloadAttachment(ctx, m.ID, m.Attachments[0].UID)
	if err != nil {
		t.Fatalf("Cy downloads the forwarded file: %v", err)
	}
	if data, err := os.ReadFile(local); err != nil || string(data) != "forward me" {
		t.Fatalf("downloaded %q, %v", data, err)
	}
}

// Pins are a dialog field: the other side's cache gets them at once (the "dialog
// updated" system message) and with every dialog refresh (catch-up after a restart).
func TestPinsReachPeerWithDialogRefresh(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	id := pr.exchange(a, b, "the door code")
	if err := b.e.UpdateDialog(ctx, pr.dialog, DialogChanges{Pin: []string{id}}); err != nil {
		t.Fatalf("Bob pins in a private chat: %v", err)
	}
	if d, err := b.db.Dialog(ctx, pr.dialog); err != nil || len(d.PinnedMessageIDs) != 1 {
		t.Fatalf("Bob's dialog after pinning: %+v, %v", d, err)
	}
	// Ann's engine reads the dialog again when Bob's announcement arrives.
	a.waitFor("the pin at Ann's", func() (bool, string) {
		d, err := a.db.Dialog(ctx, pr.dialog)
		if err != nil {
			return false, err.Error()
		}
		return len(d.PinnedMessageIDs) == 1 && d.PinnedMessageIDs[0] == id, fmt.Sprint(d.PinnedMessageIDs)
	})
	if err := a.e.UpdateDialog(ctx, pr.dialog, DialogChanges{Unpin: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if d, _ := a.db.Dialog(ctx, pr.dialog); len(d.PinnedMessageIDs) != 0 {
		t.Fatalf("still pinned after unpinning: %v", d.PinnedMessageIDs)
	}
	b.waitFor("the unpin at Bob's", func() (bool, string) {
		d, err := b.db.Dialog(ctx, pr.dialog)
		if err != nil {
			return false, err.Error()
		}
		return len(d.PinnedMessageIDs) == 0, fmt.Sprint(d.PinnedMessageIDs)
	})
	// The announcements are signals: no system message is kept for the notices area.
	for _, p := range []*peer{a, b} {
		if sys, err := p.db.SystemMessages(ctx, 10); err != nil || len(sys) != 0 {
			t.Errorf("system messages kept: %+v, %v", sys, err)
		}
	}

	// A restart (catch-up) carries the pins too.
	if err := b.e.UpdateDialog(ctx, pr.dialog, DialogChanges{Pin: []string{id}}); err != nil {
		t.Fatal(err)
	}
	a.restart()
	a.waitFor("the pin after Ann's restart", func() (bool, string) {
		d, err := a.db.Dialog(ctx, pr.dialog)
		if err != nil {
			return false, err.Error()
		}
		return len(d.PinnedMessageIDs) == 1, fmt.Sprint(d.PinnedMessageIDs)
	})
}
