package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// KeyEntry is a one-line entry whose keys and shortcuts its owner sees first: Esc clears
// a search, Down/Enter pick in a list, and the window's shortcuts keep working while it
// has the focus (Fyne gives a focused entry every shortcut).
type KeyEntry struct {
	widget.Entry

	// OnKey sees each typed key first and returns true when it handled it.
	OnKey func(*fyne.KeyEvent) bool
	// OnShortcut sees each shortcut first and returns true when it handled it.
	OnShortcut func(fyne.Shortcut) bool
}

// NewKeyEntry makes an empty one-line entry.
func NewKeyEntry() *KeyEntry {
	e := &KeyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey offers the key to OnKey, then to the Entry.
func (e *KeyEntry) TypedKey(key *fyne.KeyEvent) {
	if e.OnKey != nil && e.OnKey(key) {
		return
	}
	e.Entry.TypedKey(key)
}

// TypedShortcut offers the shortcut to OnShortcut, then to the Entry (copy, paste…).
func (e *KeyEntry) TypedShortcut(s fyne.Shortcut) {
	if e.OnShortcut != nil && e.OnShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}
