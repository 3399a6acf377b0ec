package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// press delivers a shortcut as the desktop driver does: to the focused widget when it
// takes shortcuts, else to the window's canvas.
func press(c fyne.Canvas, s fyne.Shortcut) {
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	c.(fyne.Shortcutable).TypedShortcut(s)
}

// typeKey delivers a typed key as the desktop driver does.
func typeKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

var ctrl = fyne.KeyModifierShortcutDefault

func TestSearchShortcutsAndEsc(t *testing.T) {
	u, m, _ := offlineUI(t)
	cv := u.Window().Canvas()
	// Ctrl+F from the composer (which has the focus in an open chat) goes to the search.
	onUI(func() { m.selectDialog("g1") })
	onUI(func() {
		if cv.Focused() != m.chat.composer {
			t.Error("opening a chat does not focus the composer")
		}
		press(cv, combo(fyne.KeyF, ctrl))
		if cv.Focused() != m.search.entry {
			t.Fatalf("Ctrl+F focused %T", cv.Focused())
		}
		test.Type(m.search.entry, "bob")
	})
	// Enter opens the first match.
	waitFor(t, "the chat result", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = len(m.search.items) })
		return n > 0
	})
	onUI(func() {
		typeKey(cv, fyne.KeyReturn)
		if m.chat.dialog.ID != "d1" {
			t.Errorf("Enter in the search opened %q", m.chat.dialog.ID)
		}
		// Esc clears the search, then leaves the box.
		cv.Focus(m.search.entry)
		typeKey(cv, fyne.KeyEscape)
		if m.search.entry.Text != "" || !m.list.Visible() {
			t.Errorf("Esc left the search %q", m.search.entry.Text)
		}
		typeKey(cv, fyne.KeyEscape)
		if cv.Focused() != nil {
			t.Error("a second Esc leaves the search box")
		}
	})
}

func TestSwitchChatsByKeyboard(t *testing.T) {
	u, m, _ := offlineUI(t)
	cv := u.Window().Canvas()
	var order []string
	onUI(func() {
		for _, d := range m.shown {
			order = append(order, d.ID)
		}
		m.selectDialog(order[0])
	})
	for _, c := range []struct {
		s    fyne.Shortcut
		want string
	}{
		{combo(fyne.KeyDown, fyne.KeyModifierAlt), order[1]},
		{combo(fyne.KeyDown, fyne.KeyModifierAlt), order[1]}, // the last chat stays
		{combo(fyne.KeyUp, fyne.KeyModifierAlt), order[0]},
		{combo(fyne.KeyTab, fyne.KeyModifierControl), order[1]},
		{combo(fyne.KeyTab, fyne.KeyModifierControl|fyne.KeyModifierShift), order[0]},
	} {
		onUI(func() {
			press(cv, c.s)
			if got := m.chat.dialog.ID; got != c.want {
				t.Errorf("%s opened %q, want %q", c.s.ShortcutName(), got, c.want)
			}
		})
	}
}

func TestQuickSwitcher(t *testing.T) {
	u, m, _ := offlineUI(t)
	cv := u.Window().Canvas()
	onUI(func() {
		press(cv, combo(fyne.KeyK, ctrl))
		e, ok := cv.Focused().(interface{ fyne.Focusable })
		if !ok || cv.Overlays().Top() == nil {
			t.Fatal("Ctrl+K shows no switcher")
		}
		test.Type(e, "hik")
		typeKey(cv, fyne.KeyReturn)
		if m.chat.dialog.ID != "g1" {
			t.Errorf("Enter opened %q, want the Hiking club", m.chat.dialog.ID)
		}
		if cv.Overlays().Top() != nil {
			t.Error("the switcher stays open after picking")
		}
		// Esc closes it without opening anything; no match says so.
		press(cv, combo(fyne.KeyK, ctrl))
		test.Type(cv.Focused(), "zzz")
		if findIn(cv.Overlays().Top(), func(o fyne.CanvasObject) bool {
			l, ok := o.(*widget.Label)
			return ok && l.Visible() && strings.HasPrefix(l.Text, "No chat matches")
		}) == nil {
			t.Error("no word when nothing matches")
		}
		typeKey(cv, fyne.KeyReturn) // nothing to open: stays open
		if cv.Overlays().Top() == nil {
			t.Error("Enter with no match closed the switcher")
		}
		typeKey(cv, fyne.KeyEscape)
		if cv.Overlays().Top() != nil || m.chat.dialog.ID != "g1" {
			t.Error("Esc must close the switcher and open nothing")
		}
	})
}

func TestUpEditsTheLastOwnMessageAndEscCancels(t *testing.T) {
	u, m, _ := offlineUI(t)
	cv := u.Window().Canvas()
	onUI(func() { m.selectDialog("d1") })
	var last cache.Message
	waitFor(t, "the history", 5*time.Second, func() bool {
		var ok bool
		onUI(func() {
			msgs := m.chat.history.msgs
			for i := len(msgs) - 1; i >= 0; i-- {
				if msgs[i].SenderID == 1 {
					last, ok = msgs[i], true
					break
				}
			}
		})
		return ok
	})
	onUI(func() {
		cv.Focus(m.chat.composer)
		typeKey(cv, fyne.KeyUp)
		if m.chat.EditingID() != last.ID || m.chat.composer.Text != last.Body {
			t.Fatalf("Up edits %q (%q), want %q", m.chat.EditingID(), m.chat.composer.Text, last.ID)
		}
		typeKey(cv, fyne.KeyEscape)
		if m.chat.EditingID() != "" || m.chat.composer.Text != "" {
			t.Error("Esc cancels the edit and restores the empty draft")
		}
		// Up with text in the composer moves the cursor, it edits nothing.
		test.Type(m.chat.composer, "draft")
		typeKey(cv, fyne.KeyUp)
		if m.chat.EditingID() != "" {
			t.Error("Up with a draft started an edit")
		}
	})
}

func TestShortcutSheetAndQuit(t *testing.T) {
	u, m, _ := offlineUI(t)
	cv := u.Window().Canvas()
	sheet := func() string {
		var texts []string
		findIn(cv.Overlays().Top(), func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
			return false
		})
		return strings.Join(texts, "\n")
	}
	onUI(func() {
		cv.Unfocus()
		typeKey(cv, fyne.KeyF1)
		got := sheet()
		for _, want := range []string{"Ctrl+K", "Quick switcher", "Esc", "Edit your last message", "Ctrl+Q"} {
			if !strings.Contains(got, want) {
				t.Errorf("the sheet lacks %q", want)
			}
		}
		// Esc closes the sheet.
		typeKey(cv, fyne.KeyEscape)
		if cv.Overlays().Top() != nil || m.sheet != nil {
			t.Fatal("Esc leaves the sheet open")
		}
		// Esc closes the info panel too.
		m.showDialogInfo("g1")
		cv.Unfocus()
		typeKey(cv, fyne.KeyEscape)
		if cv.Overlays().Top() != nil || m.info != nil {
			t.Fatal("Esc leaves the info panel open")
		}
		cv.Focus(m.chat.composer)
		press(cv, combo(fyne.KeySlash, ctrl))
		if !strings.Contains(sheet(), "Ctrl+F") {
			t.Error("Ctrl+/ shows no sheet")
		}
	})
	// Quitting waits for the screen's goroutines, which may be waiting for the UI lock:
	// press outside it, as the real UI goroutine is never held by a test.
	press(cv, combo(fyne.KeyQ, ctrl))
	if u.ctx.Err() == nil {
		t.Error("Ctrl+Q did not quit")
	}
}
