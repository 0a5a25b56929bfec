package app

import (
	"context"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// object is one stored file to answer a request with: a rendition or an
// original, for the studio, the API or a guest.
type object struct {
	Studio uuid.UUID
	Key    string
	Type   string // Content-Type
	Name   string // sent as an attachment under this name; inline when empty
	// Tag names the content (say, the rendition and the photo's hash);
	// the object's size is added to make the strong ETag. A rendition
	// that can change (a re-watermarked preview) must put its version in.
	Tag string
	// Started, when set, runs before a GET from the first byte is
	// answered (the start of a download, not a resumed range of it): it
	// counts and audits, and its error refuses the request.
	Started func() error
}

// sendObject answers with o from the encrypted store, with ETag
// revalidation (private caching) and single byte ranges (resumed
// downloads, video scrubbing). Fiber writes the body after the handler
// returns, when the request's context is already cancelled, so the object
// is opened without that cancellation; Fiber closes it.
func (a *App) sendObject(c *fiber.Ctx, o object) error {
	obj, err := a.Gallery.Blobs.Open(context.WithoutCancel(ctx(c)), o.Studio, o.Key)
	if err != nil {
		return fmt.Errorf("app: open %s: %w", o.Key, err)
	}
	size := obj.Size()
	etag := fmt.Sprintf(`"%s-%d"`, o.Tag, size)
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	if etagMatch(c.Get(fiber.HeaderIfNoneMatch), etag) {
		obj.Close()
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, o.Type)
	if o.Name != "" {
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": o.Name}))
	}
	start, n, status := int64(0), size, fiber.StatusOK
	if h := c.Get(fiber.HeaderRange); h != "" && (c.Get(fiber.HeaderIfRange) == "" || c.Get(fiber.HeaderIfRange) == etag) {
		if s, l, ok := parseRange(h, size); ok {
			if l <= 0 {
				obj.Close()
				c.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(size, 10))
				return problem(fiber.StatusRequestedRangeNotSatisfiable, "The range is outside the file.")
			}
			start, n, status = s, l, fiber.StatusPartialContent
			c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", s, s+l-1, size))
		}
	}
	if o.Started != nil && start == 0 && c.Method() == fiber.MethodGet {
		if err := o.Started(); err != nil {
			obj.Close()
			return err
		}
	}
	if _, err := obj.Seek(start, io.SeekStart); err != nil {
		obj.Close()
		return fmt.Errorf("app: seek %s: %w", o.Key, err)
	}
	c.Status(status)
	allowSlowWrite(c, n)
	return c.SendStream(struct {
		io.Reader
		io.Closer
	}{io.LimitReader(obj, n), obj}, int(n))
}

// slowestClient is the download speed a body of any size is given time
// for, so a phone on a poor line can finish a large original or zip;
// the server's own WriteTimeout would cut it after a minute.
const slowestClient = 64 << 10 // bytes per second

// allowSlowWrite sets the connection's write deadline for a body of n bytes.
func allowSlowWrite(c *fiber.Ctx, n int64) {
	d := time.Minute + time.Duration(n/slowestClient)*time.Second
	_ = c.Context().SetWriteDeadline(time.Now().Add(d))
}

// etagMatch reports whether an If-None-Match header names etag (or *).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// parseRange reads one range of RFC 9110 ("bytes=a-b", "bytes=a-",
// "bytes=-n") against a file of size bytes. ok is false when there is no
// range to honour (malformed, another unit, or several ranges: the whole
// file is sent, as the RFC allows); n <= 0 when it is unsatisfiable.
func parseRange(h string, size int64) (start, n int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	from, to, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	if from == "" { // the last n bytes
		last, err := strconv.ParseInt(to, 10, 64)
		if err != nil || last < 0 {
			return 0, 0, false
		}
		last = min(last, size)
		return size - last, last, true
	}
	a, err := strconv.ParseInt(from, 10, 64)
	if err != nil || a < 0 {
		return 0, 0, false
	}
	end := size - 1
	if to != "" {
		b, err := strconv.ParseInt(to, 10, 64)
		if err != nil || b < a {
			return 0, 0, false
		}
		end = min(b, size-1)
	}
	if a >= size {
		return 0, 0, true
	}
	return a, end - a + 1, true
}

// photoTag names one file of a photo by its content, for object.Tag.
func photoTag(what string, sha []byte) string { return fmt.Sprintf("%s-%x", what, sha[:8]) }
