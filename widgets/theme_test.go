package widgets

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Every text colour, body and secondary, reaches 4.5:1 on every surface it is drawn on,
// in both variants; the secondary text still differs from the body text.
func TestReadableThemeContrast(t *testing.T) {
	th := ReadableTheme(theme.DefaultTheme())
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		surfaces := map[string]fyne.ThemeColorName{}
		for _, s := range TextSurfaces {
			surfaces[string(s)] = s
		}
		for _, text := range append([]fyne.ThemeColorName{theme.ColorNameForeground}, SecondaryTextColors...) {
			fg := th.Color(text, v)
			for name, s := range surfaces {
				if c := Contrast(fg, th.Color(s, v)); c < MinTextContrast {
					t.Errorf("variant %d: %s text on %s has contrast %.2f", v, text, name, c)
				}
			}
			if c := Contrast(fg, OwnBubble(th, v)); c < MinTextContrast {
				t.Errorf("variant %d: %s text on one's own bubble has contrast %.2f", v, text, c)
			}
		}
		if th.Color(theme.ColorNameDisabled, v) == th.Color(theme.ColorNameForeground, v) {
			t.Errorf("variant %d: secondary text looks like body text", v)
		}
	}
}

// Fyne's own greys fail, which is why the app wraps the theme.
func TestDefaultSecondaryTextIsTooFaint(t *testing.T) {
	base := theme.DefaultTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		bg := base.Color(theme.ColorNameBackground, v)
		if c := Contrast(base.Color(theme.ColorNameDisabled, v), bg); c >= MinTextContrast {
			t.Errorf("variant %d: Fyne's disabled text already has %.2f", v, c)
		}
	}
}

func TestContrast(t *testing.T) {
	light, dark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight), theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	if c := Contrast(light, light); c != 1 {
		t.Errorf("a colour on itself: %v", c)
	}
	if c := Contrast(light, dark); c < 15 {
		t.Errorf("the light and dark backgrounds: %v", c)
	}
}

// switchableTheme is the default theme with a foreground that can change.
type switchableTheme struct {
	fyne.Theme
	fg color.Color
}

func (s *switchableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground && s.fg != nil {
		return s.fg
	}
	return s.Theme.Color(n, v)
}

// TestReadableThemeKeepsItsAnswerPerColours: the secondary colour is searched once
// per set of base colours (it is asked on every label refresh), and a base whose
// colours change gets the answer for its new colours.
func TestReadableThemeKeepsItsAnswerPerColours(t *testing.T) {
	base := &switchableTheme{Theme: theme.DefaultTheme()}
	th := ReadableTheme(base)
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		if got, want := th.Color(theme.ColorNameDisabled, v), readableSecondary(base, v); got != want {
			t.Errorf("variant %d: %v, want %v", v, got, want)
		}
		if got, want := th.Color(theme.ColorNamePlaceHolder, v), readableSecondary(base, v); got != want {
			t.Errorf("variant %d, asked again: %v, want %v", v, got, want)
		}
	}
	before := th.Color(theme.ColorNameDisabled, theme.VariantLight)
	base.fg = color.NRGBA{R: 0x20, G: 0x30, B: 0x90, A: 0xff}
	got, want := th.Color(theme.ColorNameDisabled, theme.VariantLight), readableSecondary(base, theme.VariantLight)
	if got != want || got == before {
		t.Errorf("after the foreground changed: %v, want %v (was %v)", got, want, before)
	}
}

// BenchmarkReadableSecondary asks the theme for the secondary text colour, beside
// the reference of searching it every time (what each label refresh cost before).
func BenchmarkReadableSecondary(b *testing.B) {
	base := theme.DefaultTheme()
	b.Run("reference-search-every-time", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			readableSecondary(base, theme.VariantDark)
		}
	})
	b.Run("theme-color", func(b *testing.B) {
		th := ReadableTheme(base)
		for i := 0; i < b.N; i++ {
			th.Color(theme.ColorNameDisabled, theme.VariantDark)
		}
	})
}
