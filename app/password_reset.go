package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/auth"
)

// resetSent is the one answer to a reset request, whether or not the
// address has an account, so the form tells nobody who has one.
const resetSent = "If an account exists for that address, we have sent a link to choose a new password. It works for an hour."

type forgotForm struct {
	Email string
	Sent  string
	Error string
}

func (a *App) forgotPage(c *fiber.Ctx) error {
	return a.render(c, "forgot", forgotForm{})
}

func (a *App) forgot(c *fiber.Ctx) error {
	form := forgotForm{Email: c.FormValue("email")}
	if err := a.Accounts.RequestPasswordReset(ctx(c), form.Email, actor(c)); err != nil {
		return a.formError(c, "forgot", err, func(msg string) any { form.Error = msg; return form })
	}
	return a.render(c, "forgot", forgotForm{Sent: resetSent})
}

type resetForm struct {
	Token   string
	Expired bool
	Error   string
}

// resetPage asks for the new password, or says at once that the link no
// longer works rather than after the person has typed one.
func (a *App) resetPage(c *fiber.Ctx) error {
	form := resetForm{Token: c.Query("token")}
	if err := a.Accounts.CheckResetLink(ctx(c), form.Token); err != nil {
		return a.resetFailed(c, form, err)
	}
	return a.render(c, "reset", form)
}

// reset sets the new password and sends the person to sign in with it: a
// second factor, if enrolled, is still asked for.
func (a *App) reset(c *fiber.Ctx) error {
	form := resetForm{Token: c.FormValue("token")}
	if err := a.Accounts.ResetPassword(ctx(c), form.Token, c.FormValue("password"), actor(c)); err != nil {
		return a.resetFailed(c, form, err)
	}
	setFlash(c, "Your password has been changed and every session signed out. Sign in with your new password.")
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (a *App) resetFailed(c *fiber.Ctx, form resetForm, err error) error {
	form.Expired = errors.Is(err, auth.ErrLinkExpired)
	if form.Expired {
		form.Token = ""
	}
	return a.formError(c, "reset", err, func(msg string) any { form.Error = msg; return form })
}
