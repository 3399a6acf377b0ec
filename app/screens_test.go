package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
)

// offlineUI signs Alice (user 1) in with the server down, over a cache seeded with a
// private dialog d1 with Bob, a group g1 she owns, and a system message.
func offlineUI(t *testing.T) (*UI, *mainScreen, *cache.DB) {
	t.Helper()
	return offlineUIOn(t, test.NewTempApp(t), nil)
}

// offlineUIOn is offlineUI on a given Fyne app, with Deps changed by adjust (nil = none).
func offlineUIOn(t *testing.T, a fyne.App, adjust func(*Deps)) (*UI, *mainScreen, *cache.DB) {
	t.Helper()
	db := openCache(t)
	seedCache(t, db, 20)
	ctx := context.Background()
	if err := db.UpsertUsers(ctx, []cache.User{{ID: 3, Login: "carol", FullName: "Carol"}}); err != nil {
		t.Fatal(err)
	}
	group := cache.Dialog{ID: "g1", Type: dialogGroup, Name: "Hiking club", OwnerID: 1, AdminIDs: []int64{2},
		OccupantIDs: []int64{1, 2, 3}, UnreadCount: 3, UpdatedAt: time.Now().Add(-time.Hour), NotificationsEnabled: true}
	if err := db.UpsertDialogs(ctx, []cache.Dialog{group}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddSystemMessages(ctx, []cache.SystemMessage{{ID: "s1", SenderID: 2, Body: "dialog/ADDED_TO_DIALOG"}}); err != nil {
		t.Fatal(err)
	}
	addr := closedAddr(t)
	profile := csync.Profile{Name: "down", APIURL: "http://" + addr, ChatHost: addr, ChatDomain: "localhost",
		ChatTLS: "tls", AppID: 1, AuthKey: "k"}
	deps := Deps{
		Cache:     db,
		NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) },
		Demo:      &DemoLogin{Profile: profile, Login: "alice", Password: "pw"},
	}
	if adjust != nil {
		adjust(&deps)
	}
	u := newTestUIOn(t, a, deps)
	var m *mainScreen
	waitFor(t, "the offline sign-in", 10*time.Second, func() bool {
		onUI(func() { m = u.main })
		return m != nil
	})
	waitFor(t, "both dialogs", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(m.dialogs) })
		return n == 2
	})
	return u, m, db
}

func TestMainScreenTitleNoticesAndBanner(t *testing.T) {
	u, m, _ := offlineUI(t)
	waitFor(t, "the unread total in the title", 5*time.Second, func() bool {
		var title string
		onUI(func() { title = u.Window().Title() })
		return title == "cubechat (5)" // 2 in d1 + 3 in g1
	})
	waitFor(t, "the system message", 5*time.Second, func() bool {
		var lines []string
		onUI(func() { lines = m.notices.Texts() })
		return len(lines) == 1 && lines[0] == "Bob: dialog/ADDED_TO_DIALOG"
	})
	onUI(func() {
		if got := m.chat.banner.Action(); got != "Retry now" {
			t.Errorf("offline banner offers %q", got)
		}
		m.notices.dismiss()
	})
	waitFor(t, "dismissed notices to hide", 5*time.Second, func() bool {
		var shown bool
		onUI(func() { shown = m.notices.content.Visible() })
		return !shown
	})
}

