package app

import (
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	csync "github.com/cubechat/cubechat/sync"
)

// fakePlacer plays the desktop's window positions (Fyne's test driver has none).
type fakePlacer struct {
	mu      sync.Mutex
	pos     image.Point
	moved   []image.Point
	screens []image.Rectangle
}

func (p *fakePlacer) Position(fyne.Window) (image.Point, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pos, true
}

func (p *fakePlacer) Move(_ fyne.Window, to image.Point) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pos = to
	p.moved = append(p.moved, to)
}

func (p *fakePlacer) Screens() []image.Rectangle { return p.screens }

func readWindowState(t *testing.T, dir string) (windowState, bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, windowStateFile))
	if err != nil {
		return windowState{}, false
	}
	var s windowState
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s, true
}

// loginUI builds a UI on the login screen (no saved session) for the profile dir,
// without newTestUI's resize, so the size it opens at can be read.
func loginUI(t *testing.T, dir string, screen fyne.Size, placer WindowPlacer) *UI {
	t.Helper()
	db := openCache(t)
	u, err := New(test.NewTempApp(t), Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(db, p, nil) }, ProfileDir: dir, Placer: placer,
		ScreenSize: func() fyne.Size { return screen }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

func TestWindowSizePositionAndSplitAreRemembered(t *testing.T) {
	dir := t.TempDir()
	screen := fyne.NewSize(1920, 1080)
	placer := &fakePlacer{pos: image.Pt(300, 200), screens: []image.Rectangle{image.Rect(0, 0, 1920, 1080)}}
	u, m, _ := offlineUIOn(t, test.NewTempApp(t), func(d *Deps) {
		d.ProfileDir, d.Placer = dir, placer
		d.ScreenSize = func() fyne.Size { return screen }
	})
	// Resizing and dragging the divider are saved once they keep still.
	onUI(func() {
		u.Window().Resize(fyne.NewSize(900, 620))
		m.split.SetOffset(0.4)
	})
	waitFor(t, "the new size and split saved", 5*time.Second, func() bool {
		var s windowState
		var ok bool
		onUI(func() { s, ok = readWindowState(t, dir) }) // in step with the saver
		return ok && s.Width == 900 && s.Height == 620 && s.Split == 0.4 && s.HasPos && s.X == 300
	})
	// The window was moved (Fyne tells no one): closing saves where it is.
	placer.mu.Lock()
	placer.pos = image.Pt(350, 250)
	placer.mu.Unlock()
	u.closeWindow() // no tray: quits
	if s, _ := readWindowState(t, dir); s.X != 350 || s.Y != 250 {
		t.Fatalf("closing saved position %d,%d, want 350,250", s.X, s.Y)
	}

	// The next start opens at that size and place, with that split.
	next := &fakePlacer{screens: placer.screens}
	u2 := loginUI(t, dir, screen, next)
	if got := u2.Window().Canvas().Size(); got != fyne.NewSize(900, 620) {
		t.Errorf("restored size %v, want 900×620", got)
	}
	u2.placeWindow()
	if len(next.moved) != 1 || next.moved[0] != image.Pt(350, 250) {
		t.Errorf("restored position %v, want [350,250]", next.moved)
	}
	_, m3, _ := offlineUIOn(t, test.NewTempApp(t), func(d *Deps) { d.ProfileDir = dir })
	onUI(func() {
		if m3.split.Offset != 0.4 {
			t.Errorf("restored split %v, want 0.4", m3.split.Offset)
		}
	})
}

func TestRestoredWindowFitsASmallerScreen(t *testing.T) {
	dir := t.TempDir()
	if err := writeWindowState(dir, windowState{Width: 1600, Height: 1000, X: 1500, Y: 900, HasPos: true, Split: 0.3}); err != nil {
		t.Fatal(err)
	}
	screen := fyne.NewSize(1024, 768)
	placer := &fakePlacer{screens: []image.Rectangle{image.Rect(0, 0, 1024, 768)}}
	u := loginUI(t, dir, screen, placer)
	size := u.Window().Canvas().Size()
	if size.Width > 1024 || size.Height > 768 {
		t.Fatalf("restored %v on a 1024×768 screen", size)
	}
	u.placeWindow()
	if len(placer.moved) != 1 {
		t.Fatalf("moved %v", placer.moved)
	}
	at := placer.moved[0]
	if at.X < 0 || at.Y < 0 || at.X+int(size.Width) > 1024 || at.Y+int(size.Height) > 768 {
		t.Errorf("window at %v (%v) is off the 1024×768 screen", at, size)
	}
}

func TestDamagedWindowStateFallsBackToTheFirstSize(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, windowStateFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	screen := fyne.NewSize(1920, 1080)
	u := loginUI(t, dir, screen, nil)
	if got, want := u.Window().Canvas().Size(), windowSize(screen, 1); got != want {
		t.Errorf("size %v, want the first size %v", got, want)
	}
}

func TestClampPosition(t *testing.T) {
	primary := image.Rect(0, 0, 1920, 1080)
	right := image.Rect(1920, 0, 3200, 1024)
	size := image.Pt(800, 600)
	for _, c := range []struct {
		name    string
		pos     image.Point
		screens []image.Rectangle
		want    image.Point
	}{
		{"inside", image.Pt(100, 100), []image.Rectangle{primary}, image.Pt(100, 100)},
		{"on the second monitor", image.Pt(2000, 50), []image.Rectangle{primary, right}, image.Pt(2000, 50)},
		{"second monitor unplugged", image.Pt(2000, 50), []image.Rectangle{primary}, image.Pt(1120, 50)},
		{"above the top", image.Pt(100, -300), []image.Rectangle{primary}, image.Pt(100, 0)},
		{"hanging off the bottom right", image.Pt(1500, 900), []image.Rectangle{primary}, image.Pt(1120, 480)},
		{"no screens known", image.Pt(-5000, 7), nil, image.Pt(-5000, 7)},
	} {
		if got := clampPosition(c.pos, size, c.screens); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRestoredSizeAndSplit(t *testing.T) {
	if got := restoredSize(fyne.NewSize(200, 100), fyne.NewSize(1920, 1080), 1); got != minWindow {
		t.Errorf("a tiny saved window opens at %v, want %v", got, minWindow)
	}
	if got := restoredSize(fyne.NewSize(1200, 800), fyne.Size{}, 1); got != fyne.NewSize(1200, 800) {
		t.Errorf("unknown screen: %v", got)
	}
	if got := restoredSplit(0.95, 1000); got != 0.66 {
		t.Errorf("a divider dragged to the edge restores at %v", got)
	}
	if got := restoredSplit(0, 1000); got != listOffset(1000) {
		t.Errorf("no saved split: %v", got)
	}
}
