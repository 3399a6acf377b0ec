package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// openWithLink opens d1 of the offline UI with one more message from Bob holding a link.
func openWithLink(t *testing.T) (*UI, *mainScreen, cache.Message) {
	t.Helper()
	u, m, db := offlineUI(t)
	link := cache.Message{ID: "0000000000000000000000ff", DialogID: "d1", SenderID: 2, RecipientID: 1,
		Body: "the plan: https://example.org/plan?v=2. Read the second part first", SentAt: time.Now(), State: cache.StateSent}
	if _, err := db.UpsertMessages(context.Background(), []cache.Message{link}); err != nil {
		t.Fatal(err)
	}
	onUI(func() { m.selectDialog("d1") })
	waitFor(t, "the message with a link", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { _, ok = m.chat.history.messageByID(link.ID) })
		return ok
	})
	return u, m, link
}

// tapMenuItem opens the menu of message id and taps its button labelled text.
func tapMenuItem(t *testing.T, u *UI, m *mainScreen, id, text string) {
	t.Helper()
	m.chat.showMessageMenu(id, fyne.NewPos(300, 200))
	top := u.Window().Canvas().Overlays().Top()
	b, _ := findIn(top, menuButton(text)).(*widget.Button)
	if b == nil {
		t.Fatalf("the menu of %s lacks %q", id, text)
	}
	test.Tap(b)
}

// Copy link puts the message's address on the clipboard (without the full stop that
// ends the sentence); Select text shows the whole text in a field that selects and
// copies but does not change; Esc closes it.
func TestCopyLinkAndSelectText(t *testing.T) {
	u, m, link := openWithLink(t)
	cv := u.Window().Canvas()
	onUI(func() {
		tapMenuItem(t, u, m, link.ID, "Copy link")
		if got := u.fyneApp.Clipboard().Content(); got != "https://example.org/plan?v=2" {
			t.Errorf("clipboard %q", got)
		}
		// A message without a link offers no Copy link.
		m.chat.showMessageMenu(m.chat.history.msgs[0].ID, fyne.NewPos(300, 200))
		if findIn(cv.Overlays().Top(), menuButton("Copy link")) != nil {
			t.Error("Copy link offered for a message without one")
		}
		cv.Overlays().Top().Hide()

		tapMenuItem(t, u, m, link.ID, "Select text")
		e, ok := cv.Focused().(*readOnlyEntry)
		if !ok || m.chat.selectText == nil {
			t.Fatalf("Select text shows no focused text field (%T)", cv.Focused())
		}
		test.Type(e, "xyz")
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
		e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: u.fyneApp.Clipboard()})
		if e.Text != link.Body {
			t.Errorf("the text changed to %q", e.Text)
		}
		// Select a part and copy it.
		e.CursorRow, e.CursorColumn = 0, 0
		for range 4 {
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
		}
		e.KeyDown(&fyne.KeyEvent{Name: "LeftShift"})
		for range 4 {
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
		}
		e.KeyUp(&fyne.KeyEvent{Name: "LeftShift"})
		e.TypedShortcut(&fyne.ShortcutCopy{Clipboard: u.fyneApp.Clipboard()})
		if got := u.fyneApp.Clipboard().Content(); got != "plan" {
			t.Errorf("copied %q, want the selected part", got)
		}
		typeKey(cv, fyne.KeyEscape) // the text field has the focus
		if m.chat.selectText != nil {
			t.Error("Esc leaves the Select text dialog open")
		}
		// With nothing focused, the window's Esc closes it too.
		tapMenuItem(t, u, m, link.ID, "Select text")
		cv.Unfocus()
		typeKey(cv, fyne.KeyEscape)
		if m.chat.selectText != nil {
			t.Error("Esc (nothing focused) leaves the Select text dialog open")
		}
	})
}