func TestSearchFiltersAndFindsMessages(t *testing.T) {
	_, m, _ := offlineUI(t)
	onUI(func() { test.Type(m.search.entry, "hiking") })
	onUI(func() {
		if len(m.shown) != 1 || m.shown[0].ID != "g1" {
			t.Errorf("the list should filter by name at once: %d shown", len(m.shown))
		}
		if m.search.server.Visible() {
			t.Error("no server search while offline")
		}
	})
	onUI(func() { m.search.entry.SetText("message 7") })
	waitFor(t, "message hits from the cache", 5*time.Second, func() bool {
		var ok bool
		onUI(func() {
			for _, it := range m.search.items {
				if it.Kind == searchMessage && strings.Contains(it.Text, "message 7") {
					ok = true
				}
			}
		})
		return ok
	})
	var target searchItem
	onUI(func() {
		for _, it := range m.search.items {
			if it.Kind == searchMessage {
				target = it
				break
			}
		}
		m.search.open(target)
	})
	waitFor(t, "the dialog opened at the message", 5*time.Second, func() bool {
		var ok bool
		onUI(func() {
			_, loaded := m.chat.history.messageByID(target.MessageID)
			ok = m.chat.dialog.ID == target.DialogID && loaded && m.chat.history.target == ""
		})
		return ok
	})
	onUI(func() { m.search.entry.SetText("") })
	onUI(func() {
		if m.search.results.Visible() || len(m.shown) != 2 {
			t.Error("clearing the search shows the whole list again")
		}
	})
}

func TestDialogInfoFollowsRole(t *testing.T) {
	u, m, _ := offlineUI(t)
	labels := func() map[string]bool {
		out := map[string]bool{}
		top := u.Window().Canvas().Overlays().Top()
		if top == nil {
			return out
		}
		findIn(top, func(o fyne.CanvasObject) bool {
			switch w := o.(type) {
			case *widget.Button:
				out[w.Text] = true
			case *widget.Label:
				out[w.Text] = true
			}
			return false
		})
		return out
	}
	onUI(func() { m.showDialogInfo("g1") })
	onUI(func() {
		got := labels()
		// Owner: manages admins (Bob is one), removes members, deletes for everyone.
		for _, want := range []string{"Remove admin", "Make admin", "Remove", "Add members", "Delete for everyone", "Leave group", "Save", "Carol"} {
			if !got[want] {
				t.Errorf("the owner's group info lacks %q", want)
			}
		}
		if got["Block"] {
			t.Error("groups have no Block")
		}
		m.info.win.Hide()
	})
	onUI(func() { m.showDialogInfo("d1") })
	waitFor(t, "the block state", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = labels()["Block"] })
		return ok
	})
	onUI(func() {
		got := labels()
		for _, want := range []string{"Block", "Block both ways", "Delete chat for me", "Clear history"} {
			if !got[want] {
				t.Errorf("the private chat's info lacks %q", want)
			}
		}
		if got["Add members"] || got["Save"] {
			t.Error("private chats have no members or name to edit")
		}
	})
}

func TestTypingEventsAndEditChip(t *testing.T) {
	_, m, db := offlineUI(t)
	waitFor(t, "the dialog to open", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = m.selectDialog("d1") })
		return ok
	})
	var footer float32
	onUI(func() { footer = m.chat.footer.MinSize().Height })
	m.applyEvent(csync.TypingEvent{DialogID: "d1", UserID: 2, Typing: true})
	m.applyEvent(csync.TypingEvent{DialogID: "g1", UserID: 3, Typing: true}) // another dialog
	onUI(func() {
		if h := m.chat.footer.MinSize().Height; h != footer {
			t.Errorf("the typing line moved the composer: %v, then %v", footer, h)
		}
		if !m.chat.typing.Visible() || m.chat.typing.Text != "Bob is typing…" {
			t.Errorf("typing line %q", m.chat.typing.Text)
		}
	})
	m.applyEvent(csync.TypingEvent{DialogID: "d1", UserID: 2, Typing: false})
	onUI(func() {
		if strings.TrimSpace(m.chat.typing.Text) != "" || m.chat.footer.MinSize().Height != footer {
			t.Errorf("the typing line empties in place: %q", m.chat.typing.Text)
		}
	})
	m.applyEvent(csync.NoticeEvent{Text: "Message to Bob was blocked"})
	onUI(func() {
		if m.chat.NoticeText() != "Message to Bob was blocked" {
			t.Errorf("notice %q", m.chat.NoticeText())
		}
	})

	own, err := db.Message(context.Background(), "000000000000000000000001") // "message 0", Alice's, read
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		m.chat.composer.SetText("half-written")
		m.chat.startEdit(*own)
		if !m.chat.editChip.Visible() || m.chat.composer.Text != "message 0" {
			t.Errorf("edit mode shows %q", m.chat.composer.Text)
		}
		m.chat.cancelEdit()
		if m.chat.editChip.Visible() || m.chat.composer.Text != "half-written" {
			t.Errorf("cancel should restore the draft, composer has %q", m.chat.composer.Text)
		}
	})
}

