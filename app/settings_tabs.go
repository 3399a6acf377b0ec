package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// The device tabs of Settings (appearance, notifications), the block list and About.

// themeLabels are the theme choices as the radio group shows them, in the UI's language.
func themeLabels() []struct{ value, label string } {
	return []struct{ value, label string }{
		{themeSystem, lang.L("Same as the system")}, {themeLight, lang.L("Light")}, {themeDark, lang.L("Dark")},
	}
}

func (s *settingsScreen) appearanceTab() fyne.CanvasObject {
	choices := themeLabels()
	var labels []string
	for _, t := range choices {
		labels = append(labels, t.label)
	}
	themes := widget.NewRadioGroup(labels, nil)
	for i, t := range choices {
		if t.value == s.settings.Theme {
			themes.SetSelected(labels[i])
		}
	}
	themes.OnChanged = func(sel string) {
		for i, t := range choices {
			if labels[i] == sel {
				s.update(func(a *appSettings) { a.Theme = t.value })
			}
		}
	}
	themes.Required = true

	var sizes []string
	for _, t := range textScales {
		sizes = append(sizes, textScaleLabel(t))
	}
	size := widget.NewRadioGroup(sizes, nil)
	size.Horizontal = true
	size.Required = true
	for i, t := range textScales {
		if t == s.settings.TextScale {
			size.SetSelected(sizes[i])
		}
	}
	size.OnChanged = func(sel string) {
		for i, t := range textScales {
			if sizes[i] == sel {
				s.update(func(a *appSettings) { a.TextScale = t })
			}
		}
	}
	return container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Theme"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), themes,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Text size"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), size,
	)
}

func (s *settingsScreen) notificationsTab() fyne.CanvasObject {
	// The callbacks are set after the initial state, so opening Settings saves nothing.
	notify := widget.NewCheck(lang.L("Desktop notifications for new messages"), nil)
	preview := widget.NewCheck(lang.L("Show the message text"), nil)
	sound := widget.NewCheck(lang.L("Play a sound"), nil)
	notify.SetChecked(s.settings.Notify)
	preview.SetChecked(s.settings.Preview)
	sound.SetChecked(s.settings.Sound)
	follow := func(on bool) {
		if on {
			preview.Enable()
			sound.Enable()
		} else {
			preview.Disable()
			sound.Disable()
		}
	}
	follow(s.settings.Notify)
	notify.OnChanged = func(on bool) {
		s.update(func(a *appSettings) { a.Notify = on })
		follow(on)
	}
	preview.OnChanged = func(on bool) { s.update(func(a *appSettings) { a.Preview = on }) }
	sound.OnChanged = func(on bool) { s.update(func(a *appSettings) { a.Sound = on }) }
	hint := widget.NewLabel(lang.L("Muted chats never notify. A chat you are looking at does not either."))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(notify, preview, sound, hint)
}

func (s *settingsScreen) aboutTab() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("cubechat", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	version := widget.NewLabel(lang.L("Version") + " " + s.m.ui.deps.Version)
	about := widget.NewLabel(lang.L("A desktop messenger for the ConnectyCube chat platform."))
	about.Wrapping = fyne.TextWrapWord
	return container.NewVBox(title, version, about)
}

// blockedTab lists the block list (the default privacy list, as cached) with Unblock.
type blockedTab struct {
	s       *settingsScreen
	content fyne.CanvasObject
	rows    *fyne.Container
	empty   *widget.Label
	status  *widget.Label
	shown   []cache.Blocked
}

func newBlockedTab(s *settingsScreen) *blockedTab {
	b := &blockedTab{s: s, rows: container.NewVBox(), status: statusLabel()}
	b.empty = widget.NewLabel(lang.L("You have not blocked anyone."))
	b.empty.Importance = widget.LowImportance
	hint := widget.NewLabel(lang.L("Blocked users cannot send you messages. Block someone from their chat's info panel."))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	b.content = container.NewBorder(nil, container.NewVBox(b.status, hint), nil, nil,
		container.NewVScroll(container.NewVBox(b.empty, b.rows)))
	return b
}

// show lists the blocked users, by name.
func (b *blockedTab) show(list []cache.Blocked, users map[int64]cache.User) {
	b.shown = list
	b.rows.RemoveAll()
	for _, entry := range list {
		name := userName(entry.UserID, users)
		if entry.Mutual {
			name += "  " + lang.L("(both ways)")
		}
		id := entry.UserID
		var unblock *widget.Button
		unblock = widget.NewButton(lang.L("Unblock"), func() { b.unblock(id, unblock) })
		b.rows.Add(container.NewBorder(nil, nil, nil, unblock, widget.NewLabel(name)))
	}
	if len(list) == 0 {
		b.empty.Show()
	} else {
		b.empty.Hide()
	}
	b.rows.Refresh()
}

// unblock takes the user off the server's block list; the cache change redraws the list.
func (b *blockedTab) unblock(userID int64, btn *widget.Button) {
	btn.Disable()
	setStatus(b.status, "", false)
	m := b.s.m
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		err := m.engine.Unblock(ctx, userID)
		runOnUI(func() {
			if err != nil {
				btn.Enable()
				setStatus(b.status, lang.L("Could not unblock")+": "+actionErrorText(err), true)
			}
		})
	})
}