// Ctrl+Up answers the newest message, again an earlier one; Ctrl+Down goes back and,
// past the newest, stops replying. The sheet lists both.
func TestReplyByKeyboard(t *testing.T) {
	u, m, link := openWithLink(t)
	cv := u.Window().Canvas()
	onUI(func() {
		cv.Focus(m.chat.composer)
		press(cv, combo(fyne.KeyUp, ctrl))
		if m.chat.reply.to.ID != link.ID {
			t.Fatalf("Ctrl+Up replies to %q, want the newest", m.chat.reply.to.ID)
		}
		press(cv, combo(fyne.KeyUp, ctrl))
		msgs := m.chat.history.msgs
		if prev := msgs[len(msgs)-2].ID; m.chat.reply.to.ID != prev {
			t.Errorf("Ctrl+Up again replies to %q, want %q", m.chat.reply.to.ID, prev)
		}
		press(cv, combo(fyne.KeyDown, ctrl))
		press(cv, combo(fyne.KeyDown, ctrl))
		if m.chat.reply.active() {
			t.Error("Ctrl+Down past the newest keeps the reply")
		}
		m.showShortcuts()
		var texts []string
		findIn(cv.Overlays().Top(), func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
			return false
		})
		if all := strings.Join(texts, "\n"); !strings.Contains(all, "Ctrl+Up") || !strings.Contains(all, "Ctrl+Down") {
			t.Error("the sheet does not list the reply keys")
		}
	})
}

