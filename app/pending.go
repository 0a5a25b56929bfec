package app

// TEMPORARY: handlers being written by other engineers right now. Each one
// moves to its resource file; this file must be gone before the issue closes.

import "github.com/gofiber/fiber/v2"

func notYet(c *fiber.Ctx) error { return problem(fiber.StatusNotImplemented, "Not built yet.") }

func (a *App) forgotPage(c *fiber.Ctx) error              { return notYet(c) }
func (a *App) forgot(c *fiber.Ctx) error                  { return notYet(c) }
func (a *App) resetPage(c *fiber.Ctx) error               { return notYet(c) }
func (a *App) reset(c *fiber.Ctx) error                   { return notYet(c) }
func (a *App) invitePage(c *fiber.Ctx) error              { return notYet(c) }
func (a *App) acceptInvite(c *fiber.Ctx) error            { return notYet(c) }
func (a *App) accountPage(c *fiber.Ctx) error             { return notYet(c) }
func (a *App) changePassword(c *fiber.Ctx) error          { return notYet(c) }
func (a *App) twoFactorPage(c *fiber.Ctx) error           { return notYet(c) }
func (a *App) enableTwoFactor(c *fiber.Ctx) error         { return notYet(c) }
func (a *App) disableTwoFactor(c *fiber.Ctx) error        { return notYet(c) }
func (a *App) regenerateRecoveryCodes(c *fiber.Ctx) error { return notYet(c) }
func (a *App) sessionsPage(c *fiber.Ctx) error            { return notYet(c) }
func (a *App) revokeAllSessions(c *fiber.Ctx) error       { return notYet(c) }
func (a *App) revokeSession(c *fiber.Ctx) error           { return notYet(c) }
func (a *App) staffPage(c *fiber.Ctx) error               { return notYet(c) }
func (a *App) inviteStaff(c *fiber.Ctx) error             { return notYet(c) }
func (a *App) removeStaff(c *fiber.Ctx) error             { return notYet(c) }
func (a *App) tokensPage(c *fiber.Ctx) error              { return notYet(c) }
func (a *App) createTokenForm(c *fiber.Ctx) error         { return notYet(c) }
func (a *App) revokeTokenForm(c *fiber.Ctx) error         { return notYet(c) }
func (a *App) auditPage(c *fiber.Ctx) error               { return notYet(c) }
func (a *App) apiRoutes(r fiber.Router)                   {}
