package app

import (
	"fmt"
	"slices"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// The system tray: the app icon with the total unread count drawn on it, and a menu
// (show the window, the newest unread chats, mark all read, quit). Fyne's desktop
// driver puts it in the tray (StatusNotifierItem on Linux); with no tray host on the
// desktop it is simply not seen.

// trayChatsShown is how many unread chats the tray menu lists.
const trayChatsShown = 5

// trayChat is one unread chat in the tray menu.
type trayChat struct {
	ID, Title string
	Unread    int
}

// tray owns the tray icon and menu. Its fields are the UI goroutine's, except those
// under mu, shared with the goroutine that draws the icons.
type tray struct {
	ui   *UI
	desk desktop.App
	base []byte // the app icon (PNG) the count is drawn on

	menu  *fyne.Menu
	chats []trayChat
	total int // the count the newest icon request shows; -1 before the first

	// The icon is drawn off the UI goroutine, and only for the newest total: a burst
	// of changes draws one icon, not one per change.
	mu      sync.Mutex
	pending int
	wake    chan struct{}
}

// newTray puts cubechat in the system tray; nil when the Fyne app has no tray (the
// test driver, mobile) or the desktop cannot have one (Deps.TrayHost nil: on Linux, no
// D-Bus session, where Fyne's tray would crash on quit, fyne-io/fyne#6403).
func newTray(u *UI) *tray {
	desk, ok := u.fyneApp.(desktop.App)
	if !ok || u.deps.TrayHost == nil {
		return nil
	}
	t := &tray{ui: u, desk: desk, total: -1, wake: make(chan struct{}, 1)}
	if icon := u.fyneApp.Icon(); icon != nil {
		t.base = icon.Content()
	}
	t.setMenu()
	desk.SetSystemTrayWindow(u.win) // a click on the icon shows the window
	u.bg.Go(t.drawIcons)
	t.set(0, nil)
	return t
}

// set shows total on the icon and chats in the menu; it changes only what changed
// (rebuilding a tray menu makes it flicker). Nil-safe: no tray, nothing to do.
func (t *tray) set(total int, chats []trayChat) {
	if t == nil {
		return
	}
	if !slices.Equal(chats, t.chats) {
		t.chats = chats
		t.setMenu()
	}
	if total == t.total {
		return
	}
	t.total = total
	t.mu.Lock()
	t.pending = total
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default: // a wake-up is already waiting; it will read the newest total
	}
}

// drawIcons draws the icon for the newest total each time set asks for one, until the
// UI stops.
func (t *tray) drawIcons() {
	ctx := t.ui.ctx
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		}
		t.mu.Lock()
		n := t.pending
		t.mu.Unlock()
		if t.base == nil {
			continue // no app icon to draw on: Fyne's default stays
		}
		png, err := widgets.BadgedIcon(t.base, widgets.TrayIconSize, n)
		if err != nil {
			t.ui.log.Warn("drawing the tray icon", "err", err)
			continue
		}
		res := fyne.NewStaticResource(fmt.Sprintf("cubechat-tray-%d.png", n), png)
		runOnUI(func() { t.desk.SetSystemTrayIcon(res) })
	}
}

func (t *tray) setMenu() {
	t.menu = trayMenu(t.chats, t.ui.showWindow, t.ui.openChat, t.ui.markAllRead, t.ui.quit)
	t.desk.SetSystemTrayMenu(t.menu)
}

// trayMenu is the tray's menu: show the window; the unread chats (each opens its chat)
// and "mark all as read" when there are any; quit.
func trayMenu(chats []trayChat, show func(), open func(id string), markAll, quit func()) *fyne.Menu {
	items := []*fyne.MenuItem{fyne.NewMenuItem(lang.L("Show cubechat"), show)}
	if len(chats) > 0 {
		items = append(items, fyne.NewMenuItemSeparator())
		for _, c := range chats {
			id := c.ID
			items = append(items, fyne.NewMenuItem(fmt.Sprintf("%s (%s)", c.Title, widgets.BadgeText(c.Unread)), func() { open(id) }))
		}
		items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("Mark all as read"), markAll))
	}
	// Fyne's driver recognises its quit item by this label and keeps our action.
	q := fyne.NewMenuItem(lang.L("Quit"), quit)
	q.IsQuit = true
	items = append(items, fyne.NewMenuItemSeparator(), q)
	return fyne.NewMenu("cubechat", items...)
}

// trayChatsOf picks the newest unread chats for the tray menu (dialogs come newest
// activity first).
func trayChatsOf(dialogs []cache.Dialog, me int64, users map[int64]cache.User) []trayChat {
	var out []trayChat
	for _, d := range dialogs {
		if d.UnreadCount <= 0 {
			continue
		}
		out = append(out, trayChat{ID: d.ID, Title: dialogTitle(d, me, users), Unread: d.UnreadCount})
		if len(out) == trayChatsShown {
			break
		}
	}
	return out
}
