package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// Guests reach an album through a share link: /g/:token in a browser,
// with the guest session in a cookie per link, and /api/v1/shares/:token
// for apps, with the session token as a bearer token. Both resolve to a
// *gallery.GuestAccess, and every file a guest gets goes through the
// functions below, so the download rule has one way out.

const localGuest = "guest"

// guest is the request's share link and guest session, set by openGuest.
func guest(c *fiber.Ctx) *gallery.GuestAccess {
	g, _ := c.Locals(localGuest).(*gallery.GuestAccess)
	return g
}

// guestCookie names the browser's session cookie for one link: one per
// link, so a client with two albums open stays in both. The name comes
// from the token's hash and does not give the token away.
func guestCookie(token string) string {
	h := sha256.Sum256([]byte(token))
	return "__Host-g" + hex.EncodeToString(h[:6])
}

// cookieSession and bearerSession find the guest session token of a
// browser and of an app.
func cookieSession(c *fiber.Ctx) string { return c.Cookies(guestCookie(c.Params("token"))) }

func bearerSession(c *fiber.Ctx) string {
	tok, _ := bearerToken(c.Get(fiber.HeaderAuthorization))
	return tok
}

// openGuest resolves the link in :token and the session sessionOf finds.
// A dead link is ErrLinkGone (410) whatever the session says; a link not
// found and an album not published are 404.
func (a *App) openGuest(sessionOf func(*fiber.Ctx) string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("X-Robots-Tag", "noindex, nofollow")
		g, err := a.Gallery.OpenLink(ctx(c), c.Params("token"), sessionOf(c), c.IP())
		if err != nil {
			return err
		}
		c.Locals(localGuest, g)
		c.Locals(localStudio, g.Studio())
		return c.Next()
	}
}

// guestRendition answers a thumbnail or preview of a photo the guest sees.
// Looking is not downloading: the download settings do not apply, but a
// photo of a hidden folder is never found, and a guest never gets the
// clean preview of a watermarked album.
func (a *App) guestRendition(c *fiber.Ctx, g *gallery.GuestAccess, photo uuid.UUID, r rendition) error {
	p, _, err := a.Gallery.GuestPhoto(ctx(c), g, photo)
	if err != nil {
		return err
	}
	key, tag := p.ThumbKey, photoTag(string(r), p.SHA256)
	if r == renditionPreview {
		key = p.GuestPreviewKey(&g.Album)
		if g.Album.Watermark != nil { // a new watermark is a new image
			tag += "-" + strconv.FormatInt(g.Album.UpdatedAt.UnixMilli(), 36)
		}
	}
	if key == "" || (r != renditionThumb && r != renditionPreview) {
		return problem(fiber.StatusNotFound, "This photo is still being prepared. Try again in a minute.")
	}
	return a.sendRendition(c, object{Studio: g.Studio(), Key: key, Type: "image/jpeg", Tag: tag})
}

// guestDownload answers one photo as a download, original or web size,
// if the download rule allows it. Resumed ranges are checked again but
// counted once.
func (a *App) guestDownload(c *fiber.Ctx, g *gallery.GuestAccess, photo uuid.UUID, what string) error {
	d, err := a.Gallery.GuestDownload(ctx(c), g, photo, what)
	if err != nil {
		return err
	}
	return a.sendObject(c, object{Studio: g.Studio(), Key: d.Key, Type: d.Type, Name: d.Name,
		Tag:     fmt.Sprintf("%s-%08x", d.What, d.CRC32),
		Started: func() error { return a.Gallery.DownloadStarted(ctx(c), g, d) }})
}

// guestZip streams a zip of the album (folder nil) or of one folder. Its
// entries are stored with sizes known in advance, so Content-Length is
// exact and the browser shows real progress; nothing is spooled.
func (a *App) guestZip(c *fiber.Ctx, g *gallery.GuestAccess, folder *uuid.UUID, what string) error {
	z, err := a.Gallery.GuestZip(ctx(c), g, folder, what)
	if err != nil {
		return err
	}
	size, err := z.Size()
	if err != nil {
		return fmt.Errorf("app: zip size: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": z.Name}))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	if c.Method() == fiber.MethodHead { // the size, without a download
		c.Response().Header.SetContentLength(int(size))
		return nil
	}
	if err := a.Gallery.ZipStarted(ctx(c), g, z); err != nil {
		return err
	}
	// The body is written after the handler returns, when the request's
	// context has ended; a client that goes away fails the next write.
	bg := context.WithoutCancel(ctx(c))
	body := &zipBody{write: func(w io.Writer) error {
		return z.WriteTo(bg, w, func(ctx context.Context, key string) (io.ReadCloser, error) {
			return a.Gallery.Blobs.Open(ctx, g.Studio(), key)
		})
	}}
	allowSlowWrite(c, size)
	return c.SendStream(body, int(size))
}

// zipBody is a zip as a response body. fasthttp calls WriteTo, so the zip
// goes into the connection in the megabyte pieces its read-ahead yields:
// through a pipe, fasthttp's 4 KiB copies made streaming three times
// slower than reading the store. Read is there for any other reader,
// through a pipe.
type zipBody struct {
	write func(io.Writer) error
	pipe  *io.PipeReader
}

func (b *zipBody) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	err := b.write(cw)
	return cw.n, err
}

func (b *zipBody) Read(p []byte) (int, error) {
	if b.pipe == nil {
		pr, pw := io.Pipe()
		b.pipe = pr
		go func() { pw.CloseWithError(b.write(pw)) }()
	}
	return b.pipe.Read(p)
}

// Close ends a pipe still being written, when the client went away.
func (b *zipBody) Close() error {
	if b.pipe != nil {
		return b.pipe.Close()
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// guestZipExport answers a stored zip (see gallery.PrepareZip), with
// ranges, so a large download that breaks can resume.
func (a *App) guestZipExport(c *fiber.Ctx, g *gallery.GuestAccess, id uuid.UUID) error {
	x, err := a.Gallery.GuestZipExport(ctx(c), g, id)
	if err != nil {
		return err
	}
	switch x.Status {
	case "ready":
		return a.sendObject(c, object{Studio: g.Studio(), Key: x.ObjectKey, Type: "application/zip", Name: x.Name,
			Tag: "zip-" + x.ID.String()})
	case "failed":
		return problem(fiber.StatusGone, "This zip could not be made. Ask for it again.")
	}
	return problem(fiber.StatusConflict, "This zip is still being made. Try again in a minute.")
}
