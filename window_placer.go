package main

import (
	"image"

	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// glfwPlacer reads and moves the window through GLFW (app.WindowPlacer). Fyne's desktop
// driver draws with GLFW but offers no window-position API; its window makes its GL
// context current while it runs a function "with its context" (RunWithContext), so
// glfw.GetCurrentContext names the GLFW window there. Both run on the main goroutine,
// which Fyne keeps on the main OS thread as GLFW requires. On Wayland GLFW cannot read
// or set positions: the compositor places the window (and only size and split are
// restored).
type glfwPlacer struct{}

// withContext is the method of Fyne's desktop window that glfwPlacer relies on; a
// driver without it (test driver, mobile) places nothing.
type withContext interface{ RunWithContext(func()) }

func (glfwPlacer) Position(w fyne.Window) (at image.Point, ok bool) {
	onGLFW(w, func(g *glfw.Window) {
		x, y := g.GetPos()
		at, ok = image.Pt(x, y), true
	})
	return at, ok
}

func (glfwPlacer) Move(w fyne.Window, to image.Point) {
	onGLFW(w, func(g *glfw.Window) { g.SetPos(to.X, to.Y) })
}

// Screens lists the monitors' work areas (the desktop minus its panels), the primary
// first.
func (glfwPlacer) Screens() (out []image.Rectangle) {
	defer func() {
		if recover() != nil { // GLFW not available
			out = nil
		}
	}()
	primary := glfw.GetPrimaryMonitor()
	for _, m := range glfw.GetMonitors() {
		x, y, w, h := m.GetWorkarea()
		r := image.Rect(x, y, x+w, y+h)
		if m == primary {
			out = append([]image.Rectangle{r}, out...)
		} else {
			out = append(out, r)
		}
	}
	return out
}

func onGLFW(w fyne.Window, f func(*glfw.Window)) {
	wc, ok := w.(withContext)
	if !ok {
		return
	}
	defer func() { _ = recover() }() // GLFW not available: nothing placed
	wc.RunWithContext(func() {
		if g := glfw.GetCurrentContext(); g != nil {
			f(g)
		}
	})
}
