package app

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/widgets"
)

// A search for a chat name shows its results instead of the dialogs list, never on top
// of it (both lists fill the same place: drawn together their rows overlapped).
func TestSearchResultsReplaceTheDialogsList(t *testing.T) {
	_, m, _ := offlineUI(t)
	onUI(func() { test.Type(m.search.entry, "bob") })
	waitFor(t, "the chat result", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(m.search.items) })
		return n > 0
	})
	onUI(func() {
		if !m.search.results.Visible() {
			t.Fatal("the results are not shown")
		}
		if m.list.Visible() || m.empty.Visible() {
			t.Error("the dialogs list is drawn under the search results")
		}
	})
	onUI(func() { m.search.entry.SetText("") })
	onUI(func() {
		if !m.list.Visible() || m.search.results.Visible() {
			t.Error("clearing the search brings the dialogs list back alone")
		}
	})
}

// Signing out of the demo leaves a way back: one button fills the demo account (its
// password included) and signs in again.
func TestSignedOutOfTheDemoGoesBack(t *testing.T) {
	u, _, _ := offlineUI(t)
	onUI(func() { u.signOut() })
	waitFor(t, "the login screen", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = u.main == nil && !u.login.busy })
		return ok
	})
	onUI(func() {
		if u.login.password.Text != "" {
			t.Error("signing out clears the password field")
		}
		if !u.login.demoBtn.Visible() {
			t.Fatal("no way back to the demo")
		}
		test.Tap(u.login.demoBtn)
	})
	onUI(func() {
		if u.login.password.Text != "pw" || u.login.login.Text != "alice" {
			t.Errorf("the demo account is not filled in: %q", u.login.login.Text)
		}
	})
	// The demo's server is down in this test and the account was forgotten, so the
	// attempt reaches the network and fails there, not at the form's checks.
	waitFor(t, "the sign-in attempt", 10*time.Second, func() bool {
		var done bool
		onUI(func() { done = !u.login.busy && u.login.ErrorText() != "" })
		return done
	})
	onUI(func() {
		if got := u.login.ErrorText(); got == "Enter your login and password." {
			t.Errorf("the demo sign-in did not reach the server: %q", got)
		}
	})
}

// Without a demo there is no demo button.
func TestNoDemoButtonWithoutTheDemo(t *testing.T) {
	u := newTestUI(t, formOnlyDeps(t))
	onUI(func() {
		if u.login.demoBtn.Visible() {
			t.Error("a demo button without a demo")
		}
	})
}

// The header of a private chat says its peer is blocked (not "online"), following the
// block list while the chat is open.
func TestBlockedChatHeader(t *testing.T) {
	_, m, db := offlineUI(t)
	onUI(func() { m.selectDialog("d1") })
	subtitle := func() string {
		var s string
		onUI(func() { s = m.chat.header.subtitle.Text })
		return s
	}
	if strings.HasPrefix(subtitle(), "Blocked") {
		t.Fatal("an unblocked peer shows as blocked")
	}
	if err := db.SetBlocked(context.Background(), []cache.Blocked{{UserID: 2}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the header to say blocked", 5*time.Second, func() bool {
		return subtitle() == "Blocked — you do not get their messages"
	})
	if err := db.SetBlocked(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the header to drop blocked", 5*time.Second, func() bool {
		return !strings.HasPrefix(subtitle(), "Blocked")
	})
	// Reopening a chat whose peer is blocked shows it at once.
	if err := db.SetBlocked(context.Background(), []cache.Blocked{{UserID: 2, Mutual: true}}); err != nil {
		t.Fatal(err)
	}
	onUI(func() { m.selectDialog("g1") })
	onUI(func() { m.selectDialog("d1") })
	waitFor(t, "the reopened chat to say blocked", 5*time.Second, func() bool {
		return strings.HasPrefix(subtitle(), "Blocked both ways")
	})
}

// Block asks first; "No" blocks nobody.
func TestBlockAsksFirst(t *testing.T) {
	u, m, db := offlineUI(t)
	onUI(func() { m.showDialogInfo("d1") })
	var block *widget.Button
	waitFor(t, "the Block button", 5*time.Second, func() bool {
		onUI(func() {
			if b, ok := findIn(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
				b, ok := o.(*widget.Button)
				return ok && b.Text == "Block"
			}).(*widget.Button); ok {
				block = b
			}
		})
		return block != nil
	})
	onUI(func() { test.Tap(block) })
	onUI(func() {
		top := u.Window().Canvas().Overlays().Top()
		question := findIn(top, func(o fyne.CanvasObject) bool {
			l, ok := o.(*widget.Label)
			return ok && strings.HasPrefix(l.Text, "Block Bob?")
		})
		if question == nil {
			t.Fatal("Block did not ask for confirmation")
		}
		no := findIn(top, func(o fyne.CanvasObject) bool {
			b, ok := o.(*widget.Button)
			return ok && b.Text == "No"
		})
		test.Tap(no.(*widget.Button))
	})
	if list, err := db.Blocked(context.Background()); err != nil || len(list) != 0 {
		t.Errorf("declining blocked someone: %v %v", list, err)
	}
	onUI(func() {
		if top := u.Window().Canvas().Overlays().Top(); findIn(top, func(o fyne.CanvasObject) bool {
			l, ok := o.(*widget.Label)
			return ok && strings.HasPrefix(l.Text, "Block Bob?")
		}) != nil {
			t.Error("the question is still open")
		}
	})
}

