package app

import (
	"errors"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/auth"
)

const (
	sessionCookie = "__Host-proofsheet"
	stageMFA      = auth.StageMFA
	stageFull     = auth.StageFull
)

func session(c *fiber.Ctx) *auth.Session {
	s, _ := c.Locals(localSession).(*auth.Session)
	return s
}

// actor describes the request for the audit log.
func actor(c *fiber.Ctx) auth.Actor {
	act := auth.Actor{IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)}
	if s := session(c); s != nil {
		act.UserID = s.UserID
	}
	return act
}

// loadSession attaches the session of the cookie, if it is still valid.
func (a *App) loadSession(c *fiber.Ctx) error {
	if err := a.findSession(c); err != nil {
		return err
	}
	return c.Next()
}

// findSession puts the session of the request's cookie, if alive, on c.
func (a *App) findSession(c *fiber.Ctx) error {
	tok := c.Cookies(sessionCookie)
	if tok == "" {
		return nil
	}
	s, err := a.Accounts.Authenticate(ctx(c), tok)
	switch {
	case errors.Is(err, auth.ErrNotFound):
		a.clearSessionCookie(c)
	case err != nil:
		return err
	default:
		c.Locals(localSession, s)
		c.Locals(localStudio, s.StudioID)
	}
	return nil
}

// setSessionCookie stores a session token in a __Host- cookie: HttpOnly,
// SameSite=Lax, Secure (browsers treat http://localhost as secure, so this
// also works for `make run`), path /, no domain.
func (a *App) setSessionCookie(c *fiber.Ctx, token string, s *auth.Session) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: s.ExpiresAt,
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (a *App) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// requireStage lets a request through only with a session at stage; others
// go to the login page (and back here after).
func (a *App) requireStage(stage string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := session(c)
		if s == nil || s.Stage != stage {
			if s != nil && s.Stage == stageMFA {
				return c.Redirect("/login/2fa", fiber.StatusSeeOther)
			}
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		if stage == stageFull && a.mustEnrol2FA(s) && !enrolmentPath(c.Path()) {
			setFlash(c, "Your studio requires two-factor authentication for owners. Set it up to continue.")
			return c.Redirect("/account/2fa", fiber.StatusSeeOther)
		}
		return c.Next()
	}
}

func (a *App) mustEnrol2FA(s *auth.Session) bool {
	return a.Config.RequireOwner2FA && s.User.Role == auth.RoleOwner && !s.User.TwoFactor()
}

func enrolmentPath(p string) bool {
	return p == "/account/2fa" || p == "/logout"
}

// requireOwner limits a studio route to owners.
func (a *App) requireOwner(c *fiber.Ctx) error {
	if s := session(c); s == nil || s.User.Role != auth.RoleOwner {
		return problem(fiber.StatusForbidden, "Only studio owners can do that.")
	}
	return c.Next()
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && next[1] == '/') || (len(next) > 1 && next[1] == '\\') {
		return "/studio"
	}
	return next
}

// flash messages survive one redirect in a short-lived cookie.
const flashCookie = "__Host-flash"

func setFlash(c *fiber.Ctx, msg string) {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
}

func takeFlash(c *fiber.Ctx) string {
	v := c.Cookies(flashCookie)
	if v == "" {
		return ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	msg, _ := url.QueryUnescape(v)
	return msg
}
