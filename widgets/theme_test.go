package widgets

import (
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
