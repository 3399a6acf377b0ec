package app

import (
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// maxFileSize is the largest file ConnectyCube's storage accepts (the engine checks it
// too; checking here explains it before anything is stored).
const maxFileSize = 100 << 20

// uploadTimeout bounds one file transfer (a 100 MB upload on a slow line).
const uploadTimeout = 30 * time.Minute

// progressStep is the smallest progress change worth a redraw of the history.
const progressStep = 0.02

// uploadTracker holds the progress of uploads in flight, keyed by the absolute path
// of the local file: the pending message the engine stores carries that path.
type uploadTracker struct {
	mu       sync.Mutex
	progress map[string]float64
}

func newUploadTracker() *uploadTracker { return &uploadTracker{progress: map[string]float64{}} }

// set records progress and tells whether it moved enough to redraw.
func (t *uploadTracker) set(path string, p float64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	old, ok := t.progress[path]
	t.progress[path] = p
	return !ok || p-old >= progressStep || p >= 1
}

func (t *uploadTracker) done(path string) {
	t.mu.Lock()
	delete(t.progress, path)
	t.mu.Unlock()
}

// get returns the progress of the upload of path, and whether one runs.
func (t *uploadTracker) get(path string) (float64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.progress[path]
	return p, ok
}

// chooseFile opens the file picker for the paperclip button.
func (c *chatPane) chooseFile() {
	if c.dialog.ID == "" {
		return
	}
	dialogID := c.dialog.ID
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			c.showNotice(lang.X("file.open_failed", "Could not open the file: {{.Error}}", msgData{"Error": err.Error()}))
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		_ = r.Close()
		c.offerFiles(dialogID, []string{path}, nil)
	}, c.m.ui.win)
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// dropped offers the files dropped onto the window to the open dialog (the send sheet).
func (c *chatPane) dropped(_ fyne.Position, uris []fyne.URI) {
	if c.dialog.ID == "" {
		c.showNotice(lang.L("Open a chat first, then drop files on it to send them."))
		return
	}
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) > 0 {
		c.offerFiles(c.dialog.ID, paths, nil)
	}
}

// sendFile sends a file without a caption.
func (c *chatPane) sendFile(dialogID, path string) { c.sendFileWithCaption(dialogID, path, "") }

// sendFileWithCaption checks the file, then lets the engine store a pending message
// (the caption its body) and upload it, showing the upload's progress in its bubble.
func (c *chatPane) sendFileWithCaption(dialogID, path, caption string) {
	f, err := checkSendable(path)
	if err != nil {
		c.showNotice(lang.X("file.cannot_send", "Cannot send this file: {{.Error}}", msgData{"Error": err.Error()}))
		return
	}
	abs := f.path
	c.uploads.set(abs, 0)
	c.history.followBottom()
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, uploadTimeout)
		defer cancel()
		_, err := c.m.engine.SendFileWithCaption(ctx, dialogID, abs, caption, func(sent, total int64) {
			if total > 0 && c.uploads.set(abs, float64(sent)/float64(total)) {
				runOnUI(c.history.redraw)
			}
		})
		c.uploads.done(abs)
		runOnUI(func() {
			c.history.redraw()
			// The engine marks the message failed (Retry in its menu) and sends a notice.
			if err != nil && c.m.ctx.Err() == nil {
				c.m.log.Warn("sending a file failed", "file", abs, "err", err)
			}
		})
	})
}

// decorateRows adds what only the UI knows to the bubbles of msgs: the mark of a search
// hit, upload progress of pending files, thumbnails already decoded, downloads running.
func (c *chatPane) decorateRows(rows []widgets.BubbleData, msgs []cache.Message) {
	for i := range rows {
		m := msgs[i]
		rows[i].Highlight = c.media.flashed(m.ID) // search_highlight.go
		if len(m.Attachments) == 0 || len(rows[i].Attachments) != len(m.Attachments) {
			continue
		}
		views := make([]widgets.AttachmentView, len(m.Attachments))
		copy(views, rows[i].Attachments)
		for j, a := range m.Attachments {
			if a.UID == "" && a.LocalPath != "" && m.State == cache.StatePending {
				if p, ok := c.uploads.get(a.LocalPath); ok {
					views[j].Progress = p
				}
			}
			views[j].Busy = c.thumbs.busy(m.ID, a.UID)
			if views[j].Kind == widgets.AttachmentImage {
				views[j].Image = c.thumbs.get(m, a)
			}
		}
		rows[i].Attachments = views
	}
}

// localFile returns the attachment's file on this machine, downloading it first.
func (c *chatPane) localFile(ctx context.Context, m cache.Message, uid string) (string, error) {
	for _, a := range m.Attachments {
		if a.UID == uid && a.LocalPath != "" {
			if _, err := os.Stat(a.LocalPath); err == nil {
				return a.LocalPath, nil
			}
		}
	}
	return c.m.engine.DownloadAttachment(ctx, m.ID, uid)
}

// openAttachment shows a picture in the image viewer (imageviewer.go); other files are
// downloaded (once) and opened with the system's viewer.
func (c *chatPane) openAttachment(messageID, uid string) {
	m, ok := c.history.messageByID(messageID)
	if !ok || c.showImage(messageID, uid) {
		return
	}
	c.fetchFile(m, uid, func(path string) {
		u := &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
		if err := c.m.ui.openURL(u); err != nil {
			c.m.log.Warn("opening a file", "path", path, "err", err)
			c.openFailed(messageID, uid, err)
		}
	})
}

// saveAttachment downloads the file (once) and copies it where the user chooses.
func (c *chatPane) saveAttachment(messageID, uid string) {
	m, ok := c.history.messageByID(messageID)
	if !ok {
		return
	}
	c.fetchFile(m, uid, func(path string) {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				if err != nil {
					c.showNotice(lang.X("file.save_failed", "Could not save the file: {{.Error}}", msgData{"Error": err.Error()}))
				}
				return
			}
			c.m.bg.Go(func() {
				err := copyFile(w, path)
				runOnUI(func() {
					if err != nil {
						c.showNotice(lang.X("file.save_failed", "Could not save the file: {{.Error}}", msgData{"Error": err.Error()}))
					} else {
						c.showNotice(lang.X("file.saved", "Saved {{.Name}}", msgData{"Name": w.URI().Name()}))
					}
				})
			})
		}, c.m.ui.win)
		d.SetFileName(filepath.Base(path))
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	})
}

// fetchFile gets the local copy off the UI goroutine, showing a busy bar meanwhile.
func (c *chatPane) fetchFile(m cache.Message, uid string, then func(path string)) {
	c.thumbs.setBusy(m.ID, uid, true)
	c.history.redraw()
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, uploadTimeout)
		path, err := c.localFile(ctx, m, uid)
		cancel()
		runOnUI(func() {
			c.thumbs.setBusy(m.ID, uid, false)
			c.history.redraw()
			if err != nil {
				if c.m.ctx.Err() == nil {
					c.showNotice(lang.X("file.download_failed", "Could not download the file: {{.Error}}", msgData{"Error": actionErrorText(err)}))
				}
				return
			}
			then(path)
		})
	})
}

// copyFile writes the file at path to w and closes w.
func copyFile(w io.WriteCloser, path string) error {
	f, err := os.Open(path)
	if err != nil {
		_ = w.Close()
		return err
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}
