package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/frontend"
)

// Face search for event guests: an invite link of a collection at
// /f/:token (pages, with the registration in a cookie) and
// /api/v1/face-invites/:token (apps, with the registration token as a
// bearer token). The invite is resolved first on every route; a dead one
// is a 410 except for deleting one's registration, which always works.
// Handlers: faces_guest_pages.go (consent, camera, results, delete),
// faces_guest_files.go (thumbnails, previews, downloads of the photos the
// guest is on), api_face_invites.go (the API).

// newFaceGuests is the guest side of face search, wired to the database,
// the face pipeline, the gallery's visibility rule and the configured
// limits.
func (a *App) newFaceGuests() *faces.Guests {
	return faces.NewGuests(a.Faces, faces.GuestDeps{
		StudioOf: a.DB.StudioOf,
		Selfies:  a.FacePipeline,
		Photos:   visiblePhotos{a},
		Limits:   faces.Limits{PerRegistration: a.Config.FaceSearchLimit, PerClient: a.Config.FaceSearchIPLimit},
	})
}

// OneFace finds the one face of a selfie (faces.Selfies).
func (f *FacePipeline) OneFace(ctx context.Context, img *faces.RGB) (faces.Face, error) {
	p, err := f.Pipeline()
	if err != nil {
		return faces.Face{}, err
	}
	return p.OneFace(ctx, img)
}

// visiblePhotos is the gallery's rule of what an event guest may see.
type visiblePhotos struct{ a *App }

func (v visiblePhotos) Visible(ctx context.Context, studio uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error) {
	vs, err := v.a.Gallery.VisiblePhotos(ctx, studio, ids)
	if err != nil {
		return nil, err
	}
	out := make([]uuid.UUID, len(vs))
	for i, p := range vs {
		out[i] = p.Photo.ID
	}
	return out, nil
}

// Selfie routes take a picture body larger than Config.BodyLimit: a
// native app may send its camera's photo as it is. The body is read into
// memory (limitBody), never to a file, and decoded there.
const selfieLimit = 12 << 20

var selfieRoutes = []*regexp.Regexp{
	regexp.MustCompile(`^/f/[^/]+/search$`),
	regexp.MustCompile(`^/api/v1/face-invites/[^/]+/search$`),
}

func takesSelfie(path string) bool {
	for _, re := range selfieRoutes {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

const localFaceVisit = "face_visit"

// faceVisit is the request's invite and registration, set by openFace.
func faceVisit(c *fiber.Ctx) *faces.Visit {
	v, _ := c.Locals(localFaceVisit).(*faces.Visit)
	return v
}

// faceCookie names the browser's registration cookie for one invite,
// after a hash of its token, which it does not give away.
func faceCookie(token string) string {
	h := sha256.Sum256([]byte(token))
	return "__Host-f" + hex.EncodeToString(h[:6])
}

func faceCookieToken(c *fiber.Ctx) string { return c.Cookies(faceCookie(c.Params("token"))) }

// openFace resolves the invite in :token and the registration regOf
// finds. With whenGone the request goes on for an expired or revoked
// invite (deleting a registration); else that is a 410.
func (a *App) openFace(regOf func(*fiber.Ctx) string, whenGone bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("X-Robots-Tag", "noindex, nofollow")
		v, err := a.Guests.Open(ctx(c), c.Params("token"), regOf(c), c.IP())
		if v != nil {
			c.Locals(localFaceVisit, v)
			c.Locals(localStudio, v.Studio())
		}
		if err != nil && !(whenGone && errors.Is(err, faces.ErrInviteGone)) {
			return err
		}
		return c.Next()
	}
}

// faceGuestRoutes are the pages of /f/:token.
func (a *App) faceGuestRoutes(f *fiber.App) {
	page := func(whenGone bool, h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.faceErrors, a.openFace(faceCookieToken, whenGone), a.csrf}, h...)
	}
	file := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.faceErrors, a.openFace(faceCookieToken, false)}, h...)
	}
	const p = "/f/:token"
	f.Get(p, page(false, a.faceHome)...)
	f.Post(p+"/register", page(false, a.faceRegister)...)
	f.Post(p+"/search", page(false, a.faceSearch)...)
	f.Get(p+"/photos", page(false, a.facePhotosPage)...)
	f.Post(p+"/delete", page(true, a.faceDelete)...)
	f.Get(p+"/photos/:photo/thumb", file(a.faceImage(renditionThumb))...)
	f.Get(p+"/photos/:photo/preview", file(a.faceImage(renditionPreview))...)
	f.Get(p+"/photos/:photo/download", file(a.faceFile)...)
}

