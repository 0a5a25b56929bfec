package faces

// A selfie sent by an app is a camera's JPEG of a few megabytes: Go's
// decoder took about 100 ms of the 150 ms a search may take, most of it
// Huffman decoding of pixels thrown away by the shrink. libjpeg-turbo
// (Debian's libjpeg62-turbo, already there for libvips) decodes it with
// SIMD and scales in the DCT, straight from the bytes in memory: nothing
// is written anywhere, and the pixels land in Go memory that the caller
// zeroes, as before.

/*
#cgo pkg-config: libjpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

struct ps_error {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
	char message[JMSG_LENGTH_MAX];
};

static void ps_error_exit(j_common_ptr c) {
	struct ps_error *e = (struct ps_error *)c->err;
	(*c->err->format_message)(c, e->message);
	longjmp(e->jump, 1);
}

// ps_warning fails on a warning (level -1): libjpeg warns, fills in grey
// and goes on for a cut-off or corrupt file, which must be refused as Go's
// decoder refuses it. Bytes before a marker are harmless and common.
static void ps_warning(j_common_ptr c, int level) {
	if (level < 0 && c->err->msg_code != JWRN_EXTRANEOUS_DATA) {
		ps_error_exit(c);
	}
}

// ps_decode reads a JPEG's header, refuses more than max_pixels (a small
// file can promise gigapixels), scales it by num/8 so its long edge is at
// most max_side, and, when out is not NULL, decodes it as RGB into out
// (w*h*3 bytes, the size a call with out NULL reported). It returns 0, or
// 1 with message set.
static int ps_decode(const unsigned char *buf, unsigned long n, int max_side, long max_pixels,
		unsigned char *out, int *w, int *h, char *message) {
	struct jpeg_decompress_struct d;
	struct ps_error e;
	d.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = ps_error_exit;
	e.mgr.emit_message = ps_warning;
	if (setjmp(e.jump)) {
		strncpy(message, e.message, JMSG_LENGTH_MAX);
		jpeg_destroy_decompress(&d);
		return 1;
	}
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, buf, n);
	jpeg_read_header(&d, TRUE);
	if ((long)d.image_width * (long)d.image_height > max_pixels) {
		snprintf(message, JMSG_LENGTH_MAX, "%u×%u pixels is out of range", d.image_width, d.image_height);
		jpeg_destroy_decompress(&d);
		return 1;
	}
	long side = d.image_width > d.image_height ? d.image_width : d.image_height;
	d.scale_num = 8;
	d.scale_denom = 8;
	while (d.scale_num > 1 && (side * d.scale_num + 7) / 8 > max_side) {
		d.scale_num--;
	}
	d.out_color_space = JCS_RGB;
	jpeg_calc_output_dimensions(&d);
	*w = d.output_width;
	*h = d.output_height;
	if (out == NULL) {
		jpeg_destroy_decompress(&d);
		return 0;
	}
	jpeg_start_decompress(&d);
	while (d.output_scanline < d.output_height) {
		JSAMPROW row = out + (size_t)d.output_scanline * d.output_width * 3;
		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// decodeJPEGTurbo decodes b with libjpeg-turbo, scaled in the decoder by
// n/8 so its long edge is at most maxSide (or the smallest it scales to),
// as stored (no EXIF orientation applied).
func decodeJPEGTurbo(b []byte, maxSide int) (*RGB, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrDecode)
	}
	var w, h C.int
	msg := (*C.char)(C.calloc(C.JMSG_LENGTH_MAX+1, 1))
	defer C.free(unsafe.Pointer(msg))
	buf := (*C.uchar)(unsafe.Pointer(&b[0]))
	if C.ps_decode(buf, C.ulong(len(b)), C.int(maxSide), decodeMaxPixels, nil, &w, &h, msg) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrDecode, C.GoString(msg))
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrDecode, w, h)
	}
	m := NewRGB(int(w), int(h))
	if C.ps_decode(buf, C.ulong(len(b)), C.int(maxSide), decodeMaxPixels, (*C.uchar)(unsafe.Pointer(&m.Pix[0])), &w, &h, msg) != 0 {
		return nil, fmt.Errorf("%w: %s", ErrDecode, C.GoString(msg))
	}
	if int(w) != m.W || int(h) != m.H {
		return nil, fmt.Errorf("%w: size changed between reads", ErrDecode)
	}
	return m, nil
}
