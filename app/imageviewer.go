package app

import (
	"context"
	"fmt"
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// The image viewer: a click on a picture in the history opens it over the whole
// window, fitted; it zooms (buttons, Ctrl+= and Ctrl+-, the wheel, 0 fits again), pans
// by dragging, steps through the pictures of the chat (buttons, Left and Right), saves
// (Ctrl+S) and closes with Esc, the × or a click beside the picture. Until the full
// picture is on this machine the thumbnail stands in, with a busy bar.

// viewerSide bounds the decoded picture (a 40-megapixel photo would eat the memory of
// the UI for nothing a screen can show).
const viewerSide = 4096

// viewerItem is one picture of the chat.
type viewerItem struct {
	msg cache.Message
	att cache.Attachment
}

// viewerItems lists the pictures of msgs, oldest first, as the history shows them.
func viewerItems(msgs []cache.Message) []viewerItem {
	var out []viewerItem
	for _, m := range msgs {
		if m.Deleted {
			continue
		}
		for _, a := range m.Attachments {
			if isImage(a) && (a.UID != "" || a.LocalPath != "") {
				out = append(out, viewerItem{msg: m, att: a})
			}
		}
	}
	return out
}

// imageViewer is the open viewer, an overlay of the window that takes the keyboard.
type imageViewer struct {
	widget.BaseWidget
	c     *chatPane
	items []viewerItem
	at    int
	gen   int // bumped per picture shown; late loads of another are dropped

	area                           *zoomArea
	title, counter, zoom           *canvas.Text
	status                         *canvas.Text // truncated to statusWidth
	saveLabel                      *canvas.Text // the Save button's label (labelledButton)
	busy                           *widget.ProgressBarInfinite
	prev, next, in, out, fit, save *widget.Button
	closeBtn                       *widget.Button
	content                        fyne.CanvasObject
	closed                         bool
}

// showImage opens the viewer on attachment uid of message messageID; false when it is
// not a picture of the loaded history (the caller opens it some other way).
func (c *chatPane) showImage(messageID, uid string) bool {
	items := viewerItems(c.history.msgs)
	at := -1
	for i, it := range items {
		if it.msg.ID == messageID && it.att.UID == uid {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	c.media.closeViewer()
	// One viewer per chat pane, opened again: Fyne parses every font style it draws
	// once per theme override scope and never drops them, and each new
	// container.NewThemeOverride is a new scope, so a new viewer per picture kept
	// another 17 MiB of parsed fonts (regular and bold) for every opening.
	v := c.media.spare
	if v == nil {
		v = newImageViewer(c, items, at)
		c.media.spare = v
	}
	v.items, v.at, v.closed = items, at, false
	c.media.viewer = v
	cv := c.m.ui.win.Canvas()
	cv.Overlays().Add(v)
	v.Resize(cv.Size())
	cv.Focus(v)
	v.show(at)
	return true
}

func newImageViewer(c *chatPane, items []viewerItem, at int) *imageViewer {
	v := &imageViewer{c: c, items: items, at: at, area: newZoomArea()}
	v.area.onZoom = v.showZoom
	v.area.onBackdrop = v.close
	v.title = viewerText(true)
	v.counter = viewerText(false)
	v.zoom = viewerText(false)
	v.status = viewerText(false)
	v.status.Alignment = fyne.TextAlignCenter
	v.status.Hide()
	v.busy = widget.NewProgressBarInfinite()
	v.busy.Hide()
	button := func(icon fyne.Resource, tap func()) *widget.Button {
		b := widget.NewButtonWithIcon("", icon, v.keepKeys(tap))
		b.Importance = widget.LowImportance
		return b
	}
	v.prev = button(theme.NavigateBackIcon(), func() { v.step(-1) })
	v.next = button(theme.NavigateNextIcon(), func() { v.step(1) })
	v.out = button(theme.ZoomOutIcon(), v.area.zoomOut)
	v.in = button(theme.ZoomInIcon(), v.area.zoomIn)
	v.fit = button(theme.ZoomFitIcon(), v.area.fitToWindow)
	v.save = widget.NewButtonWithIcon("", theme.DownloadIcon(), v.keepKeys(v.saveCurrent))
	v.save.Importance = widget.LowImportance
	save, saveLabel := labelledButton(v.save, lang.L("Save"))
	v.saveLabel = saveLabel
	v.closeBtn = button(theme.CancelIcon(), v.close)

	backdrop := canvas.NewRectangle(color.NRGBA{A: 0xf4})
	top := container.NewBorder(nil, nil, nil, v.closeBtn,
		container.NewHBox(layout.NewSpacer(), v.title, v.counter, layout.NewSpacer()))
	bottom := container.NewHBox(layout.NewSpacer(), v.prev, v.out, container.NewCenter(v.zoom), v.in, v.fit, save,
		v.next, layout.NewSpacer())
	// The status line and busy bar get a width of their own: centred, they would shrink
	// to nothing.
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(statusWidth, 0))
	middle := container.NewStack(v.area, container.NewCenter(container.NewStack(width, container.NewVBox(v.status, v.busy))))
	bars := container.NewBorder(top, bottom, nil, nil, middle)
	v.content = container.NewStack(backdrop, container.NewThemeOverride(container.NewPadded(bars), darkTheme{}))
	v.ExtendBaseWidget(v)
	return v
}

// darkTheme draws the viewer's controls for its dark backdrop in either theme.
type darkTheme struct{}

func (darkTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }
func (d darkTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return d.base().Color(n, theme.VariantDark)
}
func (d darkTheme) Font(s fyne.TextStyle) fyne.Resource     { return d.base().Font(s) }
func (d darkTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return d.base().Icon(n) }
func (d darkTheme) Size(n fyne.ThemeSizeName) float32       { return d.base().Size(n) }

func (v *imageViewer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(v.content)
}

// show loads picture i: the thumbnail at once, the full picture when it is here.
func (v *imageViewer) show(i int) {
	v.restyleTexts()
	v.at = i
	v.gen++
	gen := v.gen
	it := v.items[i]
	v.title.Text = attachmentName(it.att)
	v.title.Refresh()
	v.counter.Text = ""
	if len(v.items) > 1 {
		v.counter.Text = "  " + lang.L("{{.N}} of {{.Total}}", map[string]any{"N": i + 1, "Total": len(v.items)})
	}
	v.counter.Refresh()
	setEnabled(v.prev, i > 0)
	setEnabled(v.next, i < len(v.items)-1)
	v.area.setImage(v.c.thumbs.get(it.msg, it.att), false)
	v.setStatus("")
	v.busy.Show()
	v.busy.Start()
	v.c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(v.c.m.ctx, uploadTimeout)
		path, err := v.c.localFile(ctx, it.msg, it.att.UID)
		cancel()
		var img image.Image
		if err == nil {
			img, err = decodeThumbnail(path, viewerSide)
		}
		runOnUI(func() {
			if v.closed || v.gen != gen {
				return
			}
			v.busy.Stop()
			v.busy.Hide()
			if err != nil {
				if v.c.m.ctx.Err() == nil {
					v.c.m.log.Info("the viewer could not load a picture", "message", it.msg.ID, "err", err)
					v.setStatus(lang.L("Could not load the picture: ") + actionErrorText(err))
				}
				return
			}
			v.area.setImage(img, true)
		})
	})
}

