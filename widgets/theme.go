package widgets

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// MinTextContrast is the WCAG 2 contrast ratio the secondary text keeps on every surface
// it is drawn on (the AA level for body text).
const MinTextContrast = 4.5

// TextSurfaces are the theme's colours that text is drawn on: the window, entries,
// buttons and others' bubbles, menus and dialogs, and one's own bubbles (OwnBubble).
var TextSurfaces = []fyne.ThemeColorName{
	theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameButton,
	theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground, theme.ColorNameHeaderBackground,
}

// SecondaryTextColors are the colours Fyne gives secondary text: LowImportance labels
// (timestamps, presence, "Message deleted", file sizes) use Disabled, the bubbles' times
// and placeholders use PlaceHolder.
var SecondaryTextColors = []fyne.ThemeColorName{theme.ColorNameDisabled, theme.ColorNamePlaceHolder}

// readableTheme is a theme whose secondary text stays readable: Fyne's own disabled and
// placeholder greys fall well under 4.5:1 in both variants.
type readableTheme struct {
	fyne.Theme
}

// ReadableTheme wraps base so that its secondary text colours reach MinTextContrast on
// every surface in TextSurfaces and on OwnBubble; everything else is base's.
func ReadableTheme(base fyne.Theme) fyne.Theme { return readableTheme{base} }

func (t readableTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch name {
	case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
		return readableSecondary(t.Theme, v)
	}
	return t.Theme.Color(name, v)
}

// OwnBubble is the background of one's own message bubbles in th.
func OwnBubble(th fyne.Theme, v fyne.ThemeVariant) color.Color {
	return mix(th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNameBackground, v), 0.25)
}

// readableSecondary is the foreground faded toward the background as far as it can go
// while keeping MinTextContrast (plus a margin for rounding) on every surface: still
// visibly quieter than body text, but readable.
func readableSecondary(base fyne.Theme, v fyne.ThemeVariant) color.Color {
	fg := base.Color(theme.ColorNameForeground, v)
	bg := base.Color(theme.ColorNameBackground, v)
	surfaces := []color.Color{OwnBubble(base, v)}
	for _, s := range TextSurfaces {
		surfaces = append(surfaces, base.Color(s, v))
	}
	best := fg
	for fade := float32(0.01); fade < 1; fade += 0.01 {
		c := mix(fg, bg, 1-fade)
		for _, s := range surfaces {
			if Contrast(c, s) < MinTextContrast+0.1 {
				return best
			}
		}
		best = c
	}
	return best
}

// Contrast is the WCAG 2 contrast ratio of two opaque colours (1 to 21).
func Contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
