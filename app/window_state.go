package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
)

// The window's size, position and split, remembered per profile: saved a moment after
// they change (debounced) and when the window closes or hides; restored at start,
// fitted to the screen the window comes back to.

// windowStateFile is the file in the profile's directory that keeps them.
const windowStateFile = "window.json"

// windowSaveDelay is how long the window must keep still before a change is saved:
// one write per drag, not one per frame.
const windowSaveDelay = 500 * time.Millisecond

// minWindow is the smallest size a restored window gets.
var minWindow = fyne.NewSize(480, 360)

// WindowPlacer reads and moves the window on the desktop: Fyne has no portable API for
// a window's position. main.go implements it with GLFW; nil = size and split only.
type WindowPlacer interface {
	// Position is the window's top-left corner in screen pixels; false when unknown.
	Position(fyne.Window) (image.Point, bool)
	// Move puts the window's top-left corner at p (screen pixels).
	Move(fyne.Window, image.Point)
	// Screens lists the monitors' work areas in screen pixels, the primary first.
	Screens() []image.Rectangle
}

// windowState is what window.json holds.
type windowState struct {
	Width  float32 `json:"width"` // Fyne units
	Height float32 `json:"height"`
	// The position, in screen pixels, when the placer could read it.
	X      int  `json:"x"`
	Y      int  `json:"y"`
	HasPos bool `json:"has_position"`
	// Split is the chat list's share of the window's width; 0 = never signed in.
	Split float64 `json:"split,omitempty"`
}

// loadWindowState reads the saved state; false when there is none or it is unreadable
// (then the window opens at its first size, and a warning is logged).
func (u *UI) loadWindowState() (windowState, bool) {
	if u.deps.ProfileDir == "" {
		return windowState{}, false
	}
	data, err := os.ReadFile(filepath.Join(u.deps.ProfileDir, windowStateFile))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			u.log.Warn("reading the saved window size", "err", err)
		}
		return windowState{}, false
	}
	var s windowState
	if err := json.Unmarshal(data, &s); err != nil || s.Width <= 0 || s.Height <= 0 {
		u.log.Warn("the saved window size is damaged; using the default", "err", err)
		return windowState{}, false
	}
	return s, true
}

// restoredSize is the saved size fitted to a screen of screen pixels at scale: never
// larger than the first-size rule allows on that screen (window_size.go), never
// smaller than minWindow (unless the screen is).
func restoredSize(saved, screen fyne.Size, scale float32) fyne.Size {
	size := saved
	if screen.Width > 0 && screen.Height > 0 {
		if scale <= 0 {
			scale = 1
		}
		fit := fyne.NewSize(screen.Width/scale*screenShare, screen.Height/scale*screenShare)
		size = fyne.NewSize(fyne.Min(size.Width, fit.Width), fyne.Min(size.Height, fit.Height))
		size = fyne.NewSize(fyne.Max(size.Width, fyne.Min(minWindow.Width, fit.Width)),
			fyne.Max(size.Height, fyne.Min(minWindow.Height, fit.Height)))
		return size
	}
	return fyne.NewSize(fyne.Max(size.Width, minWindow.Width), fyne.Max(size.Height, minWindow.Height))
}

// restoredSplit is the saved split, kept between a fifth and two thirds of the window
// (a divider dragged to an edge would hide a pane); the default rule when none is saved.
func restoredSplit(saved float64, width float32) float64 {
	if saved <= 0 {
		return listOffset(width)
	}
	return max(0.2, min(saved, 0.66))
}

// clampPosition keeps a window of size (pixels) at pos on one of the screens: the one
// it overlaps most, or the first (primary) when it overlaps none (a monitor was
// unplugged), moved so that as much of it as fits is on that screen, its top-left
// corner always.
func clampPosition(pos image.Point, size image.Point, screens []image.Rectangle) image.Point {
	if len(screens) == 0 {
		return pos
	}
	win := image.Rectangle{Min: pos, Max: pos.Add(size)}
	best, bestArea := screens[0], 0
	for _, s := range screens {
		in := win.Intersect(s)
		if a := in.Dx() * in.Dy(); a > bestArea {
			best, bestArea = s, a
		}
	}
	clamp := func(v, lo, length, hi int) int {
		v = min(v, hi-length)
		return max(v, lo)
	}
	return image.Pt(clamp(pos.X, best.Min.X, size.X, best.Max.X), clamp(pos.Y, best.Min.Y, size.Y, best.Max.Y))
}

// placeWindow moves the shown window to its saved position, on a screen that is there.
func (u *UI) placeWindow() {
	p := u.deps.Placer
	if p == nil || !u.saved.HasPos {
		return
	}
	scale := u.win.Canvas().Scale()
	size := u.win.Canvas().Size()
	px := image.Pt(int(size.Width*scale), int(size.Height*scale))
	p.Move(u.win, clampPosition(image.Pt(u.saved.X, u.saved.Y), px, p.Screens()))
}

// captureWindowState reads the window's state now (on the UI goroutine).
func (u *UI) captureWindowState() windowState {
	size := u.win.Canvas().Size()
	s := windowState{Width: size.Width, Height: size.Height, Split: u.saved.Split}
	if u.deps.Placer != nil {
		if p, ok := u.deps.Placer.Position(u.win); ok {
			s.X, s.Y, s.HasPos = p.X, p.Y, true
		}
	} else {
		s.X, s.Y, s.HasPos = u.saved.X, u.saved.Y, u.saved.HasPos
	}
	if u.main != nil {
		s.Split = u.main.split.Offset
	}
	return s
}

// saveWindowState writes the window's state to the profile (on the UI goroutine: the
// file is small, and the window's size and position must be read there anyway).
func (u *UI) saveWindowState() {
	if u.deps.ProfileDir == "" || u.win.Canvas().Size().IsZero() {
		return
	}
	s := u.captureWindowState()
	if s == u.saved {
		return
	}
	if err := writeWindowState(u.deps.ProfileDir, s); err != nil {
		u.log.Warn("saving the window size", "err", err)
		return
	}
	u.saved = s
}

// writeWindowState replaces window.json atomically: a crash mid-write keeps the old one.
func writeWindowState(dir string, s windowState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, windowStateFile+".*")
	if err != nil {
		return fmt.Errorf("save the window size: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, windowStateFile))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// windowChanged is called (on the UI goroutine) whenever the window's size or the split
// moves; the save follows once they keep still for windowSaveDelay.
func (u *UI) windowChanged() {
	select {
	case u.windowMoved <- struct{}{}:
	default: // a save is already on its way
	}
}

// saveWindowStateLater saves the window's state windowSaveDelay after the last change,
// until the UI stops.
func (u *UI) saveWindowStateLater() {
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-u.windowMoved:
		}
		timer := time.NewTimer(windowSaveDelay)
	still:
		for {
			select {
			case <-u.ctx.Done():
				timer.Stop()
				return
			case <-u.windowMoved:
				timer.Reset(windowSaveDelay)
			case <-timer.C:
				break still
			}
		}
		runOnUI(u.saveWindowState)
	}
}

// resizeWatch lays its one object out over its whole size and calls changed when that
// size changes: Fyne tells a window's content, but no one else, that the window was
// resized or a split's divider dragged.
type resizeWatch struct {
	size    fyne.Size
	changed func()
}

func (r *resizeWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if size != r.size {
		r.size = size
		r.changed()
	}
}

func (r *resizeWatch) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
