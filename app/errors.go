package app

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// Problem is an RFC 9457 problem document; it is also the error value
// handlers return for failures they describe themselves.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
	err    error             // the whole chain, for the log only
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }
func (p *Problem) Unwrap() error { return p.err }

// problem builds a Problem with a client-safe detail.
func problem(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// errorKinds maps domain errors to what a client may see. Anything not
// listed is a 500 with a generic message; the log gets the whole chain.
var errorKinds = []struct {
	target error
	status int
	detail string
}{
	{auth.ErrNotFound, http.StatusNotFound, "Not found."},
	{auth.ErrInvalidCredentials, http.StatusUnauthorized, "The e-mail or password is not right."},
	{auth.ErrInvalidCode, http.StatusUnauthorized, "That code is not right or was already used."},
	{auth.ErrRateLimited, http.StatusTooManyRequests, "Too many attempts. Wait a few minutes and try again."},
	{auth.ErrLinkExpired, http.StatusGone, "This link has expired or was already used. Ask for a new one."},
	{auth.ErrConflict, http.StatusConflict, "That conflicts with something that already exists."},
	{auth.ErrForbidden, http.StatusForbidden, "You are not allowed to do that."},
	{auth.ErrInvalidInput, http.StatusUnprocessableEntity, ""},
	{gallery.ErrNotFound, http.StatusNotFound, "Not found."},
	{gallery.ErrNotPublished, http.StatusNotFound, "This gallery is not open yet. Ask the photographer when it will be."},
	{gallery.ErrLinkGone, http.StatusGone, "This link has expired or was turned off. Ask the photographer for a new one."},
	{gallery.ErrWrongPIN, http.StatusUnauthorized, "That PIN is not right."},
	{gallery.ErrLockedOut, http.StatusTooManyRequests, "Too many wrong PINs. Wait a while and try again."},
	{gallery.ErrDuplicate, http.StatusConflict, ""}, // the FileError names the photo it repeats
	{gallery.ErrUnsupported, http.StatusUnsupportedMediaType, ""},
	{gallery.ErrTooLarge, http.StatusRequestEntityTooLarge, ""},
	{gallery.ErrNeedName, http.StatusConflict, "Give your name and e-mail address first."},
	{gallery.ErrConflict, http.StatusConflict, ""},
	{gallery.ErrForbidden, http.StatusForbidden, ""},
	{gallery.ErrInvalidInput, http.StatusUnprocessableEntity, ""},
	// Face search; the selfie's failures say what to do differently.
	{faces.ErrNotFound, http.StatusNotFound, "Not found."},
	{faces.ErrInviteGone, http.StatusGone, "This invite has expired or was turned off. Ask the photographer for a new one."},
	{faces.ErrInviteFull, http.StatusConflict, "This invite already has as many guests as the photographer allowed. Ask them for another link."},
	{faces.ErrNotRegistered, http.StatusUnauthorized, "Register with your name and consent first."},
	{faces.ErrRateLimited, http.StatusTooManyRequests, "Too many selfies for now. Wait a while and try again."},
	{faces.ErrNotSamePerson, http.StatusForbidden, "This selfie is not of the person this registration was made for. A registration finds one person's photos: someone else registers on their own phone."},
	{faces.ErrModelChanged, http.StatusConflict, "Face search was updated since you registered. Delete your registration and register again."},
	{faces.ErrDecode, http.StatusUnprocessableEntity, "The picture could not be read. Take the selfie again."},
	{faces.ErrNoFace, http.StatusUnprocessableEntity, "We could not find a face. Look straight at the camera, in good light, and try again."},
	{faces.ErrManyFaces, http.StatusUnprocessableEntity, "There is more than one face in the picture. Take the selfie on your own."},
	{faces.ErrFaceTooSmall, http.StatusUnprocessableEntity, "Your face is too small in the picture. Hold the camera closer."},
	{faces.ErrConflict, http.StatusConflict, ""},
	{faces.ErrInvalidInput, http.StatusUnprocessableEntity, ""},
	// Billing; its conflicts and limits say what to do instead.
	{billing.ErrNotFound, http.StatusNotFound, "Not found."},
	{billing.ErrBillingOff, http.StatusServiceUnavailable, "Billing is off on this server: it has no Stripe keys. Nothing can be bought or changed here."},
	{billing.ErrNotConfigured, http.StatusServiceUnavailable, "Billing is not set up yet: the operator has not entered the business details invoices need."},
	{billing.ErrLimitReached, http.StatusPaymentRequired, ""}, // decisions.md: plan limits answer 402
	{billing.ErrConflict, http.StatusConflict, ""},
	{billing.ErrInvalidInput, http.StatusUnprocessableEntity, ""},
}

// toProblem classifies any error into a Problem.
func toProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		detail := fe.Message
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			detail = "The request body is too large."
		}
		return &Problem{Type: "about:blank", Title: http.StatusText(fe.Code), Status: fe.Code, Detail: detail, err: err}
	}
	var pe *auth.PolicyError
	if errors.As(err, &pe) {
		out := problem(http.StatusUnprocessableEntity, pe.Message)
		out.Errors = map[string]string{"password": pe.Message}
		out.err = err
		return out
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.target) {
			out := problem(k.status, k.detail)
			if out.Detail == "" {
				out.Detail = safeMessage(err)
			}
			var ie *auth.InputError
			if errors.As(err, &ie) && ie.Field != "" {
				out.Errors = map[string]string{ie.Field: ie.Message}
			}
			var ge *gallery.InputError
			if errors.As(err, &ge) && ge.Field != "" {
				out.Errors = map[string]string{ge.Field: ge.Message}
			}
			var fe *faces.InputError
			if errors.As(err, &fe) && fe.Field != "" {
				out.Errors = map[string]string{fe.Field: fe.Message}
			}
			var be *billing.InputError
			if errors.As(err, &be) && be.Field != "" {
				out.Errors = map[string]string{be.Field: be.Message}
			}
			out.err = err
			return out
		}
	}
	out := problem(http.StatusInternalServerError, "Something went wrong on our side. It has been logged.")
	out.err = err
	return out
}

