package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// ComposerEntry is the multi-line message field: Enter sends, Shift+Enter starts a new line.
//
// Fyne 2.7's multi-line Entry does the opposite (Enter inserts a newline; Shift+Enter calls
// OnSubmitted when it is set), so this entry tracks Shift itself through desktop.Keyable
// and never sets Entry.OnSubmitted: with Shift held, the embedded Entry's own newline
// handling runs; without it, Enter goes to OnSend.
type ComposerEntry struct {
	widget.Entry

	// OnSend gets the text when Enter is pressed on a non-blank composer. The composer does
	// not clear itself: the caller clears it once the message is safely stored, so nothing
	// typed is lost when sending fails.
	OnSend func(text string)

	// OnKey, when set, sees each typed key first (Esc, Up, F1…) and returns true when it
	// handled it; OnShortcut does the same for shortcuts, so the window's shortcuts work
	// while the composer has the focus (Fyne gives a focused entry every shortcut).
	OnKey      func(*fyne.KeyEvent) bool
	OnShortcut func(fyne.Shortcut) bool

	shiftDown bool
}

// NewComposerEntry makes an empty composer with a placeholder.
func NewComposerEntry() *ComposerEntry {
	c := &ComposerEntry{}
	c.MultiLine = true
	c.Wrapping = fyne.TextWrapWord
	c.SetPlaceHolder(lang.L("Write a message…"))
	c.ExtendBaseWidget(c)
	return c
}

// KeyDown records Shift before passing the event on (Entry uses it for selection too).
func (c *ComposerEntry) KeyDown(key *fyne.KeyEvent) {
	if isShift(key.Name) {
		c.shiftDown = true
	}
	c.Entry.KeyDown(key)
}

// KeyUp records Shift's release before passing the event on.
func (c *ComposerEntry) KeyUp(key *fyne.KeyEvent) {
	if isShift(key.Name) {
		c.shiftDown = false
	}
	c.Entry.KeyUp(key)
}

// FocusLost forgets Shift: its release may go to another widget.
func (c *ComposerEntry) FocusLost() {
	c.shiftDown = false
	c.Entry.FocusLost()
}

// TypedKey sends on Enter and leaves every other key, and Shift+Enter, to the Entry.
func (c *ComposerEntry) TypedKey(key *fyne.KeyEvent) {
	if c.OnKey != nil && c.OnKey(key) {
		return
	}
	if (key.Name == fyne.KeyReturn || key.Name == fyne.KeyEnter) && !c.shiftDown && !c.Disabled() {
		c.Send()
		return
	}
	c.Entry.TypedKey(key)
}

// TypedShortcut offers the shortcut to OnShortcut, then to the Entry (copy, paste…).
func (c *ComposerEntry) TypedShortcut(s fyne.Shortcut) {
	if c.OnShortcut != nil && c.OnShortcut(s) {
		return
	}
	c.Entry.TypedShortcut(s)
}

// Send hands the text to OnSend, as Enter or a Send button does; blank text is ignored.
func (c *ComposerEntry) Send() {
	if strings.TrimSpace(c.Text) == "" || c.OnSend == nil {
		return
	}
	c.OnSend(c.Text)
}

func isShift(name fyne.KeyName) bool {
	return name == desktop.KeyShiftLeft || name == desktop.KeyShiftRight
}
