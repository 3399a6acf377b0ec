package app

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// Quadrant colours of the stored (sensor) picture: top-left, top-right, bottom-left,
// bottom-right. Far apart, so JPEG's loss cannot confuse them.
var (
	qRed   = color.RGBA{255, 0, 0, 255}
	qGreen = color.RGBA{0, 255, 0, 255}
	qBlue  = color.RGBA{0, 0, 255, 255}
	qWhite = color.RGBA{255, 255, 255, 255}
)

// TestDecodeThumbnailHonoursExifOrientation writes a 64×32 JPEG with four coloured
// quadrants and each Exif orientation (big- and little-endian TIFF), and checks the
// thumbnail's size and where each quadrant ends up.
func TestDecodeThumbnailHonoursExifOrientation(t *testing.T) {
	// Expected upright quadrants (TL, TR, BL, BR) and size for each orientation, worked out
	// by hand from the Exif definitions.
	cases := []struct {
		orientation int
		w, h        int
		quadrants   [4]color.RGBA
	}{
		{0, 64, 32, [4]color.RGBA{qRed, qGreen, qBlue, qWhite}}, // no Exif at all
		{1, 64, 32, [4]color.RGBA{qRed, qGreen, qBlue, qWhite}},
		{2, 64, 32, [4]color.RGBA{qGreen, qRed, qWhite, qBlue}}, // mirrored
		{3, 64, 32, [4]color.RGBA{qWhite, qBlue, qGreen, qRed}}, // half turn
		{4, 64, 32, [4]color.RGBA{qBlue, qWhite, qRed, qGreen}}, // flipped
		{5, 32, 64, [4]color.RGBA{qRed, qBlue, qGreen, qWhite}}, // transposed
		{6, 32, 64, [4]color.RGBA{qBlue, qRed, qWhite, qGreen}}, // quarter turn clockwise
		{7, 32, 64, [4]color.RGBA{qWhite, qGreen, qBlue, qRed}}, // transverse
		{8, 32, 64, [4]color.RGBA{qGreen, qWhite, qRed, qBlue}}, // quarter turn counter-clockwise
	}
	dir := t.TempDir()
	for _, bigEndian := range []bool{true, false} {
		for _, c := range cases {
			path := filepath.Join(dir, "photo.jpg")
			if err := os.WriteFile(path, quadrantJPEG(t, c.orientation, bigEndian), 0o600); err != nil {
				t.Fatal(err)
			}
			img, err := decodeThumbnail(path, 560)
			if err != nil {
				t.Fatalf("orientation %d: %v", c.orientation, err)
			}
			b := img.Bounds()
			if b.Dx() != c.w || b.Dy() != c.h {
				t.Errorf("orientation %d (big-endian %v): %dx%d, want %dx%d", c.orientation, bigEndian, b.Dx(), b.Dy(), c.w, c.h)
				continue
			}
			centres := [4]image.Point{{c.w / 4, c.h / 4}, {3 * c.w / 4, c.h / 4}, {c.w / 4, 3 * c.h / 4}, {3 * c.w / 4, 3 * c.h / 4}}
			for i, p := range centres {
				if got := img.At(b.Min.X+p.X, b.Min.Y+p.Y); !near(got, c.quadrants[i]) {
					t.Errorf("orientation %d (big-endian %v): quadrant %d is %v, want %v", c.orientation, bigEndian, i, got, c.quadrants[i])
				}
			}
		}
	}
}

// TestOrientationAfterShrink checks that a picture larger than the thumbnail is both
// reduced and turned (the longer side stays the bound).
func TestOrientationAfterShrink(t *testing.T) {
	path := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(path, quadrantJPEG(t, 6, false), 0o600); err != nil {
		t.Fatal(err)
	}
	img, err := decodeThumbnail(path, 16)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 8 || b.Dy() != 16 {
		t.Fatalf("size %v, want 8x16", b)
	}
	if got := img.At(2, 4); !near(got, qBlue) {
		t.Errorf("top-left after a clockwise turn is %v, want blue", got)
	}
}

func TestJPEGOrientationRejectsMalformedExif(t *testing.T) {
	good := quadrantJPEG(t, 6, true)
	if got := jpegOrientation(good); got != 6 {
		t.Fatalf("well-formed orientation 6 read as %d", got)
	}
	cases := map[string][]byte{
		"empty":            nil,
		"png":              []byte("\x89PNG\r\n\x1a\n"),
		"value 9":          exifJPEGHead(9, binary.BigEndian, exifTypeShort),
		"value 0":          exifJPEGHead(0, binary.LittleEndian, exifTypeShort),
		"type LONG":        exifJPEGHead(6, binary.BigEndian, 4),
		"truncated in IFD": exifJPEGHead(6, binary.BigEndian, exifTypeShort)[:30],
	}
	for name, data := range cases {
		if got := jpegOrientation(data); got != orientationNormal {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
}

// FuzzJPEGOrientation: any bytes give an orientation in 1..8 without panicking, and a
// well-formed Exif segment survives arbitrary picture data after it.
func FuzzJPEGOrientation(f *testing.F) {
	for o := range 9 {
		f.Add(exifJPEGHead(o, binary.BigEndian, exifTypeShort))
		f.Add(exifJPEGHead(o, binary.LittleEndian, exifTypeShort))
	}
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xDA})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d out of range for %x", o, data)
		}
		withExif := append(exifJPEGHead(7, binary.LittleEndian, exifTypeShort), data...)
		if o := jpegOrientation(withExif); o != 7 {
			t.Fatalf("orientation 7 followed by %x read as %d", data, o)
		}
	})
}

// quadrantJPEG encodes the 64×32 four-colour picture and, unless orientation is 0, puts an
// APP1 Exif segment carrying it right after SOI, as cameras do.
func quadrantJPEG(t *testing.T, orientation int, bigEndian bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			c := [4]color.RGBA{qRed, qGreen, qBlue, qWhite}[2*(y/16)+x/32]
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if orientation == 0 {
		return data
	}
	var order binary.AppendByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	head := exifJPEGHead(orientation, order, exifTypeShort)
	return append(head, data[2:]...) // data[:2] is the SOI that head already has
}

// exifJPEGHead is SOI followed by an APP1 segment whose IFD0 holds two entries: an
// unrelated tag (ImageWidth) and then Orientation with the given value and type.
func exifJPEGHead(orientation int, order binary.AppendByteOrder, typ uint16) []byte {
	var tiff []byte
	if order == binary.BigEndian {
		tiff = append(tiff, 'M', 'M')
	} else {
		tiff = append(tiff, 'I', 'I')
	}
	tiff = order.AppendUint16(tiff, 42)
	tiff = order.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = order.AppendUint16(tiff, 2)
	entry := func(tag, typ uint16, value uint16) {
		tiff = order.AppendUint16(tiff, tag)
		tiff = order.AppendUint16(tiff, typ)
		tiff = order.AppendUint32(tiff, 1)
		tiff = order.AppendUint16(tiff, value)
		tiff = order.AppendUint16(tiff, 0)
	}
	entry(0x0100, exifTypeShort, 64)
	entry(exifOrientationTag, typ, uint16(orientation))
	tiff = order.AppendUint32(tiff, 0) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// near says whether got is within JPEG's loss of want.
func near(got color.Color, want color.RGBA) bool {
	r, g, b, _ := got.RGBA()
	d := func(a uint32, b uint8) bool { return int(a>>8)-int(b) < 40 && int(b)-int(a>>8) < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}
