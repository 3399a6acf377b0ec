package app

import "fyne.io/fyne/v2"

// showScreen replaces the window's content with a screen (login, main), taking the
// keyboard focus away first. Fyne's SetContent gives the new content a new focus
// manager and never tells the old focused widget it lost the focus: the login
// screen's password entry kept its cursor fading in and out behind the main screen,
// redrawing the whole window, until Fyne dropped the entry's renderer from its cache
// (a minute; app/fynecache makes it 15 s). With a chat open after signing in, the
// window drew at 14–15% of a core for that minute instead of 9% (docs/benchmarks.md,
// "Issue 10, memory in the real window, round 4"); signing out left the composer's
// cursor running the same way.
func (u *UI) showScreen(content fyne.CanvasObject) {
	u.win.Canvas().Unfocus()
	u.win.SetContent(content)
}
