package widgets

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"testing"
)

// plainIcon is a 128 px opaque blue square, standing in for the app icon.
func plainIcon(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 128, 128))
	for y := 0; y < 128; y++ {
		for x := 0; x < 128; x++ {
			img.SetNRGBA(x, y, color.NRGBA{R: 0x20, G: 0x60, B: 0xc0, A: 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodeIcon(t *testing.T, data []byte) *image.NRGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, image.Point{}, draw.Src)
	return n
}

// countPixels counts the pixels of the top-right quarter that are the badge's red, and
// those that are white (the digits).
func countPixels(img *image.NRGBA) (red, white int) {
	s := img.Bounds().Dx()
	for y := 0; y < s/2; y++ {
		for x := s / 2; x < s; x++ {
			switch c := img.NRGBAAt(x, y); {
			case c == badgeRed:
				red++
			case c.R > 0xf0 && c.G > 0xf0 && c.B > 0xf0:
				white++
			}
		}
	}
	return red, white
}

func TestBadgedIconDrawsTheCount(t *testing.T) {
	base := plainIcon(t)
	zero, err := BadgedIcon(base, TrayIconSize, 0)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeIcon(t, zero)
	if img.Bounds().Dx() != TrayIconSize || img.Bounds().Dy() != TrayIconSize {
		t.Fatalf("icon is %v, want %d px square", img.Bounds(), TrayIconSize)
	}
	if red, white := countPixels(img); red != 0 || white != 0 {
		t.Errorf("no unread: the icon has %d red and %d white pixels, want none", red, white)
	}

	five, err := BadgedIcon(base, TrayIconSize, 5)
	if err != nil {
		t.Fatal(err)
	}
	red, white := countPixels(decodeIcon(t, five))
	if red < 300 || white < 30 {
		t.Errorf("5 unread: %d red and %d white pixels, want a red pill with white digits", red, white)
	}
	seven, _ := BadgedIcon(base, TrayIconSize, 7)
	if bytes.Equal(five, seven) {
		t.Error("5 and 7 draw the same icon")
	}
	many, _ := BadgedIcon(base, TrayIconSize, 150)
	capped, _ := BadgedIcon(base, TrayIconSize, 100)
	if !bytes.Equal(many, capped) {
		t.Error("counts over 99 should all read 99+")
	}
	if r3, w3 := countPixels(decodeIcon(t, many)); r3+w3 <= red+white {
		t.Errorf("99+ needs a wider pill than 5: %d pixels vs %d", r3+w3, red+white)
	}
}

func TestTrayBadgeText(t *testing.T) {
	for n, want := range map[int]string{-1: "", 0: "", 1: "1", 99: "99", 100: "99+", 5000: "99+"} {
		if got := TrayBadgeText(n); got != want {
			t.Errorf("TrayBadgeText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBadgedIconRejectsBadInput(t *testing.T) {
	if _, err := BadgedIcon([]byte("not an image"), TrayIconSize, 3); err == nil {
		t.Error("a broken icon should be an error")
	}
}
