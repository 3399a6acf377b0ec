package widgets

import (
	"image/color"
	"math"
	"sync"

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
	found *sync.Map // secondaryKey → color.Color: the search is hundreds of Contrast calls
}

// ReadableTheme wraps base so that its secondary text colours reach MinTextContrast on
// every surface in TextSurfaces and on OwnBubble; everything else is base's.
func ReadableTheme(base fyne.Theme) fyne.Theme { return readableTheme{base, &sync.Map{}} }

func (t readableTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch name {
	case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
		// Every label's refresh asks (a dialog list's rows, each bubble): the answer is
		// kept per set of colours it depends on, so a change of base colours still counts.
		if len(TextSurfaces) > maxKeySurfaces {
			return readableSecondary(t.Theme, v)
		}
		key := secondaryKeyOf(t.Theme, v)
		if c, ok := t.found.Load(key); ok {
			return c.(color.Color)
		}
		c := readableSecondary(t.Theme, v)
		t.found.Store(key, c)
		return c
	}
	return t.Theme.Color(name, v)
}

// secondaryKey is every colour readableSecondary reads: the foreground, the
// background, OwnBubble and the TextSurfaces (at most maxKeySurfaces of them).
type secondaryKey [3 + maxKeySurfaces]color.RGBA64

const maxKeySurfaces = 8

func secondaryKeyOf(base fyne.Theme, v fyne.ThemeVariant) secondaryKey {
	var k secondaryKey
	rgba := func(c color.Color) color.RGBA64 {
		r, g, b, a := c.RGBA()
		return color.RGBA64{R: uint16(r), G: uint16(g), B: uint16(b), A: uint16(a)}
	}
	k[0] = rgba(base.Color(theme.ColorNameForeground, v))
	k[1] = rgba(base.Color(theme.ColorNameBackground, v))
	k[2] = rgba(OwnBubble(base, v))
	for i, s := range TextSurfaces {
		k[3+i] = rgba(base.Color(s, v))
	}
	return k
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