func faceBase(c *fiber.Ctx) string { return "/f/" + c.Params("token") }

// setRetryAfter tells a rate-limited client how long to wait.
func setRetryAfter(c *fiber.Ctx, err error) {
	var le *faces.LimitError
	if errors.As(err, &le) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(le.RetryAfter/time.Second)))
	}
}

// renderFace writes a face search page in the guest layout, branded with
// the studio that made the invite.
func (a *App) renderFace(c *fiber.Ctx, status int, page string, data any) error {
	view := frontend.View{Page: page, Data: data, CSRF: csrfToken(c), RequestID: requestID(c), Flash: takeFlash(c),
		Guest: &frontend.Guest{Studio: a.faceStudioName(c)}}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.pages.Render(c.Response().BodyWriter(), view)
}

// faceStudioName is the name of the studio of the invite, read once per
// request; a dead invite still names its studio.
func (a *App) faceStudioName(c *fiber.Ctx) string {
	var known uuid.UUID
	if v := faceVisit(c); v != nil {
		known = v.Studio()
	}
	return a.studioNameOnce(c, known, a.Guests.InviteStudio)
}

// faceErrors answers every failure of a face search page: problem+json
// to the page's script, else a page that says what happened in plain
// words, with the button that deletes the guest's registration when they
// have one (even on an invite that has ended).
func (a *App) faceErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	p := a.guestProblem(c, err)
	setRetryAfter(c, err)
	if wantsJSON(c) {
		return c.Status(p.Status).JSON(p, "application/problem+json")
	}
	return a.renderFace(c, p.Status, "face_error", a.faceErrorView(c, p, err))
}

// faceErrorView is an error in a guest's words.
type faceErrorView struct {
	Status         int
	Title, Detail  string
	Back           string // the invite's page, when the guest can go on there
	DeleteURL      string // set when the guest has a registration to delete
	Request, Event string
}

func (a *App) faceErrorView(c *fiber.Ctx, p *Problem, err error) faceErrorView {
	v := faceErrorView{Status: p.Status, Title: p.Title, Detail: p.Detail, Request: requestID(c)}
	studio := orDefault(a.faceStudioName(c), "the photographer")
	visit := faceVisit(c)
	switch {
	case errors.Is(err, faces.ErrInviteGone):
		v.Title = "This invite has ended"
		v.Detail = "This invite has expired or was turned off. Ask " + studio + " for a new one."
	case errors.Is(err, faces.ErrInviteFull):
		v.Title = "This invite is full"
		v.Detail = "As many guests as " + studio + " allowed have registered with this invite. Ask them for another link."
	case p.Status == http.StatusNotFound && visit == nil:
		v.Title = "There is nothing at this address"
		v.Detail = "Check that the whole link was copied, or ask the photographer to send it again."
	case p.Status == http.StatusNotFound:
		v.Title = "Not found"
		v.Detail = "This photo is not one of yours, or is no longer shared."
	case p.Status == http.StatusTooManyRequests:
		v.Title = "Please wait a little"
	}
	if visit != nil {
		v.Event = visit.Collection
		if visit.Invite.Usable(a.now()) {
			v.Back = faceBase(c)
		}
		if visit.Registration != nil {
			v.DeleteURL = faceBase(c) + "/delete"
		}
	}
	return v
}
