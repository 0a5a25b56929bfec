package app

// TEMPORARY: handlers being written by other engineers right now. Each one
// moves to its resource file; this file must be gone before the issue closes.

import "github.com/gofiber/fiber/v2"

func notYet(c *fiber.Ctx) error { return problem(fiber.StatusNotImplemented, "Not built yet.") }

func (a *App) tokensPage(c *fiber.Ctx) error      { return notYet(c) }
func (a *App) createTokenForm(c *fiber.Ctx) error { return notYet(c) }
func (a *App) revokeTokenForm(c *fiber.Ctx) error { return notYet(c) }
func (a *App) apiRoutes(r fiber.Router)           {}
