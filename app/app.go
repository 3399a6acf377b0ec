// Package app is cubechat's Fyne user interface: the login screen, then the main screen
// with the dialogs list (search, new chat, account menu, notices) and the open chat
// (header with presence and the info panel, history with message actions, reactions and
// attachments, typing line, composer with edit mode and file sending). It reads only the
// cache (plus the engine's status and event feeds) and acts only by calling the engine;
// it holds no protocol code.
//
// Entry point, for main.go (which creates the Fyne app with fyne.io/fyne/v2/app, so this
// package can be tested with Fyne's test driver and no display):
//
//	ui, err := app.New(fyneApp, app.Deps{
//		Cache:     db,                                                    // the open cache
//		NewEngine: func(p sync.Profile) *sync.Engine { return sync.New(db, p, logger) },
//		Tokens:    keyring.System{},                                      // where session tokens live
//		Demo:      &app.DemoLogin{Profile: p, Login: "alice", Password: "…"}, // optional
//		Logger:    logger,
//	})
//	ui.ShowAndRun() // blocks until the window closes, then stops the engine
//
// or simply app.Run(fyneApp, deps). The login screen remembers the last server profile
// and login (in the app's Preferences; never the password). With Demo set it is filled
// from the demo account and signs in at once.
//
// Remembered sign-in: the token store arrives as Deps.Tokens (a sync.TokenStore, so this
// package needs no keyring import; main.go passes keyring.System{}, or a keyring.Memory
// in demo mode) and the UI hands it to every engine it builds (UseTokenStore). At start,
// without Demo, when the cache holds an account and the Preferences remember its
// profile, the UI resumes the saved session (engine.Resume) instead of asking for the
// password; a session that has ended shows the login screen, pre-filled. A session that
// ends while the app runs (Status.NeedsSignIn) is renewed in a password dialog over the
// main screen, on the same engine. The password is never stored, and the login form's
// password field is cleared as soon as a sign-in succeeds.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// runOnUI hands a function to the UI goroutine; every widget change made from a
// background goroutine goes through it. Tests swap it for a serialising version, because
// Fyne's test driver runs fyne.Do inline on the caller's goroutine.
var runOnUI = fyne.Do

// Deps is what the UI needs from main.go.
type Deps struct {
	Cache *cache.DB
	// NewEngine builds an engine for a server profile; called once per sign-in attempt.
	NewEngine func(csync.Profile) *csync.Engine
	// Tokens keeps session tokens between runs (remembered sign-in); nil = each start
	// asks for the password.
	Tokens csync.TokenStore
	// Demo, when set, pre-fills the login screen and signs in automatically.
	Demo   *DemoLogin
	Logger *slog.Logger // nil = discard
	// Version is the app's version, shown in the account menu's About.
	Version string
	// ScreenSize is the screen's size in pixels, to size the first window to fit it;
	// nil or zero = unknown (the window opens at its preferred size). Called once, on
	// the goroutine that calls New, after the window exists.
	ScreenSize func() fyne.Size
	// TrayHost reports whether the desktop shows tray icons now (on Linux, whether a
	// StatusNotifierItem host is registered); closing the window hides it to the tray
	// only then. Nil = no system tray at all (none is set up; closing quits).
	TrayHost func() bool
	// ProfileDir is the profile's directory, where the window's size, position and
	// split are remembered (window_state.go); "" = nothing remembered.
	ProfileDir string
	// Placer reads and moves the window on the desktop; nil = size and split only.
	Placer WindowPlacer
	// Notifier shows desktop notifications that open their chat when clicked (on Linux,
	// main.go's D-Bus notifier); nil = Fyne's notifications, which report no click.
	Notifier Notifier
}

// Notifier shows a desktop notification for a chat and reports clicks on them.
type Notifier interface {
	Notify(title, body, dialogID string) error
	// OnClick sets what a click runs (on any goroutine), with the dialog's id.
	OnClick(func(dialogID string))
}

// DemoLogin is a ready-made account, e.g. on the embedded demo server.
type DemoLogin struct {
	Profile  csync.Profile
	Login    string
	Password string
}

// UI is the application window and its screens.
type UI struct {
	fyneApp fyne.App
	win     fyne.Window
	deps    Deps
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	bg     *csync.Workers // sign-in, resume and sign-out work, outside any screen
	closed sync.Once

	login  *loginScreen
	main   *mainScreen // nil until signed in
	tray   *tray       // nil when the app has no system tray (tray.go)
	hidden bool        // the window is hidden in the tray (shell.go)

	saved       windowState   // the window's state as last saved or restored (window_state.go)
	windowMoved chan struct{} // wakes saveWindowStateLater

	// openURL opens a file or link with the system's program (the Fyne app's; tests
	// replace it to play a desktop without one).
	openURL func(*url.URL) error
	// playSound plays the new-message sound (messageSound; tests count the calls).
	playSound func(context.Context) error

	mu     sync.Mutex // guards engine, which Close may read from another goroutine
	engine *csync.Engine
}