func TestRetryNowAndSignOut(t *testing.T) {
	u, m, db := offlineUI(t)
	old := u.Engine()
	// "Retry now" wakes the running engine (sync's tests prove it then connects at
	// once): the main screen and the engine stay, and nobody is asked for a password.
	for range 2 { // a second tap while it tries is harmless
		onUI(func() {
			if got := m.chat.banner.Action(); got != "Retry now" {
				t.Fatalf("offline banner offers %q", got)
			}
			m.chat.banner.TapAction()
		})
	}
	onUI(func() {
		if u.main != m || u.Engine() != old || u.Window().Content() == u.login.content {
			t.Fatal("Retry now must keep the main screen and its engine")
		}
	})
	if s := old.Status(); s.State != csync.StateOffline || s.NeedsSignIn {
		t.Errorf("with the server still down the engine stays offline, got %+v", s)
	}

	onUI(func() { u.confirmSignOut() })
	onUI(func() {
		yes := findIn(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
			b, ok := o.(*widget.Button)
			return ok && b.Text == "Yes"
		})
		if yes == nil {
			t.Fatal("no confirmation asked")
		}
		test.Tap(yes.(*widget.Button))
	})
	waitFor(t, "the account to be forgotten", 5*time.Second, func() bool {
		acc, err := db.Account(context.Background())
		return err == nil && acc == nil
	})
	onUI(func() {
		if u.main != nil || u.Engine() != nil || u.Window().Content() != u.login.content {
			t.Error("signing out returns to the login screen")
		}
		if u.login.login.Text != "alice" || u.login.password.Text != "" {
			t.Errorf("login %q kept, password must be cleared", u.login.login.Text)
		}
	})
	if ds, err := db.Dialogs(context.Background()); err != nil || len(ds) != 2 {
		t.Errorf("signing out keeps cached chats: %d, %v", len(ds), err)
	}
}

func TestDroppedFileBecomesAMessage(t *testing.T) {
	_, m, db := offlineUI(t)
	onUI(func() {
		m.chat.dropped(fyne.NewPos(10, 10), nil)
		if !strings.Contains(m.chat.NoticeText(), "Open a chat first") {
			t.Errorf("dropping with no chat open should explain, got %q", m.chat.NoticeText())
		}
	})
	waitFor(t, "the dialog to open", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = m.selectDialog("d1") })
		return ok
	})
	pic := filepath.Join(t.TempDir(), "drop.png")
	writePNG(t, pic, 30, 20)
	onUI(func() {
		m.chat.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(pic)})
		m.chat.media.sheet.send() // the send sheet (sendsheet_test.go)
	})
	// Offline, the upload cannot run: the message stays, failed, with Retry in its menu.
	var stored cache.Message
	waitFor(t, "the file message in the cache", 10*time.Second, func() bool {
		msgs, err := db.Messages(context.Background(), "d1", time.Time{}, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range msgs {
			if len(msg.Attachments) == 1 && msg.Attachments[0].Name == "drop.png" {
				stored = msg
				return true
			}
		}
		return false
	})
	waitFor(t, "the bubble with its thumbnail", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			for _, r := range m.chat.history.rows {
				if r.ID == stored.ID && len(r.Attachments) == 1 && r.Attachments[0].Image != nil {
					ok = true
				}
			}
		})
		return ok
	})
}
