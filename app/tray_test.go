package app

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/assets"
	csync "github.com/cubechat/cubechat/sync"
)

// trayApp is the test driver's app with a system tray. Fyne's test driver has none
// (its app is no desktop.App), and the real tray (a StatusNotifierItem on Linux) is
// not visible without a tray host, so these tests check what the UI hands to Fyne's
// tray API: the menu's items and actions and the icon's pixels, not how a desktop
// draws them.
type trayApp struct {
	fyne.App
	mu      sync.Mutex
	menu    *fyne.Menu
	icon    fyne.Resource
	icons   int // icons set so far
	win     fyne.Window
	appIcon fyne.Resource // the test driver's app keeps no icon
}

func (a *trayApp) SetIcon(r fyne.Resource) { a.appIcon = r }
func (a *trayApp) Icon() fyne.Resource     { return a.appIcon }

func newTrayApp(t *testing.T) *trayApp {
	a := &trayApp{App: test.NewTempApp(t)}
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	return a
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu) { a.mu.Lock(); a.menu = m; a.mu.Unlock() }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) {
	a.mu.Lock()
	a.icon = r
	a.icons++
	a.mu.Unlock()
}
func (a *trayApp) SetSystemTrayWindow(w fyne.Window) { a.mu.Lock(); a.win = w; a.mu.Unlock() }

// labels lists the menu's items, "-" for a separator.
func (a *trayApp) labels() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	if a.menu == nil {
		return nil
	}
	for _, it := range a.menu.Items {
		if it.IsSeparator {
			out = append(out, "-")
		} else {
			out = append(out, it.Label)
		}
	}
	return out
}

func (a *trayApp) item(label string) *fyne.MenuItem {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, it := range a.menu.Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}

func (a *trayApp) iconName() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.icon == nil {
		return ""
	}
	return a.icon.Name()
}

func waitTrayMenu(t *testing.T, a *trayApp, want ...string) {
	t.Helper()
	waitFor(t, "tray menu "+strings.Join(want, " | "), 5*time.Second, func() bool {
		var got []string
		onUI(func() { got = a.labels() })
		return slices.Equal(got, want)
	})
}

func TestTrayShowsTheUnreadCountAndChats(t *testing.T) {
	a := newTrayApp(t)
	u, m, _ := offlineUIOn(t, a, func(d *Deps) { d.TrayHost = func() bool { return false } })
	if a.win != u.Window() {
		t.Error("a click on the tray icon should show the main window")
	}
	// Bob's chat (2 unread, newest) and the group (3 unread), the total 5 on the icon.
	waitTrayMenu(t, a, "Show cubechat", "-", "Bob (2)", "Hiking club (3)", "-", "Mark all as read", "-", "Quit")
	waitFor(t, "the tray icon to show 5", 5*time.Second, func() bool {
		var name string
		onUI(func() { name = a.iconName() })
		return name == "cubechat-tray-5.png"
	})
	onUI(func() {
		img, err := png.Decode(bytes.NewReader(a.icon.Content()))
		if err != nil {
			t.Fatal(err)
		}
		if !hasBadgeRed(img) {
			t.Error("the tray icon with 5 unread has no red pill")
		}
		if q := a.item("Quit"); q == nil || !q.IsQuit {
			t.Error("the Quit item must be the tray's quit item (Fyne adds its own otherwise)")
		}
	})

	// A chat's item brings the window forward with that chat open.
	onUI(func() {
		u.hideWindow()
		a.item("Hiking club (3)").Action()
		if u.WindowHidden() || m.chat.dialog.ID != "g1" {
			t.Errorf("the tray item left the window hidden=%v on chat %q", u.WindowHidden(), m.chat.dialog.ID)
		}
	})
	// Mark all as read clears the chats from the menu and the count from the icon.
	onUI(func() { a.item("Mark all as read").Action() })
	waitTrayMenu(t, a, "Show cubechat", "-", "Quit")
	waitFor(t, "the tray icon to show no count", 5*time.Second, func() bool {
		var name string
		onUI(func() { name = a.iconName() })
		return name == "cubechat-tray-0.png"
	})
}

// hasBadgeRed reports whether img's top-right corner has the badge's red.
func hasBadgeRed(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Min.Y+b.Dy()/3; y++ {
		for x := b.Max.X - b.Dx()/3; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 0xc0 && g>>8 < 0x50 && bl>>8 < 0x50 {
				return true
			}
		}
	}
	return false
}

func TestNoTrayWithoutADesktopThatHasOne(t *testing.T) {
	a := newTrayApp(t)
	u, _, _ := offlineUIOn(t, a, nil) // Deps.TrayHost nil: e.g. Linux with no D-Bus session
	if u.tray != nil || a.labels() != nil {
		t.Error("with no tray possible, none should be set up (Fyne's would crash on quit)")
	}
}

