package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/cubechat/cubechat/widgets"
)

// The settings this device keeps (Fyne preferences, per app): appearance and
// notifications. They apply the moment they change; New applies them at start.

// Theme choices.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

// Text sizes offered, as a factor of the theme's text sizes.
var textScales = []float32{0.9, 1, 1.15, 1.3}

// textScaleLabel names a text scale in the UI's language.
func textScaleLabel(scale float32) string {
	switch {
	case scale < 1:
		return lang.L("Small")
	case scale == 1:
		return lang.L("Normal")
	case scale < 1.2:
		return lang.L("Large")
	}
	return lang.L("Larger")
}

// Preference keys.
const (
	prefTheme         = "settings.theme"
	prefTextScale     = "settings.textScale"
	prefNotify        = "settings.notifications"
	prefNotifyPreview = "settings.notificationPreview"
	prefNotifySound   = "settings.notificationSound"
)

// appSettings is what the Settings screen edits.
type appSettings struct {
	Theme     string  // themeSystem, themeLight or themeDark
	TextScale float32 // one of textScales
	Notify    bool    // desktop notifications for new messages
	Preview   bool    // show the message text in them
	Sound     bool    // play a sound with them
}

// loadSettings reads the settings, with defaults for what was never set.
func loadSettings(p fyne.Preferences) appSettings {
	s := appSettings{
		Theme:     p.StringWithFallback(prefTheme, themeSystem),
		TextScale: float32(p.FloatWithFallback(prefTextScale, 1)),
		Notify:    p.BoolWithFallback(prefNotify, true),
		Preview:   p.BoolWithFallback(prefNotifyPreview, true),
		Sound:     p.BoolWithFallback(prefNotifySound, true),
	}
	switch s.Theme {
	case themeSystem, themeLight, themeDark:
	default:
		s.Theme = themeSystem
	}
	if s.TextScale < 0.5 || s.TextScale > 2 {
		s.TextScale = 1
	}
	return s
}

// save writes every setting.
func (s appSettings) save(p fyne.Preferences) {
	p.SetString(prefTheme, s.Theme)
	p.SetFloat(prefTextScale, float64(s.TextScale))
	p.SetBool(prefNotify, s.Notify)
	p.SetBool(prefNotifyPreview, s.Preview)
	p.SetBool(prefNotifySound, s.Sound)
}

// settings is the current settings (the UI goroutine's copy).
func (u *UI) settings() appSettings {
	return loadSettings(u.fyneApp.Preferences())
}

// applySettings stores s and applies it at once: the theme is replaced, which redraws
// the window with the new colours and sizes.
func (u *UI) applySettings(s appSettings) {
	s.save(u.fyneApp.Preferences())
	u.fyneApp.Settings().SetTheme(appTheme(s))
}

// appTheme is Fyne's default theme with secondary text kept readable
// (widgets.ReadableTheme), the chosen variant forced (unless "system") and the text
// sizes scaled.
func appTheme(s appSettings) fyne.Theme {
	t := settingsTheme{Theme: widgets.ReadableTheme(theme.DefaultTheme()), scale: s.TextScale}
	switch s.Theme {
	case themeLight:
		t.variant, t.forced = theme.VariantLight, true
	case themeDark:
		t.variant, t.forced = theme.VariantDark, true
	}
	return t
}

// settingsTheme overrides the variant and scales text sizes of the theme it wraps.
type settingsTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
	forced  bool
	scale   float32
}

func (t settingsTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	return t.Theme.Color(name, v)
}

func (t settingsTheme) Size(name fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(name)
	switch name {
	case theme.SizeNameText, theme.SizeNameCaptionText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameInlineIcon:
		return s * t.scale
	}
	return s
}
