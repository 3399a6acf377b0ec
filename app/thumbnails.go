package app

import (
	"context"
	"fmt"
	"image"
	_ "image/gif" // decoders for the thumbnails
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"sync"

	"golang.org/x/image/draw"

	"github.com/cubechat/cubechat/cache"
)

// Thumbnail limits: what is decoded at all (a hostile or huge file must not eat the
// memory of the UI), and the side a thumbnail is reduced to.
const (
	thumbMaxFileBytes = 25 << 20
	thumbMaxPixels    = 40_000_000
	thumbSide         = 560 // twice the drawn size, for HiDPI screens
	thumbCacheSize    = 200
	thumbCacheBytes   = 32 << 20 // see thumbnailLoader.keep
	thumbWorkers      = 2
)

// thumbnailLoader downloads (through the engine) and decodes image attachments off the
// UI goroutine, keeps a bounded set of decoded thumbnails, and redraws the history when
// one arrives. A failed thumbnail is not tried again in this session: the bubble keeps
// its placeholder and the file can still be opened.
type thumbnailLoader struct {
	m    *mainScreen
	work chan thumbJob

	mu     sync.Mutex
	images map[string]image.Image // by message id + uid
	order  []string               // insertion order, for eviction
	bytes  int                    // the pixels of images, for the budget
	state  map[string]bool        // requested (true) or failed (false)
	busyOn map[string]bool        // downloads the user asked for (Open/Save)
	once   sync.Once
}

type thumbJob struct {
	key string
	msg cache.Message
	att cache.Attachment
}

func newThumbnailLoader(m *mainScreen) *thumbnailLoader {
	return &thumbnailLoader{m: m, work: make(chan thumbJob, 64), images: map[string]image.Image{},
		state: map[string]bool{}, busyOn: map[string]bool{}}
}

func thumbKey(messageID, uid string) string { return messageID + "/" + uid }

// get returns the thumbnail of att if decoded, else nil, and asks for it once.
func (t *thumbnailLoader) get(m cache.Message, a cache.Attachment) image.Image {
	key := thumbKey(m.ID, a.UID+a.LocalPath)
	t.mu.Lock()
	img, ok := t.images[key]
	_, asked := t.state[key]
	if !ok && !asked {
		t.state[key] = true
	}
	t.mu.Unlock()
	if ok || asked {
		return img
	}
	t.once.Do(t.startWorkers)
	select {
	case t.work <- thumbJob{key: key, msg: m, att: a}:
	default:
		// Too much at once (a fast scroll): forget the request, the next redraw asks again.
		t.mu.Lock()
		delete(t.state, key)
		t.mu.Unlock()
	}
	return nil
}

func (t *thumbnailLoader) startWorkers() {
	for range thumbWorkers {
		t.m.bg.Go(func() {
			for {
				select {
				case <-t.m.ctx.Done():
					return
				case job := <-t.work:
					t.load(job)
				}
			}
		})
	}
}

func (t *thumbnailLoader) load(job thumbJob) {
	path := job.att.LocalPath
	if _, err := os.Stat(path); path == "" || err != nil {
		if job.att.UID == "" {
			t.failed(job.key, fmt.Errorf("no file"))
			return
		}
		ctx, cancel := context.WithTimeout(t.m.ctx, uploadTimeout)
		path, err = t.m.engine.DownloadAttachment(ctx, job.msg.ID, job.att.UID)
		cancel()
		if err != nil {
			t.failed(job.key, err)
			return
		}
	}
	img, err := decodeThumbnail(path, thumbSide)
	if err != nil {
		t.failed(job.key, err)
		return
	}
	t.keep(job.key, img)
	runOnUI(t.m.chat.history.redraw)
}

// keep adds a decoded thumbnail and forgets the oldest ones beyond thumbCacheSize
// pictures or thumbCacheBytes of pixels, whichever comes first (never the newest). A
// thumbnail is up to 560×560 RGBA, 1.2 MiB: 200 of them, kept across every chat
// opened, were up to 240 MiB; the budget holds about 30 photos, more than the
// history shows at once. A forgotten one is decoded again if it scrolls back into
// view.
func (t *thumbnailLoader) keep(key string, img image.Image) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.images[key]; ok {
		t.bytes -= imageBytes(old)
	} else {
		t.order = append(t.order, key)
	}
	t.images[key] = img
	t.bytes += imageBytes(img)
	for len(t.order) > 1 && (len(t.order) > thumbCacheSize || t.bytes > thumbCacheBytes) {
		oldest := t.order[0]
		t.bytes -= imageBytes(t.images[oldest])
		delete(t.images, oldest)
		delete(t.state, oldest) // asked again if it scrolls back into view
		t.order = t.order[1:]
	}
}

// imageBytes is what a decoded picture holds in memory.
func imageBytes(img image.Image) int {
	switch i := img.(type) {
	case nil:
		return 0
	case *image.RGBA:
		return len(i.Pix)
	case *image.NRGBA:
		return len(i.Pix)
	case *image.Gray:
		return len(i.Pix)
	case *image.Paletted:
		return len(i.Pix) + 4*len(i.Palette)
	case *image.YCbCr:
		return len(i.Y) + len(i.Cb) + len(i.Cr)
	default:
		b := img.Bounds()
		return 8 * b.Dx() * b.Dy() // 16-bit RGBA, the largest of the standard decoders' kinds
	}
}

func (t *thumbnailLoader) failed(key string, err error) {
	if t.m.ctx.Err() == nil {
		t.m.log.Info("thumbnail unavailable", "attachment", key, "err", err)
	}
	t.mu.Lock()
	t.state[key] = false
	t.mu.Unlock()
}

// setBusy marks a download the user is waiting for.
func (t *thumbnailLoader) setBusy(messageID, uid string, busy bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if busy {
		t.busyOn[thumbKey(messageID, uid)] = true
	} else {
		delete(t.busyOn, thumbKey(messageID, uid))
	}
}

func (t *thumbnailLoader) busy(messageID, uid string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.busyOn[thumbKey(messageID, uid)]
}

// decodeThumbnail decodes the image at path, refusing files and pictures too large to
// decode safely, reduces it so its longer side is at most side pixels, and turns a JPEG
// upright by its Exif orientation (thumbnail_orientation.go).
func decodeThumbnail(path string, side int) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > thumbMaxFileBytes {
		return nil, fmt.Errorf("image file too large for a preview (%s)", humanSize(info.Size()))
	}
	head := make([]byte, min(info.Size(), jpegHeaderReadMax))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("not a picture this app can show: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > thumbMaxPixels {
		return nil, fmt.Errorf("picture too large for a preview (%dx%d)", cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("damaged picture: %w", err)
	}
	orientation := orientationNormal
	if format == "jpeg" {
		orientation = jpegOrientation(head)
	}
	return orient(shrink(img, side), orientation), nil
}

// shrink reduces img so that its longer side is at most side, with a bilinear filter whose
// support widens with the reduction, so every source pixel contributes (no shimmer of
// nearest-neighbour on photos). Smaller pictures are returned as they are, never enlarged.
func shrink(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	tw, th := side, h*side/w
	if h > w {
		tw, th = w*side/h, side
	}
	out := image.NewRGBA(image.Rect(0, 0, max(tw, 1), max(th, 1)))
	draw.BiLinear.Scale(out, out.Rect, img, b, draw.Src, nil)
	return out
}
