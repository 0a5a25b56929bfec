package faces

import (
	"bytes"
	"encoding/binary"
)

// jpegOrientation reads the EXIF orientation (1-8) of a JPEG; 1 when it
// has none or it cannot be read. Phone cameras store portrait pictures
// sideways with orientation 6 or 8, and the detector finds no face lying on
// its side, so a selfie sent as a file must be turned upright. (Previews
// made by the gallery are already upright and carry no EXIF.)
func jpegOrientation(b []byte) int {
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		if marker == 0xDA || i+2+n > len(b) { // start of scan: no more metadata
			return 1
		}
		if seg := b[i+4 : i+2+n]; marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first IFD of a TIFF header.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	for e := ifd + 2; e+12 <= len(t) && e < ifd+2+12*int(bo.Uint16(t[ifd:])); e += 12 {
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // SHORT
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
		}
	}
	return 1
}

// orient turns a picture stored with EXIF orientation o upright.
func orient(m *RGB, o int) *RGB {
	if o <= 1 || o > 8 {
		return m
	}
	w, h := m.W, m.H
	if o >= 5 { // the four that swap width and height
		w, h = h, w
	}
	out := NewRGB(w, h)
	for y := range h {
		for x := range w {
			sx, sy := orientSource(o, x, y, m.W, m.H)
			copy(out.Pix[(y*w+x)*3:][:3], m.Pix[(sy*m.W+sx)*3:])
		}
	}
	return out
}

// orientSource is the stored pixel shown at x, y of the upright picture
// (W×H is the stored size).
func orientSource(o, x, y, W, H int) (int, int) {
	switch o {
	case 2: // mirrored
		return W - 1 - x, y
	case 3: // upside down
		return W - 1 - x, H - 1 - y
	case 4: // mirrored upside down
		return x, H - 1 - y
	case 5: // transposed
		return y, x
	case 6: // needs a quarter turn clockwise
		return y, H - 1 - x
	case 7: // transversed
		return W - 1 - y, H - 1 - x
	case 8: // needs a quarter turn anticlockwise
		return W - 1 - y, x
	}
	return x, y
}
