package app

import (
	"fmt"
	"image"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/widgets"
)

// The send sheet: every way of attaching (the paperclip, drag and drop, a pasted image)
// ends here, so the user sees what goes out and may add a caption before anything is
// stored or uploaded — as in Telegram Desktop. Enter sends, Esc cancels.

// sheetPreviewSide bounds the picture preview (pixels decoded: twice, for HiDPI).
const sheetPreviewSide = 360

// sendable is a file checked for sending.
type sendable struct {
	path  string // absolute
	name  string
	size  int64
	image bool // a picture format this app decodes: previewed
}

// checkSendable explains why path cannot be sent, before anything is stored.
func checkSendable(path string) (sendable, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return sendable{}, err
	}
	info, err := os.Stat(abs)
	switch {
	case err != nil:
		return sendable{}, err
	case !info.Mode().IsRegular():
		return sendable{}, fmt.Errorf("%s: %s", filepath.Base(abs), lang.L("not a file"))
	case info.Size() > maxFileSize:
		return sendable{}, fmt.Errorf("%s: %s; %s", filepath.Base(abs), humanSize(info.Size()), lang.L("files up to 100 MB can be sent"))
	}
	f := sendable{path: abs, name: filepath.Base(abs), size: info.Size()}
	if r, err := os.Open(abs); err == nil {
		_, _, cerr := image.DecodeConfig(r)
		f.image = cerr == nil
		_ = r.Close()
	}
	return f, nil
}

// sendSheet is the open sheet. discard runs when it is cancelled (a pasted image's
// file is removed: nobody else knows it).
type sendSheet struct {
	c        *chatPane
	dialogID string
	files    []sendable
	discard  func()

	dlg     *dialog.CustomDialog
	caption *widgets.KeyEntry
	preview *canvas.Image // nil when the first file is not a picture
	sendBtn *widget.Button
	closed  bool
}

// offerFiles checks paths and opens the send sheet for them in dialogID; files that
// cannot be sent are explained in a notice and left out. discard (may be nil) runs when
// the sheet is cancelled or nothing can be sent.
func (c *chatPane) offerFiles(dialogID string, paths []string, discard func()) {
	var files []sendable
	for _, p := range paths {
		f, err := checkSendable(p)
		if err != nil {
			c.showNotice(lang.L("Cannot send this file: ") + err.Error())
			continue
		}
		files = append(files, f)
	}
	if c.media.sheet != nil {
		c.media.sheet.cancel() // one sheet at a time: the newest choice wins
	}
	if len(files) == 0 {
		if discard != nil {
			discard()
		}
		return
	}
	s := &sendSheet{c: c, dialogID: dialogID, files: files, discard: discard}
	s.show()
	c.media.sheet = s
}

func (s *sendSheet) show() {
	s.caption = widgets.NewKeyEntry()
	s.caption.SetPlaceHolder(lang.L("Add a caption…"))
	s.caption.OnKey = func(k *fyne.KeyEvent) bool {
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			s.send()
			return true
		case fyne.KeyEscape:
			s.cancel()
			return true
		}
		return false
	}
	s.sendBtn = widget.NewButtonWithIcon(lang.L("Send"), theme.MailSendIcon(), s.send)
	s.sendBtn.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), s.cancel)

	rows := container.NewVBox()
	if s.files[0].image {
		s.preview = canvas.NewImageFromImage(nil)
		s.preview.FillMode = canvas.ImageFillContain
		s.preview.ScaleMode = canvas.ImageScaleSmooth
		s.preview.SetMinSize(fyne.NewSquareSize(sheetPreviewSide / 2))
		rows.Add(container.NewCenter(s.preview))
		s.loadPreview(s.files[0].path)
	}
	for _, f := range s.files {
		rows.Add(fileRow(f))
	}
	content := container.NewBorder(nil, s.caption, nil, nil, container.NewVScroll(rows))
	s.dlg = dialog.NewCustomWithoutButtons(sheetTitle(s.files), content, s.c.m.ui.win)
	s.dlg.SetButtons([]fyne.CanvasObject{cancel, s.sendBtn})
	s.dlg.SetOnClosed(s.closedBy)
	s.fit()
	s.dlg.Show()
	s.c.m.ui.win.Canvas().Focus(s.caption)
}

// fileRow is one file of the sheet: icon, name and size.
func fileRow(f sendable) fyne.CanvasObject {
	icon := theme.FileIcon()
	if f.image {
		icon = theme.FileImageIcon()
	}
	name := widget.NewLabelWithStyle(f.name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	size := widget.NewLabel(humanSize(f.size))
	size.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, widget.NewIcon(icon), size, name)
}

// sheetTitle says what will be sent.
func sheetTitle(files []sendable) string {
	switch {
	case len(files) > 1:
		return lang.L("Send {{.Count}} files", map[string]any{"Count": len(files)})
	case files[0].image:
		return lang.L("Send a picture")
	}
	return lang.L("Send a file")
}

// fit sizes the sheet to its content (the preview once decoded) within the window (a
// 900×600 window too).
func (s *sendSheet) fit() {
	win := s.c.m.ui.win.Canvas().Size()
	h := float32(170 + 40*min(len(s.files), 6))
	if s.preview != nil {
		h += s.preview.MinSize().Height
	}
	w := fyne.Min(480, win.Width-2*theme.Padding()*4)
	s.dlg.Resize(fyne.NewSize(w, fyne.Min(h, win.Height*0.9)))
}

// loadPreview decodes the picture off the UI goroutine; the row shows meanwhile.
func (s *sendSheet) loadPreview(path string) {
	s.c.m.bg.Go(func() {
		img, err := decodeThumbnail(path, 2*sheetPreviewSide)
		runOnUI(func() {
			if err != nil || s.closed {
				if err != nil {
					s.c.m.log.Info("no preview for the send sheet", "file", path, "err", err)
				}
				return
			}
			b := img.Bounds()
			scale := fyne.Min(1, fyne.Min(sheetPreviewSide/float32(b.Dx()), sheetPreviewSide/float32(b.Dy())))
			s.preview.Image = img
			s.preview.SetMinSize(fyne.NewSize(fyne.Max(float32(b.Dx())*scale, 48), fyne.Max(float32(b.Dy())*scale, 48)))
			s.preview.Refresh()
			s.fit()
		})
	})
}

// send hands the files to the engine, the caption with the first, and closes the sheet.
func (s *sendSheet) send() {
	if s.closed {
		return
	}
	caption := s.caption.Text
	s.discard = nil // the files are the engine's now
	s.close()
	for i, f := range s.files {
		if i > 0 {
			caption = ""
		}
		s.c.sendFileWithCaption(s.dialogID, f.path, caption)
	}
	s.c.m.ui.win.Canvas().Focus(s.c.composer)
}

// cancel closes the sheet without sending.
func (s *sendSheet) cancel() {
	if s.closed {
		return
	}
	s.close()
	s.c.m.ui.win.Canvas().Focus(s.c.composer)
}

func (s *sendSheet) close() {
	s.dlg.Hide() // runs closedBy
}

// closedBy runs however the sheet went away.
func (s *sendSheet) closedBy() {
	if s.closed {
		return
	}
	s.closed = true
	if s.c.media.sheet == s {
		s.c.media.sheet = nil
	}
	if s.discard != nil {
		s.discard()
		s.discard = nil
	}
}
