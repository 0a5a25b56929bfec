package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/gallery"
)

// Resumable uploads for native apps: tus 1.0.0 (https://tus.io/protocols/
// resumable-upload) with the creation, termination and expiration
// extensions. An app creates an upload in a folder with the file's length
// and name, sends the bytes in PATCH requests from the offset the server
// reports, asks with HEAD where to resume after an interruption, and the
// request that brings the last byte makes the photo. The gallery stores
// each PATCH's bytes as one encrypted part and joins them at the end
// (gallery/uploads.go); an upload that gets no bytes for 24 hours is
// deleted with its parts.

const (
	tusVersion    = "1.0.0"
	tusExtensions = "creation,termination,expiration"
	tusChunkType  = "application/offset+octet-stream"
	// tusPatchTime bounds a PATCH: the last one also joins every part into
	// the original, which for a 2 GB video takes longer than the usual
	// request deadline.
	tusPatchTime = 30 * time.Minute
)

// apiUploadRoutes is the tus endpoint; api.go's table calls it. These
// routes take no JSON, so they skip requireJSON, and announce the protocol
// version on every answer, errors included.
func (a *App) apiUploadRoutes(r fiber.Router) {
	tus := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{tusResumable, a.bearer}, h...)
	}
	const uploads = "/albums/:album/folders/:folder/uploads"
	r.Options(uploads, a.tusOptions)
	r.Post(uploads, tus(a.tusCreate)...)
	r.Head(uploads+"/:upload", tus(a.tusHead)...)
	r.Patch(uploads+"/:upload", tus(a.tusPatch)...)
	r.Delete(uploads+"/:upload", tus(a.tusDelete)...)
}

// tusResumable checks the client speaks tus 1.0.0 (412 otherwise, naming
// the versions the server speaks) and marks the answer as tus.
func tusResumable(c *fiber.Ctx) error {
	c.Set("Tus-Resumable", tusVersion)
	if v := c.Get("Tus-Resumable"); v != tusVersion {
		c.Set("Tus-Version", tusVersion)
		return problem(fiber.StatusPreconditionFailed, "Send Tus-Resumable: 1.0.0; this server speaks tus 1.0.0.")
	}
	return c.Next()
}

// tusOptions is OPTIONS …/uploads: what the server supports. It needs no
// token and says nothing about the album.
func (a *App) tusOptions(c *fiber.Ctx) error {
	c.Set("Tus-Resumable", tusVersion)
	c.Set("Tus-Version", tusVersion)
	c.Set("Tus-Extension", tusExtensions)
	c.Set("Tus-Max-Size", strconv.FormatInt(a.Gallery.MaxUploadSize(), 10))
	return c.SendStatus(fiber.StatusNoContent)
}

// tusCreate is POST …/uploads (creation): Upload-Length is the file's size
// and Upload-Metadata carries its name ("filename", or "name", base64).
// A size over the largest the gallery takes is refused before any byte.
func (a *App) tusCreate(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "folder")
	if err != nil {
		return err
	}
	if c.Get("Upload-Defer-Length") != "" {
		return problem(fiber.StatusBadRequest, "Deferred lengths are not supported: send Upload-Length.")
	}
	size, err := strconv.ParseInt(c.Get("Upload-Length"), 10, 64)
	if err != nil || size < 0 {
		return problem(fiber.StatusBadRequest, "Send Upload-Length: the file's size in bytes.")
	}
	meta, err := tusMetadata(c.Get("Upload-Metadata"))
	if err != nil {
		return err
	}
	name := meta["filename"]
	if name == "" {
		name = meta["name"]
	}
	u, err := a.Gallery.CreateUpload(ctx(c), apiStudio(c), ids[0], ids[1], name, size, apiGalleryActor(c))
	if err != nil {
		return err
	}
	c.Location(tusURL(u))
	c.Set("Upload-Expires", u.ExpiresAt.UTC().Format(http.TimeFormat))
	c.Set("Upload-Offset", "0")
	c.Status(fiber.StatusCreated)
	return nil
}

func tusURL(u *gallery.Upload) string {
	return fmt.Sprintf("/api/v1/albums/%s/folders/%s/uploads/%s", u.AlbumID, u.FolderID, u.ID)
}

// tusMetadata reads "key base64, key base64, key" (values may be absent).
func tusMetadata(h string) (map[string]string, error) {
	out := map[string]string{}
	bad := problem(fiber.StatusBadRequest, "Upload-Metadata must be comma-separated pairs of a key and a base64 value, with \"filename\" among them.")
	for _, pair := range strings.Split(h, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, val, _ := strings.Cut(pair, " ")
		if _, dup := out[key]; dup || key == "" {
			return nil, bad
		}
		v, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil {
			if v, err = base64.RawStdEncoding.DecodeString(strings.TrimSpace(val)); err != nil {
				return nil, bad
			}
		}
		out[key] = string(v)
	}
	return out, nil
}

