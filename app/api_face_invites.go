package app

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
)

// apiFaceInviteRoutes is face search for native apps: what the /f/:token
// pages do, under /api/v1/face-invites/:token. The invite's token is in
// the path (named "token", so the log line redacts it); the registration
// is a bearer token from POST …/registrations. A selfie is posted as a
// picture body or a multipart form; either way it is read into memory,
// never a file, and zeroed after.
func (a *App) apiFaceInviteRoutes(r fiber.Router) {
	open := func(whenGone bool) fiber.Handler { return a.openFace(bearerSession, whenGone) }
	invite := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{noStore, open(false), requireJSON}, h...)
	}
	registered := func(whenGone bool, h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{noStore, open(whenGone), faceRegistered, requireJSON}, h...)
	}
	const s = "/face-invites/:token"
	r.Get(s, invite(a.apiFaceInvite)...)
	r.Post(s+"/registrations", invite(a.apiFaceRegister)...)
	r.Get(s+"/registration", registered(false, a.apiFaceRegistration)...)
	r.Delete(s+"/registration", registered(true, a.apiFaceUnregister)...)
	r.Post(s+"/search", noStore, open(false), faceRegistered, a.apiFaceSearch) // a picture, not JSON
	r.Get(s+"/photos", registered(false, a.apiFacePhotos)...)
	r.Get(s+"/photos/:photo/thumb", registered(false, a.faceImage(renditionThumb))...)
	r.Get(s+"/photos/:photo/preview", registered(false, a.faceImage(renditionPreview))...)
	r.Get(s+"/photos/:photo/download", registered(false, a.faceFile)...)
}

const faceRealm = `Bearer realm="proofsheet-face"`

// faceRegistered lets through only a guest holding a registration of
// this invite.
func faceRegistered(c *fiber.Ctx) error {
	if faceVisit(c).Registration != nil {
		return c.Next()
	}
	if _, sent := bearerToken(c.Get(fiber.HeaderAuthorization)); sent {
		c.Set(fiber.HeaderWWWAuthenticate, faceRealm+`, error="invalid_token"`)
		return problem(fiber.StatusUnauthorized, "This registration is not valid for this invite: it was deleted or belongs to another invite. Register with POST …/registrations.")
	}
	c.Set(fiber.HeaderWWWAuthenticate, faceRealm)
	return problem(fiber.StatusUnauthorized, "Register with POST …/registrations, then send its token in the Authorization header: Bearer ….")
}

func apiFaceBase(c *fiber.Ctx) string { return "/api/v1/face-invites/" + c.Params("token") }

// faceInviteJSON is what anyone holding the invite may know, with the
// explanation to show before the camera opens.
type faceInviteJSON struct {
	Event            string                `json:"event"`
	StudioName       string                `json:"studio_name"`
	ExpiresAt        *time.Time            `json:"expires_at"`
	RegistrationOpen bool                  `json:"registration_open"` // false when the cap is reached
	Photos           int                   `json:"photos"`            // photos a search looks through
	Consent          faces.Consent         `json:"consent"`
	Registration     *faceRegistrationJSON `json:"registration"`
}

