package app

import (
	"context"

	"fyne.io/fyne/v2"
)

// The window's life on the desktop: shown, hidden to the tray, brought forward from
// outside (tray, notification, a second launch), quit.

// closeWindow answers the window's close button. With a tray to come back from, the
// window hides and cubechat keeps running, receiving and notifying (as Telegram
// Desktop does); without one (no tray host on this desktop) hiding would strand the
// user, so it quits.
func (u *UI) closeWindow() {
	u.saveWindowState()
	if u.tray != nil && u.deps.TrayHost != nil && u.deps.TrayHost() {
		u.hideWindow()
		return
	}
	u.quit()
}

// quit ends cubechat (Ctrl+Q, the tray's Quit): everything stops while Fyne's driver
// still runs (the main screen's stop may touch widgets), then the window closes and the
// driver ends (it would keep running for the tray icon otherwise); OnClosed and
// ShowAndRun's return find the work done.
func (u *UI) quit() {
	u.saveWindowState()
	u.Close()
	u.win.Close()
	u.fyneApp.Quit()
}

func (u *UI) hideWindow() {
	u.hidden = true
	u.win.Hide()
}

// showWindow brings the window forward, from the tray or wherever it is.
func (u *UI) showWindow() {
	u.hidden = false
	u.win.Show()
	u.win.RequestFocus()
}

// BringForward shows the window and raises it (a second start with this profile asks
// for it); safe to call from any goroutine.
func (u *UI) BringForward() { runOnUI(u.showWindow) }

// WindowHidden reports whether the window is hidden in the tray.
func (u *UI) WindowHidden() bool { return u.hidden }

// openChat brings the window forward with the dialog id open (a tray item, a
// notification's click). Before sign-in there is no chat to open: the window shows.
func (u *UI) openChat(id string) {
	u.showWindow()
	if u.main != nil && id != "" {
		u.main.selectDialog(id)
	}
}

// markAllRead marks every unread chat read (the tray's "Mark all as read").
func (u *UI) markAllRead() {
	if u.main != nil {
		u.main.markAllRead()
	}
}

// markAllRead marks every dialog with unread messages read, off the UI goroutine.
func (m *mainScreen) markAllRead() {
	var ids []string
	for _, d := range m.dialogs {
		if d.UnreadCount > 0 {
			ids = append(ids, d.ID)
		}
	}
	m.bg.Go(func() {
		for _, id := range ids {
			ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
			err := m.engine.MarkRead(ctx, id)
			cancel()
			if err != nil && m.ctx.Err() == nil {
				m.log.Warn("marking dialog read", "dialog", id, "err", err)
			}
		}
	})
}

// showNotification shows a desktop notification for a message in dialogID: through
// Deps.Notifier, whose click opens the chat, or Fyne's (no click: Fyne reports none)
// when there is none or it fails.
func (u *UI) showNotification(title, body, dialogID string) {
	if n := u.deps.Notifier; n != nil {
		err := n.Notify(title, body, dialogID)
		if err == nil {
			return
		}
		u.log.Warn("desktop notification failed; using Fyne's", "err", err)
	}
	u.fyneApp.SendNotification(fyne.NewNotification(title, body))
}

// notificationClicked opens the chat of a clicked notification (any goroutine).
func (u *UI) notificationClicked(dialogID string) {
	runOnUI(func() {
		if u.ctx.Err() == nil {
			u.openChat(dialogID)
		}
	})
}
