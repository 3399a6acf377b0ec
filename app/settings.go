package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/cache"
)

// The Settings screen (Ctrl+, or the account menu): Profile, Appearance,
// Notifications, Blocked users and About, as tabs of one dialog over the main screen.
// Appearance and notifications are this device's (settings_prefs.go) and apply at
// once; the profile and the block list are the server's, changed through the engine
// and shown from the cache. Esc closes it (mainScreen.escape).

// settingsScreen is the open Settings dialog; its fields belong to the UI goroutine.
type settingsScreen struct {
	m    *mainScreen
	dlg  dialog.Dialog
	tabs *container.AppTabs

	profile  *profileTab
	blocked  *blockedTab
	settings appSettings
}

// showSettings opens Settings (or brings the open one to its first tab).
func (m *mainScreen) showSettings() {
	if m.settings != nil {
		m.settings.tabs.SelectIndex(0)
		return
	}
	s := &settingsScreen{m: m, settings: m.ui.settings()}
	s.profile = newProfileTab(s)
	s.blocked = newBlockedTab(s)
	s.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Profile"), s.profile.content),
		container.NewTabItem(lang.L("Appearance"), s.appearanceTab()),
		container.NewTabItem(lang.L("Notifications"), s.notificationsTab()),
		container.NewTabItem(lang.L("Blocked users"), s.blocked.content),
		container.NewTabItem(lang.L("About"), s.aboutTab()),
	)
	s.tabs.SetTabLocation(container.TabLocationLeading)
	s.dlg = dialog.NewCustom(lang.L("Settings"), lang.L("Close"), s.tabs, m.ui.win)
	s.dlg.SetOnClosed(func() {
		if m.settings == s {
			m.settings = nil
			m.settingsOpen.Store(nil)
		}
	})
	m.settings = s
	m.settingsOpen.Store(s)
	win := m.ui.win.Canvas().Size()
	s.dlg.Resize(fyne.NewSize(min(680, win.Width-40), min(540, win.Height-40)))
	s.dlg.Show()
	m.bg.Go(s.reload)
}

// close hides the dialog (Esc).
func (s *settingsScreen) close() { s.dlg.Hide() }

// reload reads the profile and the block list from the cache, off the UI goroutine.
func (s *settingsScreen) reload() {
	ctx, cancel := context.WithTimeout(s.m.ctx, loadTimeout)
	defer cancel()
	me, err := s.m.engine.MyProfile(ctx)
	if err != nil {
		s.m.log.Warn("settings: reading the profile", "err", err)
	}
	blocked, err := s.m.db.Blocked(ctx)
	if err != nil {
		s.m.log.Warn("settings: reading the block list", "err", err)
	}
	ids := make([]int64, 0, len(blocked))
	for _, b := range blocked {
		ids = append(ids, b.UserID)
	}
	users, err := s.m.db.Users(ctx, ids)
	if err != nil {
		users = map[int64]cache.User{}
	}
	runOnUI(func() {
		s.profile.show(me)
		s.profile.loadAvatar(me.Avatar)
		s.blocked.show(blocked, users)
	})
}

// refreshSettings reloads the open Settings after a cache change (profile, block list).
// It runs on the change pump's goroutine, hence the atomic copy of m.settings.
func (m *mainScreen) refreshSettings() {
	if s := m.settingsOpen.Load(); s != nil {
		s.reload()
	}
}

// update applies a changed device setting at once and keeps it.
func (s *settingsScreen) update(edit func(*appSettings)) {
	edit(&s.settings)
	s.m.ui.applySettings(s.settings)
}