type faceRegistrationJSON struct {
	ID             uuid.UUID  `json:"id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	ConsentVersion string     `json:"consent_version"`
	ConsentAt      time.Time  `json:"consent_at"`
	Bound          bool       `json:"bound"`
	BoundAt        *time.Time `json:"bound_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

func registrationJSON(r *faces.Registration) *faceRegistrationJSON {
	if r == nil {
		return nil
	}
	return &faceRegistrationJSON{ID: r.ID, Name: r.Name, Email: r.Email, ConsentVersion: r.ConsentVersion,
		ConsentAt: r.ConsentAt.UTC(), Bound: r.Bound(), BoundAt: utcp(r.BoundAt), CreatedAt: r.CreatedAt.UTC()}
}

// apiFaceInvite is GET /api/v1/face-invites/{token}.
func (a *App) apiFaceInvite(c *fiber.Ctx) error {
	v := faceVisit(c)
	coll, err := a.Faces.Collection(ctx(c), v.Studio(), v.Invite.CollectionID)
	if err != nil {
		return err
	}
	studio := a.faceStudioName(c)
	return c.JSON(faceInviteJSON{Event: v.Collection, StudioName: studio, ExpiresAt: utcp(v.Invite.ExpiresAt),
		RegistrationOpen: !v.Invite.Full(), Photos: coll.Progress.Indexed - coll.Progress.Failed,
		Consent: faces.ConsentText(studio, v.Collection), Registration: registrationJSON(v.Registration)})
}

type newFaceRegistrationJSON struct {
	Token        string                `json:"token"`
	Registration *faceRegistrationJSON `json:"registration"`
}

// apiFaceRegister is POST /api/v1/face-invites/{token}/registrations: the
// guest's name, e-mail and consent to the text of consent_version. The
// answer holds the registration's token, shown this once.
func (a *App) apiFaceRegister(c *fiber.Ctx) error {
	var in faces.RegisterInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v := faceVisit(c)
	v.Registration = nil // a new registration, whatever token was sent
	token, err := a.Guests.Register(ctx(c), v, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newFaceRegistrationJSON{Token: token, Registration: registrationJSON(v.Registration)})
}

// apiFaceRegistration is GET …/registration: the caller's registration.
func (a *App) apiFaceRegistration(c *fiber.Ctx) error {
	return c.JSON(registrationJSON(faceVisit(c).Registration))
}

// apiFaceUnregister is DELETE …/registration: the registration and its
// face go at once, even after the invite has ended.
func (a *App) apiFaceUnregister(c *fiber.Ctx) error {
	if err := a.Guests.DeleteRegistration(ctx(c), faceVisit(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// facePhotoJSON is one photo the guest is on.
type facePhotoJSON struct {
	ID          string  `json:"id"`
	Filename    string  `json:"filename"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	Placeholder *string `json:"placeholder"`
	ThumbURL    string  `json:"thumb_url"`
	PreviewURL  string  `json:"preview_url"`
	WebURL      *string `json:"web_url"`      // null when the web size may not be downloaded
	OriginalURL *string `json:"original_url"` // null when the original may not be downloaded
}

type facePhotosJSON struct {
	Bound  *bool           `json:"bound,omitempty"` // on a search: this selfie bound the registration
	Photos []facePhotoJSON `json:"photos"`
}

func (a *App) facePhotosJSON(c *fiber.Ctx, ms []faces.PhotoMatch) (*facePhotosJSON, error) {
	tiles, err := a.faceTiles(c, ms, apiFaceBase(c))
	if err != nil {
		return nil, err
	}
	out := &facePhotosJSON{Photos: make([]facePhotoJSON, len(tiles))}
	for i, t := range tiles {
		out.Photos[i] = facePhotoJSON{ID: t.ID, Filename: t.Name, Width: t.Width, Height: t.Height,
			Placeholder: nonEmpty(t.Placeholder), ThumbURL: t.Thumb, PreviewURL: t.Preview,
			WebURL: nonEmpty(t.Web), OriginalURL: nonEmpty(t.Original)}
	}
	return out, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apiFacePhotos is GET …/photos: the photos of the registered face.
func (a *App) apiFacePhotos(c *fiber.Ctx) error {
	v := faceVisit(c)
	if !v.Registration.Bound() {
		return problem(fiber.StatusConflict, "Send a selfie first: POST …/search.")
	}
	ms, err := a.Guests.RegisteredPhotos(ctx(c), v)
	if err != nil {
		return err
	}
	out, err := a.facePhotosJSON(c, ms)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiFaceSearch is POST …/search with a selfie: an image/jpeg, image/png
// or image/webp body, or multipart/form-data with the picture in the part
// "selfie".
func (a *App) apiFaceSearch(c *fiber.Ctx) error {
	body := apiBody(c)
	defer clear(body)
	picture, err := selfieOf(c, body)
	if err != nil {
		return err
	}
	res, err := a.Guests.Search(ctx(c), faceVisit(c), picture)
	if err != nil {
		setRetryAfter(c, err)
		return err
	}
	out, err := a.facePhotosJSON(c, res.Photos)
	if err != nil {
		return err
	}
	out.Bound = &res.Bound
	return c.JSON(out)
}

// selfieOf takes the picture out of the request body, in memory.
func selfieOf(c *fiber.Ctx, body []byte) ([]byte, error) {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, problem(fiber.StatusUnsupportedMediaType, "Send the selfie uncompressed.")
	}
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	switch {
	case err == nil && strings.HasPrefix(mt, "image/"):
		return body, nil
	case err == nil && mt == "multipart/form-data" && params["boundary"] != "":
		return selfiePart(body, params["boundary"])
	}
	return nil, problem(fiber.StatusUnsupportedMediaType, "Send the selfie as an image/jpeg, image/png or image/webp body, or as the part \"selfie\" of multipart/form-data.")
}

// selfiePart reads the part "selfie" of a multipart body. The parts are
// read one by one from memory: unlike ReadForm, nothing spills to a
// temporary file.
func selfiePart(body []byte, boundary string) ([]byte, error) {
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, fieldError("selfie", "Put the picture in the part named \"selfie\".")
		}
		if err != nil {
			return nil, problem(fiber.StatusBadRequest, "The multipart body could not be read.")
		}
		if p.FormName() == "selfie" {
			b, err := io.ReadAll(p)
			if err != nil {
				return nil, problem(fiber.StatusBadRequest, "The multipart body could not be read.")
			}
			return b, nil
		}
	}
}