func windowOpen(a fyne.App, w fyne.Window) bool {
	return slices.Contains(a.Driver().AllWindows(), w)
}

func TestClosingHidesToTheTrayAndQuitQuits(t *testing.T) {
	a := newTrayApp(t)
	u, _, _ := offlineUIOn(t, a, func(d *Deps) { d.TrayHost = func() bool { return true } })
	waitTrayMenu(t, a, "Show cubechat", "-", "Bob (2)", "Hiking club (3)", "-", "Mark all as read", "-", "Quit")
	onUI(u.closeWindow) // the window's close button
	if !u.WindowHidden() || u.Engine() == nil || !windowOpen(a, u.Window()) {
		t.Fatalf("with a tray host, closing should hide the window and keep running (hidden %v, engine %v)",
			u.WindowHidden(), u.Engine() != nil)
	}
	onUI(func() { a.item("Show cubechat").Action() })
	if u.WindowHidden() {
		t.Error("Show cubechat left the window hidden")
	}
	// Quitting waits for the screen's goroutines, which may be queueing work for the UI
	// goroutine: like the driver, it runs outside onUI.
	a.item("Quit").Action()
	if u.Engine() != nil || windowOpen(a, u.Window()) {
		t.Error("the tray's Quit should stop the engine and close the window")
	}
}

func TestCtrlQQuitsEvenWithATray(t *testing.T) {
	a := newTrayApp(t)
	u, _, _ := offlineUIOn(t, a, func(d *Deps) { d.TrayHost = func() bool { return true } })
	press(u.Window().Canvas(), combo(fyne.KeyQ, ctrl)) // outside onUI: quitting waits for the UI's goroutines
	if u.Engine() != nil || windowOpen(a, u.Window()) {
		t.Error("Ctrl+Q should quit, not hide to the tray")
	}
}

func TestClosingWithoutATrayHostQuits(t *testing.T) {
	a := newTrayApp(t)
	u, _, _ := offlineUIOn(t, a, func(d *Deps) { d.TrayHost = func() bool { return false } })
	u.closeWindow()
	if u.Engine() != nil || windowOpen(a, u.Window()) {
		t.Error("with no tray host to come back from, closing the window should quit")
	}
}

func TestASecondStartBringsTheHiddenWindowForward(t *testing.T) {
	a := newTrayApp(t)
	u, _, _ := offlineUIOn(t, a, func(d *Deps) { d.TrayHost = func() bool { return true } })
	onUI(u.closeWindow)
	if !u.WindowHidden() {
		t.Fatal("closing with a tray host should hide the window")
	}
	u.BringForward() // what main.go runs when internal/instance hears from a second start
	var hidden bool
	onUI(func() { hidden = u.WindowHidden() })
	if hidden {
		t.Error("BringForward left the window hidden")
	}
}

// fakeNotifier stands for the D-Bus notifier (internal/freedesktop): it records what it
// shows and plays the user's click.
type fakeNotifier struct {
	mu      sync.Mutex
	shown   []string // dialog ids
	onClick func(string)
	fail    bool
}

func (n *fakeNotifier) Notify(title, body, dialogID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return errors.New("no notification server")
	}
	n.shown = append(n.shown, dialogID)
	return nil
}

func (n *fakeNotifier) OnClick(f func(string)) { n.mu.Lock(); n.onClick = f; n.mu.Unlock() }

func (n *fakeNotifier) click(id string) {
	n.mu.Lock()
	f := n.onClick
	n.mu.Unlock()
	f(id)
}

func TestClickingANotificationOpensItsChat(t *testing.T) {
	notifier := &fakeNotifier{}
	a := newTrayApp(t)
	u, m, _ := offlineUIOn(t, a, func(d *Deps) {
		d.Notifier = notifier
		d.TrayHost = func() bool { return true }
	})
	onUI(u.closeWindow) // in the tray
	m.applyEvent(csync.NotifyEvent{DialogID: "g1", MessageID: "m1", Title: "Hiking club", Body: "Carol: tomorrow?"})
	notifier.mu.Lock()
	shown := slices.Clone(notifier.shown)
	notifier.mu.Unlock()
	if !slices.Equal(shown, []string{"g1"}) {
		t.Fatalf("notifier showed %v", shown)
	}
	notifier.click("g1") // from the notifier's goroutine
	onUI(func() {
		if u.WindowHidden() || m.chat.dialog.ID != "g1" {
			t.Errorf("the click left the window hidden=%v on chat %q", u.WindowHidden(), m.chat.dialog.ID)
		}
	})

	// A failing notifier falls back to Fyne's notification.
	notifier.mu.Lock()
	notifier.fail = true
	notifier.mu.Unlock()
	test.AssertNotificationSent(t, fyne.NewNotification("Bob", "hi"), func() {
		m.applyEvent(csync.NotifyEvent{DialogID: "d1", Title: "Bob", Body: "hi"})
	})
}