// The menu follows what the user may do: pending messages cannot be answered or
// pinned; in a group only admins pin; in a private chat both people do.
func TestAvailableExtraActions(t *testing.T) {
	sent := cache.Message{ID: "m", SenderID: 2, Body: "see https://x.org", State: cache.StateSent}
	private := cache.Dialog{Type: dialogPrivate, OccupantIDs: []int64{1, 2}}
	group := cache.Dialog{Type: dialogGroup, OwnerID: 3, OccupantIDs: []int64{1, 2, 3}}
	admin := group
	admin.AdminIDs = []int64{1}
	pinned := private
	pinned.PinnedMessageIDs = []string{"m"}
	pending := sent
	pending.State = cache.StatePending
	deleted := sent
	deleted.Deleted = true
	cases := []struct {
		name string
		m    cache.Message
		d    cache.Dialog
		want extraActions
	}{
		{"private", sent, private, extraActions{Reply: true, Forward: true, Pin: true, CopyLink: true, SelectText: true}},
		{"group member", sent, group, extraActions{Reply: true, Forward: true, CopyLink: true, SelectText: true}},
		{"group admin", sent, admin, extraActions{Reply: true, Forward: true, Pin: true, CopyLink: true, SelectText: true}},
		{"pinned", sent, pinned, extraActions{Reply: true, Forward: true, Unpin: true, CopyLink: true, SelectText: true}},
		{"pending", pending, private, extraActions{CopyLink: true, SelectText: true}},
		{"deleted", deleted, private, extraActions{}},
	}
	for _, c := range cases {
		if got := availableExtraActions(c.m, c.d, 1); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// Quotes and forwards read the parameters whether they came as strings (XMPP) or
// numbers (a REST client), and the excerpt is one line.
func TestMessageExtrasParameters(t *testing.T) {
	users := map[int64]cache.User{2: {ID: 2, FullName: "Bob"}}
	m := cache.Message{Custom: map[string]any{paramReplyID: "a1", paramReplySender: float64(2), paramReplyText: "hi"}}
	q, ok := quoteOf(m)
	if !ok || q.ID != "a1" || q.SenderID != 2 || q.Text != "hi" {
		t.Errorf("quote %+v %v", q, ok)
	}
	if _, ok := quoteOf(cache.Message{}); ok {
		t.Error("a plain message has a quote")
	}
	orig := cache.Message{ID: "o1", SenderID: 2, Body: strings.Repeat("word\n", 40)}
	p := forwardParams(orig, users)
	f, ok := forwardOf(cache.Message{Custom: map[string]any{paramForwardID: p[paramForwardID],
		paramForwardSender: p[paramForwardSender], paramForwardName: p[paramForwardName]}})
	if !ok || f.ID != "o1" || f.SenderID != 2 || forwardedFromText(f, nil) != "Forwarded from Bob" {
		t.Errorf("forward %+v", f)
	}
	// Forwarding a forward keeps the first author.
	again := forwardParams(cache.Message{ID: "o2", SenderID: 1, Custom: map[string]any{paramForwardID: "o1",
		paramForwardSender: "2", paramForwardName: "Bob"}}, users)
	if again[paramForwardID] != "o1" || again[paramForwardName] != "Bob" {
		t.Errorf("a forward of a forward names %v", again)
	}
	ex := messageExcerpt(orig)
	if strings.Contains(ex, "\n") || len([]rune(ex)) > excerptRunes || !strings.HasSuffix(ex, "…") {
		t.Errorf("excerpt %q", ex)
	}
	if got := messageExcerpt(cache.Message{Attachments: []cache.Attachment{{Type: "image", Name: "cat.png"}}}); got != "🖼 cat.png" {
		t.Errorf("attachment excerpt %q", got)
	}
}

// The pinned bar shows the newest pin, cycles to the earlier one on a click (jumping to
// each), and follows an edit of the message it shows.
func TestPinnedBarCyclesAndFollowsEdits(t *testing.T) {
	_, m, db := offlineUI(t)
	ctx := context.Background()
	d, err := db.Dialog(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	first, second := fmt.Sprintf("%024x", 3), fmt.Sprintf("%024x", 15)
	d.PinnedMessageIDs = []string{first, second}
	if err := db.UpsertDialogs(ctx, []cache.Dialog{*d}); err != nil {
		t.Fatal(err)
	}
	onUI(func() { m.selectDialog("d1") })
	bar := func() string {
		var s string
		onUI(func() { s = m.chat.pinned.Text() })
		return s
	}
	waitFor(t, "the newest pin", 5*time.Second, func() bool { return bar() == "Pinned message 2 of 2: message 14" })
	onUI(func() { m.chat.pinned.tapped() })
	waitFor(t, "the earlier pin", 5*time.Second, func() bool { return bar() == "Pinned message 1 of 2: message 2" })
	if _, err := db.UpsertMessages(ctx, []cache.Message{{ID: first, DialogID: "d1", SenderID: 1, RecipientID: 2,
		Body: "message 2, corrected", SentAt: time.Now().Add(-18 * time.Minute), EditedAt: time.Now(), State: cache.StateRead}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edited text on the bar", 5*time.Second, func() bool { return bar() == "Pinned message 1 of 2: message 2, corrected" })
}

// A forwarded copy of one's own message is not editable; a reply and an edit do not
// stack (starting one ends the other).
func TestForwardedNotEditableAndReplyEditExclusive(t *testing.T) {
	fwd := cache.Message{ID: "f", SenderID: 1, Body: "copied", State: cache.StateSent,
		Custom: map[string]any{paramForwardID: "o", paramForwardSender: "2"}}
	d := cache.Dialog{Type: dialogPrivate, OccupantIDs: []int64{1, 2}}
	if availableMessageActions(fwd, d, 1).Edit {
		t.Error("a forwarded message offers Edit")
	}
	_, m, _ := offlineUI(t)
	onUI(func() { m.selectDialog("d1") })
	waitFor(t, "the history", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(m.chat.history.msgs) })
		return n > 2
	})
	onUI(func() {
		msgs := m.chat.history.msgs
		own, other := msgs[len(msgs)-2], msgs[len(msgs)-1]
		if own.SenderID != 1 {
			own, other = other, own
		}
		m.chat.reply.start(other)
		m.chat.startEdit(own)
		if m.chat.reply.active() {
			t.Error("an edit left the reply open")
		}
		m.chat.reply.start(other)
		if m.chat.EditingID() != "" {
			t.Error("a reply left the edit open")
		}
	})
}

// Esc closes a message's menu (the composer has the focus while it is open), and only
// the menu: the open chat stays.
func TestEscapeClosesTheMessageMenu(t *testing.T) {
	u, m, link := openWithLink(t)
	cv := u.Window().Canvas()
	onUI(func() {
		m.chat.showMessageMenu(link.ID, fyne.NewPos(300, 200))
		menu := cv.Overlays().Top()
		if menu == nil || findIn(menu, menuButton("Reply")) == nil {
			t.Fatal("the message menu did not open")
		}
		m.composerKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if menu.Visible() {
			t.Error("Esc left the message menu open")
		}
		if m.chat.dialog.ID != "d1" {
			t.Errorf("Esc closed the chat too (open: %q)", m.chat.dialog.ID)
		}
	})
}

// A reply being written stays with its chat, as its text does: leaving the chat and
// coming back finds both; the other chat shows neither.
func TestReplyStaysWithItsChat(t *testing.T) {
	_, m, link := openWithLink(t)
	onUI(func() {
		m.chat.reply.start(link)
		m.chat.composer.SetText("which part?")
		m.selectDialog("g1")
		if m.chat.reply.active() || m.chat.composer.Text != "" {
			t.Errorf("another chat shows the reply (%v) or its text %q", m.chat.reply.active(), m.chat.composer.Text)
		}
		m.selectDialog("d1")
		if m.chat.reply.to.ID != link.ID || m.chat.composer.Text != "which part?" {
			t.Errorf("back in the chat: replying to %q with %q, want %q with its text", m.chat.reply.to.ID, m.chat.composer.Text, link.ID)
		}
	})
}