// tusUpload finds the upload of the path, in the path's album and folder.
// Unknown, expired, finished, abandoned or another studio's: not found.
func (a *App) tusUpload(c *fiber.Ctx) (*gallery.Upload, error) {
	ids, err := apiIDs(c, "album", "folder", "upload")
	if err != nil {
		return nil, err
	}
	u, err := a.Gallery.ResumableUpload(ctx(c), apiStudio(c), ids[2])
	if err != nil {
		return nil, err
	}
	if u.AlbumID != ids[0] || u.FolderID != ids[1] {
		return nil, fmt.Errorf("app: upload %s is not in folder %s: %w", u.ID, ids[1], gallery.ErrNotFound)
	}
	return u, nil
}

// tusState puts where an upload stands into the answer's headers.
func tusState(c *fiber.Ctx, u *gallery.Upload) {
	c.Set("Upload-Offset", strconv.FormatInt(u.Received, 10))
	c.Set("Upload-Length", strconv.FormatInt(u.Size, 10))
	c.Set("Upload-Expires", u.ExpiresAt.UTC().Format(http.TimeFormat))
}

// tusHead is HEAD …/uploads/{upload}: where to resume.
func (a *App) tusHead(c *fiber.Ctx) error {
	u, err := a.tusUpload(c)
	if err != nil {
		return err
	}
	tusState(c, u)
	c.Set("Upload-Metadata", "filename "+base64.StdEncoding.EncodeToString([]byte(u.Filename)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(fiber.StatusOK)
	return nil
}

// tusPatch is PATCH …/uploads/{upload}: the bytes from Upload-Offset on.
// The offset must be where the upload stands (409 otherwise: ask HEAD);
// more bytes than the declared length are refused (413). The request that
// completes the upload answers with the new photo's id.
func (a *App) tusPatch(c *fiber.Ctx) error {
	if mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); mt != tusChunkType {
		return problem(fiber.StatusUnsupportedMediaType, "Send the bytes with Content-Type: "+tusChunkType+".")
	}
	offset, err := strconv.ParseInt(c.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		return problem(fiber.StatusBadRequest, "Send Upload-Offset: the byte the request's body starts at.")
	}
	u, err := a.tusUpload(c)
	if err != nil {
		return err
	}
	if offset != u.Received {
		return problem(fiber.StatusConflict, fmt.Sprintf("The upload is at byte %d, not %d: resume from there.", u.Received, offset))
	}
	if n := c.Request().Header.ContentLength(); n >= 0 && offset+int64(n) > u.Size {
		return tusTooMuch(u)
	}
	cx, cancel := context.WithTimeout(context.WithoutCancel(ctx(c)), tusPatchTime)
	defer cancel()
	body := &bodyReader{r: requestBody(c)}
	now, p, err := a.Gallery.AppendUpload(cx, apiStudio(c), u.ID, offset, body, apiGalleryActor(c))
	switch {
	case body.err != nil:
		prob := problem(fiber.StatusBadRequest, "The request's body could not be read and none of it was kept: ask where the upload stands (HEAD) and resume from there.")
		prob.err = errors.Join(body.err, err)
		return prob
	case errors.Is(err, gallery.ErrBeyondLength): // a chunked body, so no Content-Length to check first
		return tusTooMuch(u)
	case errors.Is(err, gallery.ErrDuplicate):
		// Not the usual 409: tus clients retry a 409 from scratch, which
		// would send the duplicate again and again.
		prob := problem(fiber.StatusUnprocessableEntity, safeMessage(err))
		prob.err = err
		return prob
	case err != nil:
		return err
	}
	tusState(c, now)
	if p != nil {
		c.Set("Proofsheet-Photo-Id", p.ID.String())
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func tusTooMuch(u *gallery.Upload) error {
	return problem(fiber.StatusRequestEntityTooLarge,
		fmt.Sprintf("The request has more bytes than the upload's declared length of %d.", u.Size))
}

// requestBody is the request's body as a stream when the server streams
// it (then the connection's read deadline moves on while bytes arrive,
// as for the studio's uploads), else the body read already.
func requestBody(c *fiber.Ctx) io.Reader {
	if s := c.Context().RequestBodyStream(); s != nil {
		return &idleReader{r: s, c: c}
	}
	return bytes.NewReader(c.Request().Body())
}

// bodyReader ends a body whose connection closed early where it broke
// off: tus asks the server to keep as much as arrived, and HEAD then
// tells the client where to resume. Any other failure to read (a stalled
// client timing out) keeps nothing and is remembered, to tell it from a
// failure of the store.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = io.EOF
	case err != nil && err != io.EOF:
		b.err = err
	}
	return n, err
}

// tusDelete is DELETE …/uploads/{upload} (termination): the bytes so far
// are deleted.
func (a *App) tusDelete(c *fiber.Ctx) error {
	u, err := a.tusUpload(c)
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteUpload(ctx(c), apiStudio(c), u.ID, apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