// A public chat created in the app is listed under "Browse public chats" for someone who
// has not joined it, who joins it from there; the creator's own entry opens instead.
func TestCreateBrowseAndJoinAPublicChat(t *testing.T) {
	x := startE2E(t)
	var m *mainScreen
	onUI(func() { m = x.u.main })
	onUI(func() { m.showNewPublic() })
	top := func() fyne.CanvasObject {
		var o fyne.CanvasObject
		onUI(func() { o = x.u.Window().Canvas().Overlays().Top() })
		return o
	}
	button := func(text string) *widget.Button {
		var b *widget.Button
		onUI(func() {
			b, _ = findIn(x.u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
				b, ok := o.(*widget.Button)
				return ok && b.Text == text
			}).(*widget.Button)
		})
		return b
	}
	create := button("Create")
	onUI(func() { test.Tap(create) })
	dlg := top()
	var refused bool
	onUI(func() {
		refused = findIn(dlg, func(o fyne.CanvasObject) bool {
			l, ok := o.(*widget.Label)
			return ok && l.Text == "Give the chat a name."
		}) != nil
		entry := findIn(dlg, func(o fyne.CanvasObject) bool { _, ok := o.(*widget.Entry); return ok }).(*widget.Entry)
		test.Type(entry, "Town square")
		test.Tap(create)
	})
	if !refused {
		t.Error("an empty name is not refused")
	}
	waitFor(t, "the new public chat open", 10*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = m.chat.dialog.Type == dialogPublic && m.chat.dialog.Name == "Town square" })
		return ok
	})

	// Bob has not joined it: the server lists it to him all the same.
	public, err := x.bob.PublicDialogs(x.ctx)
	if err != nil || len(public) != 1 || public[0].Name != "Town square" {
		t.Fatalf("Bob browses %+v, %v", public, err)
	}
	// Alice browses: her own public chat is marked as joined ("Open").
	onUI(func() { m.showPublicDialogs() })
	waitFor(t, "Alice's public chat listed to her as Open", 10*time.Second, func() bool {
		return button("Open") != nil
	})
	if err := x.bob.SubscribePublic(x.ctx, public[0].ID); err != nil {
		t.Fatalf("Bob cannot join: %v", err)
	}
}

func TestWindowSizeFitsTheScreen(t *testing.T) {
	for _, c := range []struct {
		screen fyne.Size
		scale  float32
		want   fyne.Size
	}{
		{fyne.Size{}, 1, preferredWindow},
		{fyne.NewSize(1920, 1080), 1, preferredWindow},
		{fyne.NewSize(900, 600), 1, fyne.NewSize(900*screenShare, 600*screenShare)},
		{fyne.NewSize(1800, 1200), 2, fyne.NewSize(900*screenShare, 600*screenShare)}, // HiDPI
	} {
		if got := windowSize(c.screen, c.scale); got != c.want {
			t.Errorf("windowSize(%v, %v) = %v, want %v", c.screen, c.scale, got, c.want)
		}
	}
	for _, c := range []struct {
		width    float32
		listFrom float32
		listTo   float32
	}{
		{828, listMin, listMin + 20}, // 900×600 screen: the list keeps its minimum
		{1000, 300, 340},             // proportional
		{1920, listMax, listMax},     // wide: bounded
		{400, 200, 200},              // very narrow: half
	} {
		if list := float32(listOffset(c.width)) * c.width; list < c.listFrom-0.5 || list > c.listTo+0.5 {
			t.Errorf("window %v: the list is %v wide, want %v..%v", c.width, list, c.listFrom, c.listTo)
		}
	}
}

