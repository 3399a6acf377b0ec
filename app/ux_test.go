package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
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
