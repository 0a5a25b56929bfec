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
		AppName:               "proofsheet",
		BodyLimit:             a.Config.BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          a.handleError,
	})
	f.Use(withRequestID, a.observe, recover.New(), a.securityHeaders, a.withDeadline)
	a.routes(f)
	f.Use(func(c *fiber.Ctx) error { return problem(fiber.StatusNotFound, "There is nothing at this address.") })
	return f
}

// withDeadline gives services a context that ends with the request.
func (a *App) withDeadline(c *fiber.Ctx) error {
	cx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	c.SetUserContext(cx)
	return c.Next()
}

// routes is every route of the process in one table.
func (a *App) routes(f *fiber.App) {
	f.Get("/healthz", a.healthz)
	f.Get("/readyz", a.readyz)
	f.Get("/metrics", a.Metrics.handler())
	f.Use("/static", frontend.Static())

	// Pages for visitors. Every form is CSRF-checked.
	web := f.Group("", a.loadSession, a.csrf)
	web.Get("/", a.home)
	web.Get("/signup", a.signupPage)
	web.Post("/signup", a.signup)
	web.Get("/login", a.loginPage)
	web.Post("/login", a.login)
	web.Get("/login/2fa", a.requireStage(stageMFA), a.secondFactorPage)
	web.Post("/login/2fa", a.requireStage(stageMFA), a.secondFactor)
	web.Post("/logout", a.logout)
	web.Get("/password/forgot", a.forgotPage)
	web.Post("/password/forgot", a.forgot)
	web.Get("/password/reset", a.resetPage)
	web.Post("/password/reset", a.reset)
	web.Get("/invite", a.invitePage)
	web.Post("/invite", a.acceptInvite)

	// The web studio: signed-in users only.
	studio := web.Group("", a.requireStage(stageFull))
	studio.Get("/studio", a.studioHome)
	studio.Get("/account", a.accountPage)
	studio.Post("/account/password", a.changePassword)
	studio.Get("/account/2fa", a.twoFactorPage)
	studio.Post("/account/2fa", a.enableTwoFactor)
	studio.Post("/account/2fa/disable", a.disableTwoFactor)
	studio.Post("/account/2fa/recovery", a.regenerateRecoveryCodes)
	studio.Get("/account/sessions", a.sessionsPage)
	studio.Post("/account/sessions/revoke-all", a.revokeAllSessions)
	studio.Post("/account/sessions/:id/revoke", a.revokeSession)
	studio.Get("/studio/staff", a.staffPage)
	studio.Post("/studio/staff/invite", a.requireOwner, a.inviteStaff)
	studio.Post("/studio/staff/:id/remove", a.requireOwner, a.removeStaff)
	studio.Get("/studio/tokens", a.tokensPage)
	studio.Post("/studio/tokens", a.createTokenForm)
	studio.Post("/studio/tokens/:id/revoke", a.revokeTokenForm)
	studio.Get("/studio/audit", a.requireOwner, a.auditPage)

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
		view.User = &frontend.User{Name: s.User.Name, Email: s.User.Email, Role: s.User.Role, Studio: s.StudioName}
	}
	view.Flash = takeFlash(c)
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.pages.Render(c.Response().BodyWriter(), view)
}
