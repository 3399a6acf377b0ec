package app

import (
	"context"
	"image/color"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	csync "github.com/cubechat/cubechat/sync"
)

// openSettings opens Settings with Ctrl+, and selects the tab titled tab.
func openSettings(t *testing.T, u *UI, m *mainScreen, tab string) *settingsScreen {
	t.Helper()
	var s *settingsScreen
	onUI(func() {
		press(u.Window().Canvas(), combo(fyne.KeyComma, ctrl))
		s = m.settings
		if s == nil {
			t.Fatal("Ctrl+, did not open Settings")
		}
		if findIn(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool { return o == s.tabs }) == nil {
			t.Fatal("Settings is not on screen")
		}
		for _, item := range s.tabs.Items {
			if item.Text == tab {
				s.tabs.Select(item)
				return
			}
		}
		t.Fatalf("no %q tab", tab)
	})
	return s
}

// radio picks option in the first radio group of the tab that offers it.
func radio(t *testing.T, tab fyne.CanvasObject, option string) {
	t.Helper()
	g, ok := findIn(tab, func(o fyne.CanvasObject) bool {
		r, ok := o.(*widget.RadioGroup)
		if !ok {
			return false
		}
		for _, opt := range r.Options {
			if opt == option {
				return true
			}
		}
		return false
	}).(*widget.RadioGroup)
	if !ok {
		t.Fatalf("no radio option %q", option)
	}
	g.SetSelected(option)
}

func tabContent(s *settingsScreen, title string) fyne.CanvasObject {
	for _, item := range s.tabs.Items {
		if item.Text == title {
			return item.Content
		}
	}
	return nil
}

func TestSettingsThemeAndTextSizeApplyAtOnceAndPersist(t *testing.T) {
	u, m, _ := offlineUI(t)
	s := openSettings(t, u, m, "Appearance")
	th := func() fyne.Theme { return u.fyneApp.Settings().Theme() }
	base := theme.DefaultTheme()
	same := func(a, b color.Color) bool {
		r1, g1, b1, a1 := a.RGBA()
		r2, g2, b2, a2 := b.RGBA()
		return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
	}
	onUI(func() {
		radio(t, tabContent(s, "Appearance"), "Dark")
		// Whatever the system's variant, the window draws dark now.
		if got := th().Color(theme.ColorNameBackground, theme.VariantLight); !same(got, base.Color(theme.ColorNameBackground, theme.VariantDark)) {
			t.Errorf("Dark: the background is %v", got)
		}
		radio(t, tabContent(s, "Appearance"), "Light")
		if got := th().Color(theme.ColorNameBackground, theme.VariantDark); !same(got, base.Color(theme.ColorNameBackground, theme.VariantLight)) {
			t.Errorf("Light: the background is %v", got)
		}
		normal := th().Size(theme.SizeNameText)
		radio(t, tabContent(s, "Appearance"), "Large")
		if got := th().Size(theme.SizeNameText); got <= normal || got != normal*1.15 {
			t.Errorf("Large text: %v, normal %v", got, normal)
		}
		if got := th().Size(theme.SizeNamePadding); got != base.Size(theme.SizeNamePadding) {
			t.Errorf("the padding scaled too: %v", got)
		}
		// The secondary text stays readable in the chosen variant.
		if c := th().Color(theme.ColorNamePlaceHolder, theme.VariantDark); same(c, base.Color(theme.ColorNamePlaceHolder, theme.VariantLight)) {
			t.Error("the readable theme's secondary colour is gone")
		}
	})
	// Kept for the next start: a new UI on the same app starts with them.
	got := loadSettings(u.fyneApp.Preferences())
	if got.Theme != themeLight || got.TextScale != 1.15 {
		t.Fatalf("saved settings: %+v", got)
	}
	if th().Size(theme.SizeNameText) != appTheme(got).Size(theme.SizeNameText) {
		t.Fatal("the theme in use is not the saved one")
	}
	// Esc (nothing focused) closes Settings.
	onUI(func() {
		u.Window().Canvas().Unfocus()
		typeKey(u.Window().Canvas(), fyne.KeyEscape)
		if m.settings != nil {
			t.Fatal("Esc did not close Settings")
		}
	})
}

