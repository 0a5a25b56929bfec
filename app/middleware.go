package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// Keys of values handlers leave in fiber.Ctx.Locals.
const (
	localRequestID = "request_id"
	localStudio    = "studio_id"
	localErr       = "err"
	localSession   = "session"
	localToken     = "api_token"
	localCSRF      = "csrf"
)

// contentSecurityPolicy allows only this origin: no inline script or style,
// no framing. QR codes for TOTP enrolment are data: images.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// withRequestID gives every request an id, reused from X-Request-Id when a
// proxy set a sane one.
func withRequestID(c *fiber.Ctx) error {
	id := c.Get("X-Request-Id")
	if len(id) < 8 || len(id) > 64 {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
	return c.Next()
}

// securityHeaders sets the headers every response carries.
func (a *App) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
	if a.Config.TLS() {
		c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// observe writes the one log line and the metrics of each request, after
// the error handler has run.
func (a *App) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := a.Fiber.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched" // keep label cardinality bounded
	}
	d := time.Since(start)
	a.Metrics.observe(route, c.Method(), status, d)
	attrs := []slog.Attr{
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Method()),
		slog.String("route", route),
		slog.String("path", loggedPath(c)),
		slog.Int("status", status),
		slog.Duration("duration", d),
	}
	if s, ok := c.Locals(localStudio).(uuid.UUID); ok {
		attrs = append(attrs, slog.String("studio_id", s.String()))
	}
	attrs = append(attrs, logAttrs(c)...)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	a.Log.LogAttrs(context.Background(), level, "request", attrs...)
	return nil
}

// loggedPath is the request's path without its share-link token: a
// token in a log is a way into a client's gallery.
func loggedPath(c *fiber.Ctx) string {
	if tok := c.Params("token"); tok != "" {
		return strings.Replace(c.Path(), tok, "[token]", 1)
	}
	return c.Path()
}

// ctx is the request's context.Context for services: it carries the
// request's deadline, never the Fiber context itself.
func ctx(c *fiber.Ctx) context.Context {
	return c.UserContext()
}
