package app

import (
	"errors"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// consentView is the first page of an invite: what happens to the face,
// in plain words, and the registration with consent. The camera opens
// only on the next page.
type consentView struct {
	Title   string // the event
	Consent faces.Consent
	Action  string
	Name    string
	Email   string
	Errors  map[string]string
}

// cameraView is the selfie page: the camera in a circle, one button.
type cameraView struct {
	Title     string
	Base      string
	SearchURL string
	PhotosURL string
	Photos    string // how many photos the search looks through, for the progress line
	Bound     bool   // a selfie was accepted before: the results page has photos to show
	DeleteURL string
}

// faceHome is GET /f/:token: the consent page for a new guest, else the
// camera.
func (a *App) faceHome(c *fiber.Ctx) error {
	v := faceVisit(c)
	if v.Registration == nil {
		if v.Invite.Full() {
			return faces.ErrInviteFull
		}
		return a.consentPage(c, fiber.StatusOK, consentView{})
	}
	coll, err := a.Faces.Collection(ctx(c), v.Studio(), v.Invite.CollectionID)
	if err != nil {
		return err
	}
	photos, err := a.Gallery.CountVisible(ctx(c), v.Studio(), coll.AlbumIDs)
	if err != nil {
		return err
	}
	base := faceBase(c)
	return a.renderFace(c, fiber.StatusOK, "face_camera", cameraView{Title: v.Collection, Base: base,
		SearchURL: base + "/search", PhotosURL: base + "/photos", Photos: thousands(photos),
		Bound: v.Registration.Bound(), DeleteURL: base + "/delete"})
}

func (a *App) consentPage(c *fiber.Ctx, status int, v consentView) error {
	visit := faceVisit(c)
	v.Title = visit.Collection
	v.Consent = faces.ConsentText(a.faceStudioName(c), visit.Collection)
	v.Action = faceBase(c) + "/register"
	return a.renderFace(c, status, "face_consent", v)
}

// faceRegister is POST /f/:token/register: name, e-mail and the ticked
// consent. The registration's token goes into a cookie of this invite.
func (a *App) faceRegister(c *fiber.Ctx) error {
	v := faceVisit(c)
	if v.Registration != nil {
		return c.Redirect(faceBase(c), fiber.StatusSeeOther)
	}
	in := faces.RegisterInput{Name: c.FormValue("name"), Email: c.FormValue("email"),
		Consent: c.FormValue("consent") == "1", ConsentVersion: c.FormValue("consent_version")}
	token, err := a.Guests.Register(ctx(c), v, in)
	var ie *faces.InputError
	if errors.As(err, &ie) {
		return a.consentPage(c, fiber.StatusUnprocessableEntity, consentView{Name: in.Name, Email: in.Email,
			Errors: map[string]string{ie.Field: ie.Message}})
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: faceCookie(c.Params("token")), Value: token, Path: "/", Expires: registrationCookieEnd(v, a.now()),
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(faceBase(c), fiber.StatusSeeOther)
}

// registrationCookieEnd keeps the cookie as long as the invite, at most
// half a year: a guest comes back to new photos after the event.
func registrationCookieEnd(v *faces.Visit, now time.Time) time.Time {
	end := now.Add(183 * 24 * time.Hour)
	if e := v.Invite.ExpiresAt; e != nil && e.Before(end) {
		end = *e
	}
	return end
}

// searchJSON is the answer to a selfie: how many photos, and where.
type searchJSON struct {
	Photos int    `json:"photos"`
	Bound  bool   `json:"bound"`
	Text   string `json:"text"`
	URL    string `json:"url"`
}

// faceSearch is POST /f/:token/search from the camera page's script: the
// selfie as an image body (image/jpeg from the canvas). It is decoded and
// embedded in memory; the body's bytes are zeroed after.
func (a *App) faceSearch(c *fiber.Ctx) error {
	body := c.Request().Body()
	defer clear(body)
	if err := selfieType(c.Get(fiber.HeaderContentType)); err != nil {
		return err
	}
	res, err := a.Guests.Search(ctx(c), faceVisit(c), body)
	if err != nil {
		return err
	}
	return c.JSON(searchJSON{Photos: len(res.Photos), Bound: res.Bound, Text: foundText(len(res.Photos)),
		URL: faceBase(c) + "/photos"})
}

// selfieType accepts a picture body; anything else is a 415.
func selfieType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !strings.HasPrefix(mt, "image/") {
		return problem(fiber.StatusUnsupportedMediaType, "Send the selfie as a JPEG, PNG or WebP picture (Content-Type image/jpeg, image/png or image/webp).")
	}
	return nil
}

func foundText(n int) string {
	if n == 0 {
		return "We did not find you in the photos yet."
	}
	return "We found you in " + plural(n, "photo", "photos") + "."
}

// facePhotosView is the guest's results: exactly the photos they are on.
type facePhotosView struct {
	Title       string
	Base        string
	Count       string
	Tiles       []faceTile
	DeleteURL   string
	CanAnnotate bool // the shared lightbox asks; never for event guests
}

// faceTile is one photo of the results, shaped for the guest lightbox.
type faceTile struct {
	ID            string
	Name          string
	Thumb         string
	Preview       string
	Width, Height int
	Ratio         string
	Placeholder   string
	Original, Web string // download addresses, only when the download rule allows them
}

// facePhotosPage is GET /f/:token/photos: the photos of the registered
// face, for a guest whose selfie was accepted.
func (a *App) facePhotosPage(c *fiber.Ctx) error {
	v := faceVisit(c)
	if v.Registration == nil || !v.Registration.Bound() {
		return c.Redirect(faceBase(c), fiber.StatusSeeOther)
	}
	ms, err := a.Guests.RegisteredPhotos(ctx(c), v)
	if err != nil {
		return err
	}
	tiles, err := a.faceTiles(c, ms, faceBase(c))
	if err != nil {
		return err
	}
	base := faceBase(c)
	return a.renderFace(c, fiber.StatusOK, "face_photos", facePhotosView{Title: v.Collection, Base: base,
		Count: foundText(len(tiles)), Tiles: tiles, DeleteURL: base + "/delete"})
}

// faceTiles reads the matched photos from the gallery, which leaves out
// what the guest may not see, and offers downloads as the rule allows;
// the files' addresses are under base (the page's or the API's).
func (a *App) faceTiles(c *fiber.Ctx, ms []faces.PhotoMatch, base string) ([]faceTile, error) {
	vs, err := a.Gallery.VisiblePhotos(ctx(c), faceVisit(c).Studio(), matchIDs(ms))
	if err != nil {
		return nil, err
	}
	out := make([]faceTile, len(vs))
	for i, vp := range vs {
		p := &vp.Photo
		url := base + "/photos/" + p.ID.String()
		t := faceTile{ID: p.ID.String(), Name: p.Filename, Thumb: url + "/thumb", Preview: url + "/preview",
			Width: p.Width, Height: p.Height, Ratio: ratioClass(p.Width, p.Height), Placeholder: p.Placeholder}
		if gallery.MayDownload(&vp.Album, &vp.Folder, gallery.DownloadOriginal) == nil {
			t.Original = url + "/download?size=" + gallery.DownloadOriginal
		}
		if gallery.MayDownload(&vp.Album, &vp.Folder, gallery.DownloadWeb) == nil {
			t.Web = url + "/download?size=" + gallery.DownloadWeb
		}
		out[i] = t
	}
	return out, nil
}

// faceDeletedView is the page after a guest deleted their registration.
type faceDeletedView struct {
	Title string
	Again string // the invite, when it is still open
}

// faceDelete is POST /f/:token/delete: the registration and its face go
// at once, whatever the invite's state; the cookie goes too.
func (a *App) faceDelete(c *fiber.Ctx) error {
	v := faceVisit(c)
	if v.Registration != nil {
		if err := a.Guests.DeleteRegistration(ctx(c), v); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: faceCookie(c.Params("token")), Value: "", Path: "/", MaxAge: -1,
		Expires: time.Unix(0, 0), Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	if wantsJSON(c) {
		return c.SendStatus(fiber.StatusNoContent)
	}
	view := faceDeletedView{Title: v.Collection}
	if v.Invite.Usable(a.now()) {
		view.Again = faceBase(c)
	}
	return a.renderFace(c, fiber.StatusOK, "face_deleted", view)
}
