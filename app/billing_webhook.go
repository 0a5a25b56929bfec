package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/billing"
)

// webhookBodyLimit is the largest Stripe delivery taken. Events are a few
// kilobytes; an invoice with many lines stays far below this.
const webhookBodyLimit = 512 << 10

// Refused deliveries (bad signature, stale, malformed) a client address
// may send per window before it is answered 429 without a look. Stripe's
// own deliveries are never refused, so they never count; a sender
// guessing signatures is slowed to a trickle.
const (
	webhookFailLimit  = 30
	webhookFailWindow = 15 * time.Minute
)

// stripeWebhook is POST /webhooks/stripe: the raw body and its
// Stripe-Signature go to billing, which stores the event with the job
// that applies it and returns. No session, no CSRF token: the signature is
// the authentication. Stripe reads only the status: 200 taken (a replay
// too), 400 refused for good, 503 billing is off here, 500 try again.
func (a *App) stripeWebhook(c *fiber.Ctx) error {
	if c.Request().Header.ContentLength() > webhookBodyLimit || len(c.Request().Body()) > webhookBodyLimit {
		return webhookAnswer(c, fiber.StatusRequestEntityTooLarge, "payload too large", nil)
	}
	key := webhookLimitKey(c.IP())
	if wait, err := a.webhookLimited(ctx(c), key); err != nil {
		a.Log.Error("webhook rate limit", "request_id", requestID(c), "err", err)
	} else if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return webhookAnswer(c, fiber.StatusTooManyRequests, "too many refused deliveries", nil)
	}
	// The raw body, never c.Body(): the signature covers the bytes as sent.
	err := a.Billing.ReceiveWebhook(ctx(c), c.Request().Body(), c.Get("Stripe-Signature"))
	switch {
	case err == nil:
		return webhookAnswer(c, fiber.StatusOK, "", nil)
	case errors.Is(err, billing.ErrBillingOff):
		return webhookAnswer(c, fiber.StatusServiceUnavailable, "billing is off on this server", err)
	case errors.Is(err, billing.ErrWebhookSignature), errors.Is(err, billing.ErrWebhookStale), errors.Is(err, billing.ErrWebhookInvalid):
		if ferr := a.webhookFailed(ctx(c), key); ferr != nil {
			a.Log.Error("webhook rate limit", "request_id", requestID(c), "err", ferr)
		}
		return webhookAnswer(c, fiber.StatusBadRequest, webhookRefusal(err), err)
	}
	a.Log.Error("webhook not stored; Stripe will retry", "request_id", requestID(c), "err", err)
	return webhookAnswer(c, fiber.StatusInternalServerError, "not stored; retry later", err)
}

// webhookAnswer writes a short JSON answer and keeps err for the request's
// log line, which says why a delivery was refused.
func webhookAnswer(c *fiber.Ctx, status int, msg string, err error) error {
	if err != nil {
		c.Locals(localErr, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if status == fiber.StatusOK {
		return c.Status(status).JSON(fiber.Map{"received": true})
	}
	return c.Status(status).JSON(fiber.Map{"error": msg})
}

func webhookRefusal(err error) string {
	switch {
	case errors.Is(err, billing.ErrWebhookSignature):
		return "signature invalid"
	case errors.Is(err, billing.ErrWebhookStale):
		return "timestamp outside the tolerance"
	}
	return "payload invalid"
}

// webhookLimitKey names the address's counter in rate_limits (shared with
// logins and selfies) without keeping the address.
func webhookLimitKey(ip string) string {
	sum := sha256.Sum256([]byte("stripe-webhook:client:" + ip))
	return hex.EncodeToString(sum[:])
}

// webhookLimited is how long key must wait, 0 when it may send.
func (a *App) webhookLimited(cx context.Context, key string) (time.Duration, error) {
	rows, err := a.DB.Pool.Query(cx, `SELECT hits, extract(epoch FROM window_start + $2::interval - now())::float8
		FROM rate_limits WHERE key = $1 AND window_start > now() - $2::interval`, key, webhookFailWindow.String())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var hits int
	var left float64
	if rows.Next() {
		if err := rows.Scan(&hits, &left); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil || hits < webhookFailLimit {
		return 0, err
	}
	return max(time.Duration(left*float64(time.Second)), time.Second), nil
}

// webhookFailed counts one refused delivery against key.
func (a *App) webhookFailed(cx context.Context, key string) error {
	_, err := a.DB.Pool.Exec(cx, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, now(), 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start <= now() - $2::interval THEN 1 ELSE rate_limits.hits + 1 END,
			window_start = CASE WHEN rate_limits.window_start <= now() - $2::interval THEN now() ELSE rate_limits.window_start END`,
		key, webhookFailWindow.String())
	return err
}
