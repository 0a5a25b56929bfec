package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// Uploads stream. Fiber runs with StreamRequestBody, so a handler is
// called after the first few KB of a body and reads the rest from the
// connection as it arrives; an upload of a 2 GB video then holds a few
// hundred KB of it in memory, never the whole file, and never writes
// plaintext to a temporary file (multipart pre-parsing is off too).
//
// That makes Config.BodyLimit a check of our own: limitBody refuses a body
// over it on every route except the upload routes below, which may take up
// to Config.UploadLimit and read their body as a stream.
var streamingRoutes = []*regexp.Regexp{
	regexp.MustCompile(`^/studio/albums/[^/]+/folders/[^/]+/uploads$`),       // uploads.go
	regexp.MustCompile(`^/api/v1/albums/[^/]+/folders/[^/]+/uploads/[^/]+$`), // tus PATCH, api_uploads.go
}

func streams(path string) bool {
	for _, re := range streamingRoutes {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

// limitBody enforces the body limits before any handler reads a body. A
// body of unknown length (chunked) on an ordinary route is read here, up to
// the limit, so handlers see it in memory as before.
func (a *App) limitBody(c *fiber.Ctx) error {
	limit := a.Config.BodyLimit
	streaming := streams(c.Path())
	if streaming {
		limit = a.Config.UploadLimit
	} else if takesSelfie(c.Path()) {
		limit = max(limit, selfieLimit) // a phone's photo, read into memory (faces_guest.go)
	}
	n := c.Request().Header.ContentLength()
	switch {
	case n > limit && streaming:
		return a.uploadProblem(c, problem(fiber.StatusRequestEntityTooLarge,
			"The file is too large: this server takes uploads of at most "+humanSize(int64(limit))+"."))
	case n > limit:
		return fiber.ErrRequestEntityTooLarge
	case n == -1 && !streaming:
		stream := c.Context().RequestBodyStream()
		if stream == nil {
			break
		}
		body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "The request body could not be read.")
		}
		if len(body) > limit {
			return fiber.ErrRequestEntityTooLarge
		}
		c.Request().SetBody(body)
	}
	return c.Next()
}

// uploadTimeout bounds one upload request, however slow the line: a 2 GB
// video at 5 Mbit/s takes under an hour.
const uploadTimeout = 3 * time.Hour

// uploadIdle is how long an upload may send nothing before it is dropped;
// the server's ReadTimeout would otherwise end any upload after 30 s.
const uploadIdle = 60 * time.Second

// uploadedPhoto is the 201 answer to an upload.
type uploadedPhoto struct {
	*gallery.Photo
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
}

// uploadPhoto stores one file, sent as the "file" part of a multipart
// body, in a folder, streaming it from the connection to the encrypted
// store. It answers JSON for the page's script: 201 with the photo, or a
// problem document with a message for the upload list.
func (a *App) uploadPhoto(c *fiber.Ctx) error {
	album, folder, err := albumAndFolder(c)
	if err != nil {
		return a.uploadProblem(c, err)
	}
	if err := a.checkFolder(c, album, folder); err != nil {
		return a.uploadProblem(c, err)
	}
	part, err := filePart(c, a.Config.UploadLimit)
	if err != nil {
		return a.uploadProblem(c, err)
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx(c)), uploadTimeout)
	defer cancel()
	name := strings.ToValidUTF8(part.FileName(), "_")
	p, err := a.Gallery.Upload(uctx, session(c).StudioID, album, folder, name, part, galleryActor(c))
	if err != nil {
		return a.uploadProblem(c, err)
	}
	out := uploadedPhoto{Photo: p, URL: photoPath(album, p.ID), ThumbURL: photoPath(album, p.ID) + "/thumb"}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// checkFolder answers 404 before anything else for a folder that is not
// the studio's (Upload checks again, in its transaction).
func (a *App) checkFolder(c *fiber.Ctx, album, folder uuid.UUID) error {
	folders, err := a.Gallery.Folders(ctx(c), session(c).StudioID, album)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.ID == folder {
			return nil
		}
	}
	return fmt.Errorf("app: upload to folder %s: %w", folder, gallery.ErrNotFound)
}

// filePart finds the file in a multipart body read as a stream. Fields
// before it are skipped (small ones only); the file must be named "file".
func filePart(c *fiber.Ctx, limit int) (*multipart.Part, error) {
	boundary := string(c.Request().Header.MultipartFormBoundary())
	if boundary == "" {
		return nil, problem(fiber.StatusBadRequest, "Send the file as multipart/form-data, in a part named “file”.")
	}
	var body io.Reader = c.Context().RequestBodyStream()
	if body == nil { // not streamed: the whole body is in memory already
		body = bytes.NewReader(c.Body())
	}
	body = &idleReader{r: &cappedReader{r: body, left: int64(limit) + 1}, c: c}
	mr := multipart.NewReader(body, boundary)
	for range 8 {
		part, err := mr.NextPart()
		switch {
		case err == io.EOF:
			return nil, problem(fiber.StatusBadRequest, "No file arrived. Choose a file and try again.")
		case err != nil:
			return nil, readProblem(err)
		case part.FormName() == "file" && part.FileName() != "":
			return part, nil
		}
		if _, err := io.Copy(io.Discard, io.LimitReader(part, 64<<10)); err != nil {
			return nil, readProblem(err)
		}
	}
	return nil, problem(fiber.StatusBadRequest, "Send one file per request, in a part named “file”.")
}

// readProblem describes a body that broke off or ran over the limit.
func readProblem(err error) error {
	if errors.Is(err, fiber.ErrRequestEntityTooLarge) {
		return err
	}
	p := problem(fiber.StatusBadRequest, "The upload was interrupted. Try again.")
	p.err = err
	return p
}

// uploadProblem answers an upload's failure as a problem document (the
// page's script shows its detail next to the file), whatever the path.
func (a *App) uploadProblem(c *fiber.Ctx, err error) error {
	var fe *gallery.FileError
	switch {
	case errors.As(err, &fe):
		p := toProblem(err)
		p.Detail, p.err = fe.Message, err // the gallery's words: which limit, which duplicate
		err = p
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, multipart.ErrMessageTooLarge):
		err = readProblem(err)
	}
	p := toProblem(err)
	c.Locals(localErr, err)
	if p.Status >= 500 {
		a.Log.Error("upload failed", "request_id", requestID(c), "err", err)
	}
	return c.Status(p.Status).JSON(p, "application/problem+json")
}

// cappedReader fails with 413 past its limit (a chunked body has no length
// to check up front).
type cappedReader struct {
	r    io.Reader
	left int64
}

func (r *cappedReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, fiber.ErrRequestEntityTooLarge
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.r.Read(p)
	r.left -= int64(n)
	return n, err
}

// idleReader pushes the connection's read deadline forward while bytes keep
// coming, at most once a second.
type idleReader struct {
	r    io.Reader
	c    *fiber.Ctx
	last time.Time
}

func (r *idleReader) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(r.last) > time.Second {
		_ = r.c.Context().SetReadDeadline(now.Add(uploadIdle))
		r.last = now
	}
	return r.r.Read(p)
}
