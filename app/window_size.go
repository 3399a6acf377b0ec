package app

import "fyne.io/fyne/v2"

// The window's first size and the split between the chat list and the chat.

// preferredWindow is the first window size on a screen with room for it.
var preferredWindow = fyne.NewSize(1000, 680)

// screenShare is how much of a small screen the first window takes, leaving room for
// the desktop's panels and the window frame.
const screenShare = 0.92

// windowSize is the first window size for a screen of screen pixels at scale (Fyne's
// units are pixels/scale): the preferred size, shrunk to fit a small screen so that the
// composer is never below its edge. An unknown screen (zero) gets the preferred size.
func windowSize(screen fyne.Size, scale float32) fyne.Size {
	if screen.Width <= 0 || screen.Height <= 0 {
		return preferredWindow
	}
	if scale <= 0 {
		scale = 1
	}
	fit := fyne.NewSize(screen.Width/scale*screenShare, screen.Height/scale*screenShare)
	return fyne.NewSize(fyne.Min(preferredWindow.Width, fit.Width), fyne.Min(preferredWindow.Height, fit.Height))
}

// The chat list takes listShare of the window, but never less than listMin (names and
// times stay readable) nor more than listMax (on a wide screen the chat gets the room).
const (
	listShare = 0.32
	listMin   = 250
	listMax   = 380
)

// listOffset is the split's offset for a window width w.
func listOffset(w float32) float64 {
	if w <= 0 {
		return listShare
	}
	list := fyne.Max(listMin, fyne.Min(listMax, w*listShare))
	if list >= w/2 {
		return 0.5 // a very narrow window: half each
	}
	return float64(list / w)
}
