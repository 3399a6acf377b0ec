package main

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// primaryScreenSize is the primary monitor's size in pixels, zero when unknown. It runs
// on the main goroutine (Fyne's desktop driver keeps it on the main OS thread, as GLFW
// requires) after the app's window exists, when Fyne has initialised GLFW.
func primaryScreenSize() (size fyne.Size) {
	defer func() {
		if recover() != nil { // GLFW not available: size by default
			size = fyne.Size{}
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}
	}
	mode := m.GetVideoMode()
	if mode == nil {
		return fyne.Size{}
	}
	return fyne.NewSize(float32(mode.Width), float32(mode.Height))
}
