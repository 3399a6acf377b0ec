package app

import "fyne.io/fyne/v2/lang"

// chatMedia holds the chat pane's picture and file sheets: the send sheet
// (sendsheet.go), the image viewer (imageviewer.go), the clipboard's picture reader
// (clipboard_image.go) and the highlighted search hit (search_highlight.go). Its
// fields belong to the UI goroutine.
type chatMedia struct {
	c      *chatPane
	sheet  *sendSheet   // the open send sheet, if any
	viewer *imageViewer // the open image viewer, if any
	// spare is the viewer last made, opened again for the next picture: each new
	// viewer's theme override would parse the fonts once more (imageviewer.go).
	spare *imageViewer
	clip  clipboardImageReader // the system clipboard's pictures (tests fake it)

	flashID string // the message a search hit led to, marked for a moment
	flashN  int    // bumped per flash, so an older timer leaves a newer mark
}

// newChatMedia is made once the composer exists: it sees Ctrl+V first.
func newChatMedia(c *chatPane) *chatMedia {
	md := &chatMedia{c: c, clip: systemClipboardImage}
	c.composer.OnShortcut = md.composerShortcut(c.composer.OnShortcut)
	return md
}

// escape closes the innermost open sheet; false when none is open.
func (md *chatMedia) escape() bool {
	if md.viewer != nil { // a Save dialog over it has its own Cancel
		md.viewer.close()
		return true
	}
	if md.sheet != nil {
		md.sheet.cancel()
		return true
	}
	return false
}

// closeViewer closes the image viewer if it is open.
func (md *chatMedia) closeViewer() {
	if md.viewer != nil {
		md.viewer.close()
	}
}

// mediaKeyHelp lists the keys of the send sheet, pasting and the image viewer, for the
// shortcut sheet (shortcuts.go); translated when asked, after the catalogues are loaded.
func mediaKeyHelp() [][2]string {
	return [][2]string{
		{lang.X("keys.ctrl_v", "Ctrl+V"), lang.L("Paste a picture from the clipboard (in the message field)")},
		{lang.X("keys.enter_esc", "Enter / Esc"), lang.L("Send / cancel in the send sheet")},
		{lang.X("keys.left_right", "Left / Right"), lang.L("Previous / next picture in the image viewer")},
		{lang.X("keys.zoom", "Ctrl+= / Ctrl+- / Ctrl+0"), lang.L("Zoom in / out / fit in the image viewer (also + - 0 and the wheel)")},
		{lang.X("keys.ctrl_s", "Ctrl+S"), lang.L("Save the picture in the image viewer")},
		{lang.X("keys.esc", "Esc"), lang.L("Close the image viewer")},
	}
}

// closeAll closes the send sheet and the image viewer (the screen is going away; they
// are overlays of the window, which stays).
func (md *chatMedia) closeAll() {
	md.closeViewer()
	if md.sheet != nil {
		md.sheet.cancel()
	}
}
