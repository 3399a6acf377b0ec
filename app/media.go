package app

// chatMedia holds the chat pane's picture and file sheets: the send sheet
// (sendsheet.go), the image viewer (imageviewer.go), the clipboard's picture reader
// (clipboard_image.go) and the highlighted search hit (search_highlight.go). Its
// fields belong to the UI goroutine.
type chatMedia struct {
	c     *chatPane
	sheet *sendSheet           // the open send sheet, if any
	clip  clipboardImageReader // the system clipboard's pictures (tests fake it)
}

// newChatMedia is made once the composer exists: it sees Ctrl+V first.
func newChatMedia(c *chatPane) *chatMedia {
	md := &chatMedia{c: c, clip: systemClipboardImage}
	c.composer.OnShortcut = md.composerShortcut(c.composer.OnShortcut)
	return md
}

// escape closes the innermost open sheet; false when none is open.
func (md *chatMedia) escape() bool {
	if md.sheet != nil {
		md.sheet.cancel()
		return true
	}
	return false
}
