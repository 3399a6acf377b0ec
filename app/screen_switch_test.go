package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// focusRecorder is an entry that counts the times it was told it lost the focus.
type focusRecorder struct {
	widget.Entry
	lost int
}

func newFocusRecorder() *focusRecorder {
	r := &focusRecorder{}
	r.ExtendBaseWidget(r)
	return r
}

func (r *focusRecorder) FocusLost() {
	r.lost++
	r.Entry.FocusLost()
}

// Replacing the screen tells the focused widget it lost the focus (Fyne's SetContent
// does not), so a focused entry's cursor stops fading in and out behind the new
// screen: after signing in, the password field's cursor kept redrawing the window.
func TestShowScreenTakesTheFocusAway(t *testing.T) {
	test.NewTempApp(t)
	password := newFocusRecorder()
	composer := newFocusRecorder()
	u := &UI{win: test.NewTempWindow(t, password)}

	u.win.Canvas().Focus(password)
	u.showScreen(composer) // signing in
	if password.lost != 1 {
		t.Fatalf("the login screen's focused entry was told %d times it lost the focus, want 1", password.lost)
	}
	if f := u.win.Canvas().Focused(); f != nil {
		t.Fatalf("the new screen starts with %T focused, want nothing", f)
	}

	u.win.Canvas().Focus(composer)
	u.showScreen(password) // signing out
	if composer.lost != 1 {
		t.Fatalf("the main screen's focused entry was told %d times it lost the focus, want 1", composer.lost)
	}
}