func TestSettingsEscFromAFieldAndNotifications(t *testing.T) {
	u, m, _ := offlineUI(t)
	s := openSettings(t, u, m, "Profile")
	onUI(func() {
		u.Window().Canvas().Focus(s.profile.name)
		typeKey(u.Window().Canvas(), fyne.KeyEscape)
		if m.settings != nil {
			t.Fatal("Esc in the name field did not close Settings")
		}
	})
	sounds := 0
	onUI(func() {
		u.playSound = func(context.Context) error { runOnUI(func() { sounds++ }); return nil }
	})
	ev := csync.NotifyEvent{DialogID: "d1", Title: "Bob", Body: "see you at 8"}
	test.AssertNotificationSent(t, fyne.NewNotification("Bob", "see you at 8"), func() { m.notify(ev) })

	s = openSettings(t, u, m, "Notifications")
	check := func(label string) *widget.Check {
		c, ok := findIn(tabContent(s, "Notifications"), func(o fyne.CanvasObject) bool {
			c, ok := o.(*widget.Check)
			return ok && c.Text == label
		}).(*widget.Check)
		if !ok {
			t.Fatalf("no %q switch", label)
		}
		return c
	}
	onUI(func() { check("Show the message text").SetChecked(false) })
	test.AssertNotificationSent(t, fyne.NewNotification("Bob", "New message"), func() { m.notify(ev) })
	onUI(func() { check("Play a sound").SetChecked(false) })
	onUI(func() { check("Desktop notifications for new messages").SetChecked(false) })
	test.AssertNotificationSent(t, nil, func() { m.notify(ev) })
	waitFor(t, "the two sounds played before sound was turned off", 5*time.Second, func() bool {
		var n int
		onUI(func() { n = sounds })
		return n == 2
	})
	onUI(func() {
		if !check("Play a sound").Disabled() {
			t.Error("the sound switch stays active with notifications off")
		}
	})
	if p := loadSettings(u.fyneApp.Preferences()); p.Notify || p.Preview || p.Sound {
		t.Fatalf("saved: %+v", p)
	}
}

func TestSettingsProfileNameAvatarAndPassword(t *testing.T) {
	x := startE2E(t)
	var m *mainScreen
	onUI(func() { m = x.u.main })
	s := openSettings(t, x.u, m, "Profile")
	p := s.profile
	waitFor(t, "the profile header", 10*time.Second, func() bool {
		var name string
		onUI(func() { name = p.headName.Text })
		return name == "Alice"
	})

	// The name: to the server, the cache, the header and the account menu's names.
	avatar := filepath.Join(t.TempDir(), "me.png")
	writePNG(t, avatar, 40, 40)
	onUI(func() {
		p.name.SetText("")
		test.Type(p.name, "Alice Liddell")
		p.pickAvatar(avatar)
		if !p.picture.Visible() || p.initials.Visible() {
			t.Error("the picked picture is not previewed")
		}
		test.Tap(p.saveProfile)
	})
	waitFor(t, "the server to have the new name and avatar", 20*time.Second, func() bool {
		u, err := x.srv.Store().UserByID(x.ctx, x.aliceID)
		return err == nil && u.FullName == "Alice Liddell" && u.Avatar != ""
	})
	waitFor(t, "the header and the screen to show the new name", 10*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = p.headName.Text == "Alice Liddell" && m.users[x.aliceID].FullName == "Alice Liddell" })
		return ok
	})
	// Opened again, Settings shows the saved avatar, read back from the server.
	onUI(func() { s.close() })
	s = openSettings(t, x.u, m, "Profile")
	p = s.profile
	waitFor(t, "the saved avatar", 20*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = p.picture.Visible() && p.picture.Image != nil && p.picture.Image.Bounds().Dx() == 40 })
		return ok
	})

	// A wrong current password shows an error; the right one changes it.
	onUI(func() {
		test.Type(p.oldPassword, "not-it")
		test.Type(p.newPassword, "brand-new-pass")
		test.Type(p.confirm, "brand-new-pass")
		test.Tap(p.changePassword)
	})
	waitFor(t, "the wrong-password error", 20*time.Second, func() bool {
		var text string
		onUI(func() { text = p.passwordStatus.Text })
		return text == "The current password is wrong."
	})
	onUI(func() {
		p.oldPassword.SetText("")
		test.Type(p.oldPassword, "alice-pass")
		p.confirm.SetText("brand-new-typo")
		test.Tap(p.changePassword)
		if p.passwordStatus.Text != "The new passwords do not match." {
			t.Errorf("mismatch: %q", p.passwordStatus.Text)
		}
		p.confirm.SetText("brand-new-pass")
		test.Tap(p.changePassword)
	})
	waitFor(t, "the password change", 20*time.Second, func() bool {
		var text string
		onUI(func() { text = p.passwordStatus.Text })
		return strings.HasPrefix(text, "Password changed.")
	})
	if _, err := x.srv.Store().Authenticate(x.ctx, "alice", "", "brand-new-pass"); err != nil {
		t.Fatalf("the server does not take the new password: %v", err)
	}
	if _, err := x.srv.Store().Authenticate(x.ctx, "alice", "", "alice-pass"); err == nil {
		t.Fatal("the server still takes the old password")
	}
}