// safeMessage is the message of an ErrInvalidInput without its wrapping
// prefixes ("auth: sign up: ..."), which are for the log.
func safeMessage(err error) string {
	var ie *auth.InputError
	if errors.As(err, &ie) {
		return ie.Message
	}
	var ge *gallery.InputError
	if errors.As(err, &ge) {
		return ge.Message
	}
	var fie *faces.InputError
	if errors.As(err, &fie) {
		return fie.Message
	}
	var fce *faces.ConflictError
	if errors.As(err, &fce) {
		return fce.Message
	}
	if msg, ok := billingMessage(err); ok {
		return msg
	}
	var de *gallery.Refusal
	if errors.As(err, &de) {
		return de.Reason
	}
	var fe *gallery.FileError
	if errors.As(err, &fe) {
		return fe.Message // may hold ": " in a file name
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// handleError is Fiber's error handler: problem+json under /api, an HTML
// page elsewhere. The log line is written by the request logger.
func (a *App) handleError(c *fiber.Ctx, err error) error {
	p := toProblem(err)
	c.Locals(localErr, err)
	if p.Status >= 500 {
		a.Log.Error("request failed", "request_id", requestID(c), "route", c.Route().Path, "err", err)
	}
	if isAPI(c) {
		return c.Status(p.Status).JSON(p, "application/problem+json")
	}
	return a.renderStatus(c, p.Status, "error", errorPage{Title: p.Title, Detail: p.Detail, Status: p.Status})
}

type errorPage struct {
	Title  string
	Detail string
	Status int
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// logAttrs adds the error chain of a failed request to its log line.
func logAttrs(c *fiber.Ctx) []slog.Attr {
	if err, ok := c.Locals(localErr).(error); ok && err != nil {
		return []slog.Attr{slog.String("err", err.Error())}
	}
	return nil
}

// billingMessage is the message of billing's input, conflict and limit
// errors, which are written for the studio.
func billingMessage(err error) (string, bool) {
	var ie *billing.InputError
	var ce *billing.ConflictError
	var le *billing.LimitError
	switch {
	case errors.As(err, &ie):
		return ie.Message, true
	case errors.As(err, &ce):
		return ce.Message, true
	case errors.As(err, &le):
		return le.Message, true
	}
	return "", false
}
