package widgets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"sync"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The tray icon: the app icon with the unread count in a red pill in its top-right
// corner, drawn as an image because a tray takes only an icon.

// TrayIconSize is the side of the tray icon in pixels: trays show 16–32 px, and a
// 64 px image stays sharp on a scaled desktop.
const TrayIconSize = 64

// badgeRed is the pill's colour (white digits on it pass 4.5:1).
var badgeRed = color.NRGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}

// TrayBadgeText is what the tray's pill says: a tray icon has room for three characters.
func TrayBadgeText(count int) string {
	switch {
	case count <= 0:
		return ""
	case count > 99:
		return "99+"
	default:
		return strconv.Itoa(count)
	}
}

var (
	badgeFontOnce sync.Once
	badgeFont     *opentype.Font
	badgeFontErr  error
)

// BadgedIcon returns icon (a PNG or JPEG) scaled to size×size with count drawn on it
// (TrayBadgeText), as a PNG; count ≤ 0 draws no pill.
func BadgedIcon(icon []byte, size, count int) ([]byte, error) {
	src, _, err := image.Decode(bytes.NewReader(icon))
	if err != nil {
		return nil, fmt.Errorf("decode the icon: %w", err)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	if text := TrayBadgeText(count); text != "" {
		if err := drawPill(dst, text); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// drawPill draws text, white and bold, in a red pill at the top-right corner of dst.
func drawPill(dst *image.NRGBA, text string) error {
	badgeFontOnce.Do(func() { badgeFont, badgeFontErr = opentype.Parse(gobold.TTF) })
	if badgeFontErr != nil {
		return badgeFontErr
	}
	size := float64(dst.Bounds().Dx())
	height := size * 0.56 // big enough to read at 16 px
	face, err := opentype.NewFace(badgeFont, &opentype.FaceOptions{Size: height * 0.72, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return err
	}
	defer face.Close()
	d := &font.Drawer{Dst: dst, Src: image.NewUniform(color.White), Face: face}
	textW := float64(d.MeasureString(text)) / 64
	width := math.Min(size, math.Max(height, textW+height*0.45))
	left := size - width
	fillPill(dst, left, 0, width, height, badgeRed)

	m := face.Metrics()
	capHeight := float64(m.Ascent-m.Descent) / 64 * 0.72 // digits sit about this high
	d.Dot = fixed.Point26_6{
		X: fixed.Int26_6((left + (width-textW)/2) * 64),
		Y: fixed.Int26_6((height/2 + capHeight/2) * 64),
	}
	d.DrawString(text)
	return nil
}

// fillPill paints a rounded rectangle (semicircle ends) with anti-aliased edges.
func fillPill(dst *image.NRGBA, x, y, w, h float64, c color.NRGBA) {
	r := h / 2
	for py := int(y); py < int(math.Ceil(y+h)); py++ {
		for px := int(x); px < int(math.Ceil(x+w)); px++ {
			// Distance from the pixel's centre to the pill's spine, minus its radius.
			cx, cy := float64(px)+0.5, float64(py)+0.5
			sx := math.Max(x+r, math.Min(x+w-r, cx))
			dist := math.Hypot(cx-sx, cy-(y+r)) - r
			cover := math.Max(0, math.Min(1, 0.5-dist))
			if cover == 0 {
				continue
			}
			blend(dst, px, py, c, cover)
		}
	}
}

// blend paints c over dst's pixel at coverage cover (0..1).
func blend(dst *image.NRGBA, x, y int, c color.NRGBA, cover float64) {
	if !(image.Point{X: x, Y: y}.In(dst.Bounds())) {
		return
	}
	under := dst.NRGBAAt(x, y)
	a := cover * float64(c.A) / 255
	ua := float64(under.A) / 255
	outA := a + ua*(1-a)
	mix := func(top, bottom uint8) uint8 {
		if outA == 0 {
			return 0
		}
		return uint8(math.Round((float64(top)*a + float64(bottom)*ua*(1-a)) / outA))
	}
	dst.SetNRGBA(x, y, color.NRGBA{R: mix(c.R, under.R), G: mix(c.G, under.G), B: mix(c.B, under.B), A: uint8(math.Round(outA * 255))})
}