// On a 900×600 screen the window opens inside it (the composer stays on screen).
func TestWindowOpensInsideASmallScreen(t *testing.T) {
	deps := formOnlyDeps(t)
	deps.ScreenSize = func() fyne.Size { return fyne.NewSize(900, 600) }
	u, err := New(test.NewTempApp(t), deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	onUI(func() {
		if s := u.Window().Canvas().Size(); s.Width > 900 || s.Height > 600 {
			t.Errorf("the window is %v on a 900×600 screen", s)
		}
	})
}

// The app reads secondary text in a colour that keeps 4.5:1 on the window background,
// in both variants (widgets' theme test covers every surface).
func TestAppUsesTheReadableTheme(t *testing.T) {
	u := newTestUI(t, formOnlyDeps(t))
	th := u.fyneApp.Settings().Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		bg := th.Color(theme.ColorNameBackground, v)
		for _, name := range widgets.SecondaryTextColors {
			if c := widgets.Contrast(th.Color(name, v), bg); c < widgets.MinTextContrast {
				t.Errorf("variant %d: %s text has contrast %.2f", v, name, c)
			}
		}
	}
}

// Opening a file on a desktop without a file opener says so in words (not the launcher's
// raw `exec: "xdg-open"` error) and offers to save a copy instead.
func TestOpenWithoutAnOpenerOffersSave(t *testing.T) {
	u, m, db := offlineUI(t)
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, []byte("%PDF-1.4"), 0o600); err != nil {
		t.Fatal(err)
	}
	msg := cache.Message{ID: "f00000000000000000000001", DialogID: "d1", SenderID: 2, RecipientID: 1,
		Body: "the report", SentAt: time.Now(), State: cache.StateRead,
		Attachments: []cache.Attachment{{Type: "file", UID: "u1", Name: "report.pdf", LocalPath: path, Size: 8}}}
	if _, err := db.UpsertMessages(context.Background(), []cache.Message{msg}); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		// A desktop whose opener is missing: the launcher's own error.
		u.openURL = func(*url.URL) error { return exec.Command("cubechat-no-such-opener").Start() }
		m.selectDialog("d1")
	})
	waitFor(t, "the message with the file", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { _, ok = m.chat.history.messageByID(msg.ID) })
		return ok
	})
	onUI(func() { m.chat.openAttachment(msg.ID, "u1") })
	var texts []string
	var save *widget.Button
	waitFor(t, "the explanation", 5*time.Second, func() bool {
		texts, save = nil, nil
		onUI(func() {
			findIn(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
				switch w := o.(type) {
				case *widget.Label:
					texts = append(texts, w.Text)
				case *widget.Button:
					if w.Text == "Save a copy…" {
						save = w
					}
				}
				return false
			})
		})
		return save != nil
	})
	joined := strings.Join(texts, "\n")
	if strings.Contains(joined, "exec:") || !strings.Contains(joined, "no program set up to open files") {
		t.Errorf("the explanation reads %q", joined)
	}
	onUI(func() {
		if n := m.chat.NoticeText(); n != "" {
			t.Errorf("a raw notice is shown too: %q", n)
		}
	})
}

// Joining a public chat from "Browse public chats" opens it with its history: the cache
// never held its messages, so the history asks the server for the newest page.
func TestJoinedPublicChatShowsItsHistory(t *testing.T) {
	x := startE2E(t)
	lounge, err := x.bob.CreateDialog(x.ctx, cube.DialogPublic, "Lounge", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.bob.Send(x.ctx, lounge, "welcome to the lounge"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Bob's message on the server", 20*time.Second, func() bool {
		public, err := x.engine.PublicDialogs(x.ctx)
		return err == nil && len(public) == 1 && public[0].LastMessage == "welcome to the lounge"
	})
	var m *mainScreen
	onUI(func() { m = x.u.main })
	onUI(func() { m.showPublicDialogs() })
	var join *widget.Button
	waitFor(t, "the lounge listed with Join", 10*time.Second, func() bool {
		onUI(func() {
			join, _ = findIn(x.u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
				b, ok := o.(*widget.Button)
				return ok && b.Text == "Join"
			}).(*widget.Button)
		})
		return join != nil
	})
	onUI(func() { test.Tap(join) })
	waitFor(t, "the lounge's history", 20*time.Second, func() bool {
		var ok bool
		onUI(func() {
			ok = m.chat.dialog.ID == lounge && len(m.chat.history.msgs) == 1 &&
				m.chat.history.msgs[0].Body == "welcome to the lounge" && !m.chat.history.empty.Visible()
		})
		return ok
	})
}

// A validation message appears without moving the Sign-in button (no misclicks).
func TestLoginErrorKeepsTheButtonInPlace(t *testing.T) {
	u := newTestUI(t, formOnlyDeps(t))
	s := u.login
	var before, after float32
	onUI(func() {
		before = s.card.MinSize().Height
		s.login.SetText("")
		s.signIn() // no login: refused at once
		after = s.card.MinSize().Height
		if s.ErrorText() == "" {
			t.Fatal("no validation message")
		}
	})
	if before != after {
		t.Errorf("the form grew from %v to %v when the message appeared", before, after)
	}
}

