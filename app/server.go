package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/proofsheet/proofsheet/frontend"
)

func (a *App) newFiber() *fiber.App {
	f := fiber.New(fiber.Config{
		AppName:                      "proofsheet",
		BodyLimit:                    a.Config.BodyLimit,
		StreamRequestBody:            true, // uploads stream; limitBody enforces BodyLimit elsewhere (uploads.go)
		DisablePreParseMultipartForm: true, // never spool an upload to a plaintext temporary file
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		DisableStartupMessage:        true,
		ErrorHandler:                 a.handleError,
	})
	f.Use(withRequestID, a.observe, recover.New(), a.securityHeaders, a.withDeadline, a.limitBody)
	a.routes(f)
	f.Use(a.notFound)
	return f
}

// notFound answers what no route matched: problem+json under /api, else
// a page in the visitor's own layout (signed in or not).
func (a *App) notFound(c *fiber.Ctx) error {
	if !isAPI(c) {
		if err := a.findSession(c); err != nil {
			return err
		}
	}
	return problem(fiber.StatusNotFound, "There is nothing at this address.")
}

// withDeadline gives services a context that ends with the request.
func (a *App) withDeadline(c *fiber.Ctx) error {
	cx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	c.SetUserContext(cx)
	return c.Next()
}

// routes is every route of the process in one table. Middleware is listed
// per route: a Fiber group with an empty prefix would apply its middleware
// to every path registered after it, the API and 404s included.
func (a *App) routes(f *fiber.App) {
	f.Get("/healthz", a.healthz)
	f.Get("/readyz", a.readyz)
	f.Get("/metrics", a.Metrics.handler())
	f.Use("/static", frontend.Static())

	// Pages for visitors. Every form is CSRF-checked.
	visitor := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.loadSession, a.csrf}, h...)
	}
	f.Get("/", visitor(a.home)...)
	f.Get("/signup", visitor(a.signupPage)...)
	f.Post("/signup", visitor(a.signup)...)
	f.Get("/login", visitor(a.loginPage)...)
	f.Post("/login", visitor(a.login)...)
	f.Get("/login/2fa", visitor(a.requireStage(stageMFA), a.secondFactorPage)...)
	f.Post("/login/2fa", visitor(a.requireStage(stageMFA), a.secondFactor)...)
	f.Post("/logout", visitor(a.logout)...)
	f.Get("/password/forgot", visitor(a.forgotPage)...)
	f.Post("/password/forgot", visitor(a.forgot)...)
	f.Get("/password/reset", visitor(a.resetPage)...)
	f.Post("/password/reset", visitor(a.reset)...)
	f.Get("/invite", visitor(a.invitePage)...)
	f.Post("/invite", visitor(a.acceptInvite)...)

	// The web studio: signed-in users only.
	member := func(h ...fiber.Handler) []fiber.Handler {
		return visitor(append([]fiber.Handler{a.requireStage(stageFull)}, h...)...)
	}
	f.Get("/studio", member(a.studioHome)...)
	f.Get("/account", member(a.accountPage)...)
	f.Post("/account/password", member(a.changePassword)...)
	f.Get("/account/2fa", member(a.twoFactorPage)...)
	f.Post("/account/2fa", member(a.enableTwoFactor)...)
	f.Post("/account/2fa/disable", member(a.disableTwoFactor)...)
	f.Post("/account/2fa/recovery", member(a.regenerateRecoveryCodes)...)
	f.Get("/account/sessions", member(a.sessionsPage)...)
	f.Post("/account/sessions/revoke-all", member(a.revokeAllSessions)...)
	f.Post("/account/sessions/:id/revoke", member(a.revokeSession)...)
	f.Get("/studio/staff", member(a.staffPage)...)
	f.Post("/studio/staff/invite", member(a.requireOwner, a.inviteStaff)...)
	f.Post("/studio/staff/:id/remove", member(a.requireOwner, a.removeStaff)...)
	f.Get("/studio/tokens", member(a.tokensPage)...)
	f.Post("/studio/tokens", member(a.createTokenForm)...)
	f.Post("/studio/tokens/:id/revoke", member(a.revokeTokenForm)...)
	f.Get("/studio/audit", member(a.requireOwner, a.auditPage)...)
	a.galleryStudioRoutes(member, f)
	a.faceStudioRoutes(member, f) // face search: collections, people, invites (faces_studio.go)
	a.billingRoutes(member, f)    // billing page and Stripe's webhook (billing_page.go)
	a.guestRoutes(f)              // the guests' pages under /g/:token (guest_pages.go)
	a.faceGuestRoutes(f)          // face search for event guests under /f/:token (faces_guest.go)

	a.apiRoutes(f.Group("/api/v1"))
}

// render writes a page with status 200.
func (a *App) render(c *fiber.Ctx, page string, data any) error {
	return a.renderStatus(c, fiber.StatusOK, page, data)
}

// renderStatus writes a page inside the layout with the signed-in user,
// the CSRF token and any flash message.
func (a *App) renderStatus(c *fiber.Ctx, status int, page string, data any) error {
	view := frontend.View{
		Page:      page,
		Data:      data,
		CSRF:      csrfToken(c),
		RequestID: requestID(c),
	}
	if s := session(c); s != nil && s.Stage == stageFull {
		view.User = &frontend.User{Name: s.User.Name, Email: s.User.Email, Role: s.User.Role, Studio: s.StudioName,
			Unread: a.unreadNotifications(c, s.StudioID)}
	}
	view.Flash = takeFlash(c)
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.pages.Render(c.Response().BodyWriter(), view)
}
