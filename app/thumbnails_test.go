package app

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
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