// "Search on server" shows that it works and then what it found.
func TestServerSearchFeedback(t *testing.T) {
	x := startE2E(t)
	if _, err := x.engine.Send(x.ctx, x.dialogID, "pineapple pizza tonight"); err != nil {
		t.Fatal(err)
	}
	var m *mainScreen
	onUI(func() { m = x.u.main })
	onUI(func() { test.Type(m.search.entry, "pineapple") })
	waitFor(t, "the server search offered", 10*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = m.search.server.Visible() })
		return ok
	})
	onUI(func() {
		test.Tap(m.search.server)
		if !m.search.busy.Visible() || !strings.HasPrefix(m.search.status.Text, "Searching on the server") {
			t.Errorf("no progress while the server searches: %q", m.search.status.Text)
		}
	})
	waitFor(t, "the server's answer", 20*time.Second, func() bool {
		var done bool
		onUI(func() {
			done = !m.search.busy.Visible() && m.search.status.Visible() &&
				strings.HasSuffix(m.search.status.Text, "found on the server.")
		})
		return done
	})
}

func TestServerSearchText(t *testing.T) {
	for n, want := range map[int]string{0: "No more messages found on the server.", 1: "1 message found on the server.", 7: "7 messages found on the server."} {
		if got := serverSearchText(n); got != want {
			t.Errorf("serverSearchText(%d) = %q", n, got)
		}
	}
}

// New messages that arrive while the reader is scrolled up show as a count on a
// jump-down button; a click goes to the bottom and the button goes away.
func TestJumpToBottomCountsNewMessages(t *testing.T) {
	_, m, db := offlineUI(t)
	onUI(func() { m.selectDialog("d1") })
	h := m.chat.history
	waitFor(t, "the history", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(h.msgs) })
		return n == 20
	})
	onUI(func() {
		if h.jump.btn.Visible() {
			t.Error("the jump button shows at the bottom")
		}
		h.list.ScrollToTop()
	})
	add := func(id, body string) {
		msg := cache.Message{ID: id, DialogID: "d1", SenderID: 2, RecipientID: 1, Body: body,
			SentAt: time.Now(), State: cache.StateDelivered}
		if _, err := db.UpsertMessages(context.Background(), []cache.Message{msg}); err != nil {
			t.Fatal(err)
		}
	}
	add("a00000000000000000000001", "are you there?")
	add("a00000000000000000000002", "hello?")
	waitFor(t, "the count of new messages", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = h.jump.btn.Visible() && h.jump.btn.Text == "2" })
		return ok
	})
	onUI(func() {
		if h.atBottom() {
			t.Fatal("the new messages scrolled the reader down")
		}
		test.Tap(h.jump.btn)
		if !h.atBottom() || h.jump.btn.Visible() {
			t.Error("the jump button must scroll down and go away")
		}
	})
}

func TestNewerThan(t *testing.T) {
	msgs := func(ids ...string) []cache.Message {
		out := make([]cache.Message, len(ids))
		for i, id := range ids {
			out[i] = cache.Message{ID: id}
		}
		return out
	}
	for _, c := range []struct {
		before, now []cache.Message
		want        int
	}{
		{nil, msgs("a", "b"), 0},
		{msgs("a", "b"), msgs("a", "b", "c", "d"), 2},
		{msgs("a", "b"), msgs("a", "b"), 0},
		{msgs("a", "b"), msgs("a", "c"), 0}, // b deleted: no guess
	} {
		if got := newerThan(c.before, c.now); got != c.want {
			t.Errorf("newerThan(%v, %v) = %d, want %d", c.before, c.now, got, c.want)
		}
	}
}

// Enter in the user picker picks the first match, even when pressed before the search
// has answered.
func TestUserPickerEnterPicksTheFirstMatch(t *testing.T) {
	x := startE2E(t)
	var m *mainScreen
	onUI(func() { m = x.u.main })
	onUI(func() {
		// Start from no open chat, as after a fresh start.
		m.chat.close()
		m.setOpen("")
		m.list.UnselectAll()
		m.showNewPrivateChat()
		cv := x.u.Window().Canvas()
		test.Type(cv.Focused(), "bob")
		typeKey(cv, fyne.KeyReturn) // the search has not answered yet
	})
	waitFor(t, "Bob's chat open from the picker", 20*time.Second, func() bool {
		var ok bool
		onUI(func() {
			ok = m.chat.dialog.ID == x.dialogID && x.u.Window().Canvas().Overlays().Top() == nil
		})
		return ok
	})
}