// setStatus shows a line over the picture ("" hides it).
func (v *imageViewer) setStatus(text string) {
	v.status.Text = fitLine(text, statusWidth-2*theme.Padding(), v.status)
	v.status.Refresh()
	if text == "" {
		v.status.Hide()
	} else {
		v.status.Show()
	}
}

func (v *imageViewer) showZoom() {
	if v.area.img.Image == nil {
		v.zoom.Text = ""
	} else {
		v.zoom.Text = fmt.Sprintf("%.0f %%", v.area.current()*100)
	}
	v.zoom.Refresh()
}

// step shows the previous (-1) or next (1) picture of the chat.
func (v *imageViewer) step(delta int) {
	if next := v.at + delta; next >= 0 && next < len(v.items) {
		v.show(next)
	}
}

// saveCurrent offers to save the picture shown (a file save dialog over the viewer).
func (v *imageViewer) saveCurrent() {
	it := v.items[v.at]
	v.c.saveAttachment(it.msg.ID, it.att.UID)
}

// close takes the viewer off the window and gives the composer the keyboard back.
func (v *imageViewer) close() {
	if v.closed {
		return
	}
	v.closed = true
	v.busy.Stop()
	cv := v.c.m.ui.win.Canvas()
	cv.Overlays().Remove(v)
	if v.c.media.viewer == v {
		v.c.media.viewer = nil
	}
	cv.Focus(v.c.composer)
}

// Keyboard: the viewer holds the focus while open.

func (v *imageViewer) FocusGained() {}
func (v *imageViewer) FocusLost()   {}
func (v *imageViewer) TypedRune(r rune) {
	switch r {
	case '+', '=':
		v.area.zoomIn()
	case '-':
		v.area.zoomOut()
	case '0':
		v.area.fitToWindow()
	}
}

func (v *imageViewer) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		v.close()
	case fyne.KeyLeft:
		v.step(-1)
	case fyne.KeyRight:
		v.step(1)
	}
}

// TypedShortcut takes the viewer's shortcuts; the window's others wait until it closes.
func (v *imageViewer) TypedShortcut(s fyne.Shortcut) {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return
	}
	switch cs.KeyName {
	case fyne.KeyEqual, fyne.KeyPlus:
		v.area.zoomIn()
	case fyne.KeyMinus:
		v.area.zoomOut()
	case fyne.Key0:
		v.area.fitToWindow()
	case fyne.KeyS:
		v.saveCurrent()
	case fyne.KeyW:
		v.close()
	}
}

// Tapped anywhere on the bars keeps the keyboard with the viewer.
func (v *imageViewer) Tapped(*fyne.PointEvent) { v.focus() }

// keepKeys runs a button's action and gives the keyboard back to the viewer, which a
// tap on a button may have taken away.
func (v *imageViewer) keepKeys(action func()) func() {
	return func() {
		action()
		v.focus()
	}
}

func (v *imageViewer) focus() {
	if !v.closed {
		v.c.m.ui.win.Canvas().Focus(v)
	}
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
