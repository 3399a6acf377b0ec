package app

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDecodeThumbnail(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.png")
	writePNG(t, big, 1200, 600)
	small := filepath.Join(dir, "small.png")
	writePNG(t, small, 40, 20)
	junk := filepath.Join(dir, "junk.png")
	if err := os.WriteFile(junk, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path         string
		w, h         int
		errSubstring string
	}{
		{big, 300, 150, ""},
		{small, 40, 20, ""}, // never enlarged
		{junk, 0, 0, "not a picture"},
		{filepath.Join(dir, "missing.png"), 0, 0, "no such file"},
	}
	for _, c := range cases {
		img, err := decodeThumbnail(c.path, 300)
		if c.errSubstring != "" {
			if err == nil || !strings.Contains(err.Error(), c.errSubstring) {
				t.Errorf("%s: error %v, want %q", filepath.Base(c.path), err, c.errSubstring)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(c.path), err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", filepath.Base(c.path), b.Dx(), b.Dy(), c.w, c.h)
		}
	}
}

func TestShrinkAveragesAndKeepsAlpha(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 8, 4))
	for y := range 4 {
		for x := range 8 {
			c := color.NRGBA{R: 255, A: 255}
			if x%2 == 1 {
				c = color.NRGBA{B: 255, A: 255}
			}
			if y >= 2 {
				c.A = 128 // the lower half is half transparent
			}
			src.Set(x, y, c)
		}
	}
	out := shrink(src, 2)
	if b := out.Bounds(); b.Dx() != 2 || b.Dy() != 1 {
		t.Fatalf("size %v", b)
	}
	got := color.NRGBAModel.Convert(out.At(0, 0)).(color.NRGBA)
	if got.R < 100 || got.B < 100 {
		t.Errorf("a red/blue stripe pattern should average to purple, got %+v", got)
	}
	if got.A < 150 || got.A > 230 {
		t.Errorf("opaque and half-transparent halves should average to about 3/4 alpha, got %+v", got)
	}
}

func TestUploadTracker(t *testing.T) {
	tr := newUploadTracker()
	steps := []struct {
		p      float64
		redraw bool
	}{{0, true}, {0.005, false}, {0.03, true}, {0.031, false}, {1, true}}
	for _, s := range steps {
		if got := tr.set("/f", s.p); got != s.redraw {
			t.Errorf("set(%v) redraw=%v, want %v", s.p, got, s.redraw)
		}
	}
	if p, ok := tr.get("/f"); !ok || p != 1 {
		t.Errorf("get = %v, %v", p, ok)
	}
	tr.done("/f")
	if _, ok := tr.get("/f"); ok {
		t.Error("a finished upload has no progress")
	}
}

// Decoded thumbnails are kept across chats within a byte budget, not only a count:
// 200 photos at the thumbnail size were up to 240 MiB.
func TestThumbnailsKeptWithinTheirBudget(t *testing.T) {
	l := newThumbnailLoader(nil)
	photo := func() image.Image { return image.NewRGBA(image.Rect(0, 0, thumbSide, thumbSide*3/4)) } // 1.2 MB
	each := imageBytes(photo())
	n := 3 * thumbCacheBytes / each // three budgets' worth, far fewer than thumbCacheSize
	if n >= thumbCacheSize {
		t.Fatalf("the test needs fewer than %d pictures to pass the budget, has %d", thumbCacheSize, n)
	}
	for i := range n {
		key := thumbKey(strconv.Itoa(i), "u")
		l.state[key] = true
		l.keep(key, photo())
	}
	if l.bytes > thumbCacheBytes {
		t.Fatalf("%d bytes of thumbnails kept, budget %d", l.bytes, thumbCacheBytes)
	}
	if want := thumbCacheBytes / each; len(l.images) != want || len(l.order) != want {
		t.Fatalf("%d thumbnails (%d in order) kept, want the newest %d", len(l.images), len(l.order), want)
	}
	newest := thumbKey(strconv.Itoa(n-1), "u")
	if _, ok := l.images[newest]; !ok {
		t.Fatal("the newest thumbnail was forgotten")
	}
	oldest := thumbKey("0", "u")
	if _, ok := l.images[oldest]; ok {
		t.Fatal("the oldest thumbnail was kept beyond the budget")
	}
	if _, asked := l.state[oldest]; asked {
		t.Fatal("a forgotten thumbnail is still marked asked for: it would never be decoded again")
	}
	sum := 0
	for _, img := range l.images {
		sum += imageBytes(img)
	}
	if sum != l.bytes {
		t.Fatalf("bytes counted %d, held %d", l.bytes, sum)
	}

	// One picture larger than the whole budget is still kept (the newest always is).
	huge := thumbKey("huge", "u")
	l.keep(huge, image.NewRGBA(image.Rect(0, 0, 3000, 3000)))
	if len(l.images) != 1 || l.images[huge] == nil {
		t.Fatalf("after a picture over the budget: %d kept", len(l.images))
	}
}
