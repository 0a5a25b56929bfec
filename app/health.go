package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz says the process is up; it touches nothing.
func (a *App) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says the process can serve: the database answers and has every
// migration this binary expects.
func (a *App) readyz(c *fiber.Ctx) error {
	cx, cancel := context.WithTimeout(ctx(c), 3*time.Second)
	defer cancel()
	if err := a.DB.Ready(cx); err != nil {
		a.Log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok", "database": "ok"})
}
