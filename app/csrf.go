package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"
)

// CSRF protection for forms: a double-submit token. The token lives in a
// __Host- cookie (which a sibling subdomain cannot set) and must come back
// in the _csrf form field or the X-CSRF-Token header of every unsafe request.
// SameSite=Lax on the session cookie is the second line.
const csrfCookie = "__Host-csrf"

func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(localCSRF).(string)
	return t
}

func (a *App) csrf(c *fiber.Ctx) error {
	tok := c.Cookies(csrfCookie)
	if len(tok) != 43 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok, Path: "/", Secure: true, HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode})
	}
	c.Locals(localCSRF, tok)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	// The header first: reading the form of a streamed upload would
	// consume (and spool) the file. Upload routes take the header only.
	sent := c.Get("X-CSRF-Token")
	if sent == "" && !streams(c.Path()) {
		sent = c.FormValue("_csrf")
	}
	if subtle.ConstantTimeCompare([]byte(sent), []byte(c.Cookies(csrfCookie))) != 1 || sent == "" {
		return problem(fiber.StatusForbidden, "This form has expired. Go back, reload the page and try again.")
	}
	return c.Next()
}
