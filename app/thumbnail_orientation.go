package app

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// Phones store a photo as the sensor saw it and record in the JPEG's Exif data how it must
// be turned to be upright (the TIFF Orientation tag, 0x0112, values 1 to 8). Go's JPEG
// decoder ignores Exif, so a thumbnail applies the orientation itself.

const (
	orientationNormal  = 1
	exifOrientationTag = 0x0112
	exifTypeShort      = 3
	jpegHeaderReadMax  = 128 << 10 // SOI plus the APP segments (each at most 64 KB) before the picture
)

// jpegOrientation returns the Exif orientation (1..8) of the JPEG whose first bytes are
// head, or 1 when there is none, it is out of range, or the data is not a JPEG. It reads
// the markers before the first scan only, and never panics on malformed input.
func jpegOrientation(head []byte) int {
	if len(head) < 4 || head[0] != 0xFF || head[1] != 0xD8 {
		return orientationNormal
	}
	for i := 2; i+4 <= len(head); {
		if head[i] != 0xFF {
			return orientationNormal
		}
		marker := head[i+1]
		if marker == 0xFF { // fill byte before a marker
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image: no Exif before the picture
			return orientationNormal
		}
		size := int(binary.BigEndian.Uint16(head[i+2:])) // includes its own two bytes
		if size < 2 {
			return orientationNormal
		}
		end := i + 2 + size
		if marker == 0xE1 && end <= len(head) {
			if o, ok := exifOrientation(head[i+4 : end]); ok {
				return o
			}
		}
		i = end
	}
	return orientationNormal
}

// exifOrientation reads the Orientation tag from an APP1 payload ("Exif\0\0" + TIFF data);
// ok is false when the payload is not Exif or has no valid orientation in IFD0.
func exifOrientation(app1 []byte) (int, bool) {
	const exifHeader = "Exif\x00\x00"
	if len(app1) < len(exifHeader)+8 || string(app1[:len(exifHeader)]) != exifHeader {
		return 0, false
	}
	tiff := app1[len(exifHeader):]
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0, false
	}
	if order.Uint16(tiff[2:]) != 42 {
		return 0, false
	}
	ifd := int64(order.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > int64(len(tiff)) {
		return 0, false
	}
	count := int64(order.Uint16(tiff[ifd:]))
	for e := ifd + 2; e+12 <= int64(len(tiff)) && count > 0; e, count = e+12, count-1 {
		if order.Uint16(tiff[e:]) != exifOrientationTag {
			continue
		}
		// A SHORT with count 1 sits in the first two bytes of the value field.
		if order.Uint16(tiff[e+2:]) != exifTypeShort || order.Uint32(tiff[e+4:]) != 1 {
			return 0, false
		}
		o := int(order.Uint16(tiff[e+8:]))
		if o < 1 || o > 8 {
			return 0, false
		}
		return o, true
	}
	return 0, false
}

// orient turns img upright according to the Exif orientation o: 2 mirror, 3 half turn,
// 4 flip, 5 transpose, 6 quarter turn clockwise, 7 transverse, 8 quarter turn
// counter-clockwise. Orientations 5 to 8 swap width and height.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	src := toRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			s, d := src.PixOffset(src.Rect.Min.X+sx, src.Rect.Min.Y+sy), dst.PixOffset(x, y)
			copy(dst.Pix[d:d+4], src.Pix[s:s+4])
		}
	}
	return dst
}

// toRGBA returns img as *image.RGBA, converting only when it is another kind.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	r := image.NewRGBA(img.Bounds())
	draw.Draw(r, r.Rect, img, img.Bounds().Min, draw.Src)
	return r
}