// New builds the window and shows the login screen (signing in at once with Demo).
func New(fyneApp fyne.App, deps Deps) (*UI, error) {
	if fyneApp == nil {
		return nil, errors.New("app: no Fyne app")
	}
	if deps.Cache == nil || deps.NewEngine == nil {
		return nil, errors.New("app: Deps.Cache and Deps.NewEngine are required")
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	u := &UI{fyneApp: fyneApp, deps: deps, log: logger.With("component", "ui"), openURL: fyneApp.OpenURL, playSound: messageSound}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.bg = csync.NewWorkers(u.ctx)
	// Fyne's greys for secondary text (times, presence, sizes) are too faint to read;
	// the saved appearance settings (settings_prefs.go) apply from the start.
	fyneApp.Settings().SetTheme(appTheme(loadSettings(fyneApp.Preferences())))
	u.win = fyneApp.NewWindow("cubechat")
	var screen fyne.Size
	if deps.ScreenSize != nil {
		screen = deps.ScreenSize()
	}
	if saved, ok := u.loadWindowState(); ok {
		u.saved = saved
		u.win.Resize(restoredSize(fyne.NewSize(saved.Width, saved.Height), screen, u.win.Canvas().Scale()))
	} else {
		u.win.Resize(windowSize(screen, u.win.Canvas().Scale()))
	}
	u.windowMoved = make(chan struct{}, 1)
	u.bg.Go(u.saveWindowStateLater)
	u.win.SetCloseIntercept(u.closeWindow)
	u.win.SetOnClosed(u.Close)
	u.watchFocus()
	u.tray = newTray(u)
	if deps.Notifier != nil {
		deps.Notifier.OnClick(u.notificationClicked)
	}

	u.login = newLoginScreen(u)
	u.showScreen(u.login.content)
	if deps.Demo != nil {
		u.login.signIn()
	} else if f, ok := u.savedSession(); ok {
		u.resume(f, nil)
	}
	return u, nil
}

// Run builds the UI, shows it and blocks until the window is closed.
func Run(fyneApp fyne.App, deps Deps) error {
	u, err := New(fyneApp, deps)
	if err != nil {
		return err
	}
	u.ShowAndRun()
	return nil
}

// Window is the main window (tests drive it through Fyne's test driver).
func (u *UI) Window() fyne.Window { return u.win }

// ShowAndRun shows the window and runs the Fyne event loop until it closes.
func (u *UI) ShowAndRun() {
	u.win.Show()
	u.placeWindow() // a window has a position only once shown
	u.fyneApp.Run()
	u.Close()
}

// Engine returns the signed-in engine (nil before sign-in).
func (u *UI) Engine() *csync.Engine {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.engine
}

// Close stops the main screen, the engine and the UI's background work, and returns
// once every goroutine they started has finished, so the caller may close the cache.
// It calls no window API (it may run after Fyne's driver has stopped). Only the first
// call does anything.
func (u *UI) Close() {
	u.closed.Do(func() {
		u.cancel()
		if u.main != nil {
			u.main.stop()
			u.main.wait()
			u.main = nil
		}
		u.mu.Lock()
		e := u.engine
		u.engine = nil
		u.mu.Unlock()
		if e != nil {
			e.Stop()
		}
		u.bg.Stop()
	})
}

// watchFocus reports window focus to the engine, which turns it into markActive /
// markInactive. On desktop Fyne fires the app's foreground callbacks when its window
// gains or loses focus.
func (u *UI) watchFocus() {
	lc := u.fyneApp.Lifecycle()
	lc.SetOnEnteredForeground(func() { u.setFocused(true) })
	lc.SetOnExitedForeground(func() { u.setFocused(false) })
}

func (u *UI) setFocused(focused bool) {
	if e := u.Engine(); e != nil {
		e.SetFocused(focused)
	}
}

// newEngine builds an engine for profile that keeps its session token in the token store.
func (u *UI) newEngine(p csync.Profile) *csync.Engine {
	e := u.deps.NewEngine(p)
	if u.deps.Tokens != nil {
		e.UseTokenStore(u.deps.Tokens)
	}
	return e
}

// signedIn switches to the main screen with a logged-in engine and starts it.
func (u *UI) signedIn(e *csync.Engine, offline bool) {
	if u.ctx.Err() != nil {
		e.Stop() // the window closed while signing in
		return
	}
	u.mu.Lock()
	u.engine = e
	u.mu.Unlock()
	e.Start(u.ctx)
	u.main = newMainScreen(u, e)
	u.showScreen(u.main.content)
	if offline {
		u.main.chat.setBanner(lang.L("Cannot reach the server — showing cached messages"), widgets.BannerWarning)
	}
	u.main.start()
}
