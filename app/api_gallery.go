package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/gallery"
)

// apiGalleryRoutes is the studio's gallery in the JSON API, for native
// apps: one table, handlers in api_<resource>.go. Every route acts in the
// token's studio only: another studio's ids are simply not found.
func (a *App) apiGalleryRoutes(r fiber.Router, api func(...fiber.Handler) []fiber.Handler) {
	r.Get("/clients", api(a.apiClients)...)
	r.Post("/clients", api(a.apiCreateClient)...)
	r.Get("/clients/:client", api(a.apiClient)...)
	r.Patch("/clients/:client", api(a.apiUpdateClient)...)
	r.Delete("/clients/:client", api(a.apiDeleteClient)...)

	r.Get("/albums", api(a.apiAlbums)...)
	r.Post("/albums", api(a.apiCreateAlbum)...)
	r.Get("/albums/:album", api(a.apiAlbum)...)
	r.Patch("/albums/:album", api(a.apiUpdateAlbum)...)
	r.Delete("/albums/:album", api(a.apiDeleteAlbum)...)
	r.Get("/albums/:album/progress", api(a.apiAlbumProgress)...)
	r.Put("/albums/:album/pins", api(a.apiSetPINs)...)

	r.Get("/albums/:album/folders", api(a.apiFolders)...)
	r.Post("/albums/:album/folders", api(a.apiCreateFolder)...)
	r.Get("/albums/:album/folders/:folder", api(a.apiFolder)...)
	r.Patch("/albums/:album/folders/:folder", api(a.apiUpdateFolder)...)
	r.Delete("/albums/:album/folders/:folder", api(a.apiDeleteFolder)...)
	a.apiUploadRoutes(r)

	r.Get("/albums/:album/photos", api(a.apiPhotos)...)
	r.Get("/albums/:album/photos/:photo", api(a.apiPhoto)...)
	r.Delete("/albums/:album/photos/:photo", api(a.apiDeletePhoto)...)
	r.Post("/albums/:album/photos/:photo/move", api(a.apiMovePhoto)...)
	r.Post("/albums/:album/photos/:photo/cover", api(a.apiSetCover)...)
	r.Get("/albums/:album/photos/:photo/original", api(a.apiPhotoFile(fileOriginal))...)
	r.Get("/albums/:album/photos/:photo/preview", api(a.apiPhotoFile(filePreview))...)
	r.Get("/albums/:album/photos/:photo/thumb", api(a.apiPhotoFile(fileThumb))...)
	r.Get("/albums/:album/photos/:photo/annotations", api(a.apiAnnotations)...)
	r.Post("/albums/:album/annotations/:annotation/replies", api(a.apiReply)...)
	r.Patch("/albums/:album/annotations/:annotation", api(a.apiResolve)...)

	r.Get("/albums/:album/links", api(a.apiLinks)...)
	r.Post("/albums/:album/links", api(a.apiCreateLink)...)
	r.Post("/albums/:album/links/:link/revoke", api(a.apiRevokeLink)...)
	r.Post("/albums/:album/links/:link/regenerate", api(a.apiRegenerateLink)...)

	r.Get("/albums/:album/selections", api(a.apiSelections)...)
	r.Get("/albums/:album/selections/:selection/photos", api(a.apiSelectionPhotos)...)
	r.Get("/albums/:album/selections/:selection/selection.csv", api(a.apiSelectionExport(exportAsCSV))...)
	r.Get("/albums/:album/selections/:selection/lightroom.txt", api(a.apiSelectionExport(exportAsLightroom))...)

	r.Get("/albums/:album/activity", api(a.apiActivity)...)
	r.Get("/notifications", api(a.apiNotifications)...)
	r.Post("/notifications/read", api(a.apiMarkNotificationsRead)...)
}

// apiStudio is the studio the request's token belongs to.
func apiStudio(c *fiber.Ctx) uuid.UUID { return apiCaller(c).Token.StudioID }

// apiGalleryActor is the token's user acting in the gallery; the audit log
// names the token too.
func apiGalleryActor(c *fiber.Ctx) gallery.Actor {
	cl := apiCaller(c)
	return gallery.Actor{UserID: cl.User.ID, TokenID: cl.Token.ID, IP: c.IP()}
}

// apiID reads an id from the path; a malformed one is simply not found,
// like an id of another studio.
func apiID(c *fiber.Ctx, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(name))
	if err != nil {
		return uuid.Nil, fmt.Errorf("app: %s %q: %w", name, c.Params(name), gallery.ErrNotFound)
	}
	return id, nil
}

// apiIDs reads several ids from the path, in order.
func apiIDs(c *fiber.Ctx, names ...string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(names))
	for i, n := range names {
		id, err := apiID(c, n)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// fieldError is bad input caught in a handler, reported like the
// gallery's own: 422 with the field named in `errors`.
func fieldError(field, msg string) error { return &gallery.InputError{Field: field, Message: msg} }

// queryError is a bad query parameter: 400, as in /audit.
func queryError(msg string) error { return problem(fiber.StatusBadRequest, msg) }

// pageLimit reads ?limit between 1 and max, def when absent.
func pageLimit(c *fiber.Ctx, def, max int) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, queryError("limit must be a number from 1 to " + strconv.Itoa(max) + ".")
	}
	return n, nil
}

// recordAPI writes an audit entry for something the gallery does not
// record itself: a studio member reading client data out (downloads,
// exports).
func (a *App) recordAPI(c *fiber.Ctx, kind string, detail map[string]any) error {
	studio := apiStudio(c)
	return a.DB.InStudio(ctx(c), studio, func(tx *gorm.DB) error {
		return galleryAudit{a.Audit}.Record(ctx(c), tx, studio, apiGalleryActor(c), kind, detail)
	})
}

// opt is a field of a PATCH body that may be absent (leave it), null
// (clear it) or a value (set it).
type opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// UnmarshalJSON is called for null too, so absent and null differ. Unknown
// fields in a nested object are refused like everywhere else.
func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&o.V)
}

// isField reports whether err is bad input about field.
func isField(err error, field string) bool {
	var ie *gallery.InputError
	return errors.As(err, &ie) && ie.Field == field
}