func TestSettingsUnblockAndOnlineCount(t *testing.T) {
	x := startE2E(t)
	var m *mainScreen
	onUI(func() { m = x.u.main })
	if err := x.engine.Block(x.ctx, x.bobID, false); err != nil {
		t.Fatal(err)
	}
	s := openSettings(t, x.u, m, "Blocked users")
	unblock := func() *widget.Button {
		b, _ := findIn(s.blocked.rows, func(o fyne.CanvasObject) bool {
			b, ok := o.(*widget.Button)
			return ok && b.Text == "Unblock"
		}).(*widget.Button)
		return b
	}
	waitFor(t, "Bob in the block list", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			ok = unblock() != nil && findIn(s.blocked.rows, func(o fyne.CanvasObject) bool {
				l, ok := o.(*widget.Label)
				return ok && l.Text == "Bob"
			}) != nil
		})
		return ok
	})
	onUI(func() { test.Tap(unblock()) })
	waitFor(t, "the list to empty", 20*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = unblock() == nil && s.blocked.empty.Visible() })
		return ok
	})
	lists, def, err := x.srv.Store().PrivacyLists(x.ctx, x.aliceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range lists[def] {
		if item.Action == "deny" && strings.HasPrefix(item.Value, strconv.FormatInt(x.bobID, 10)+"-") {
			t.Fatalf("the server still blocks Bob: %+v", lists)
		}
	}

	// The new-chat picker says how many users are online (Alice and Bob).
	onUI(func() {
		m.settings.close()
		m.showNewPrivateChat()
	})
	waitFor(t, "the online count", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			ok = findIn(x.u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
				l, ok := o.(*widget.Label)
				return ok && l.Visible() && l.Text == "2 online"
			}) != nil
		})
		return ok
	})
}

// The account menu has a Settings entry that opens Settings.
func TestAccountMenuOpensSettings(t *testing.T) {
	u, m, _ := offlineUI(t)
	onUI(func() {
		m.showAccountMenu()
		pop, ok := findIn(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
			_, ok := o.(*widget.PopUpMenu)
			return ok
		}).(*widget.PopUpMenu)
		if !ok {
			t.Fatal("no account menu on screen")
		}
		menu := pop.Menu
		for _, item := range menu.Items {
			field := reflect.ValueOf(item).Elem().FieldByName("Item") // a separator has none
			if !field.IsValid() {
				continue
			}
			if mi, ok := field.Interface().(*fyne.MenuItem); ok && mi != nil && mi.Label == "Settings…" {
				test.Tap(item.(fyne.Tappable))
				break
			}
		}
		if m.settings == nil {
			t.Fatal("the account menu has no working Settings entry")
		}
	})
}
