package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// accountView is the account page: who the user is, how they sign in, and
// the change-password form.
type accountView struct {
	Name, Email, Role string
	TwoFactor         bool
	TwoFactorSince    *time.Time
	PasswordChangedAt time.Time
	Error             string
}

func accountOf(c *fiber.Ctx) accountView {
	u := session(c).User
	return accountView{Name: u.Name, Email: u.Email, Role: u.Role, TwoFactor: u.TwoFactor(),
		TwoFactorSince: u.TOTPEnabledAt, PasswordChangedAt: u.PasswordChangedAt}
}

func (a *App) accountPage(c *fiber.Ctx) error {
	return a.render(c, "account", accountOf(c))
}

// changePassword needs the current password. This session stays signed in;
// the user's others end, as whoever knew the old password may hold one.
func (a *App) changePassword(c *fiber.Ctx) error {
	s := session(c)
	n, err := a.Accounts.ChangePassword(ctx(c), s.StudioID, s.UserID, s.ID,
		c.FormValue("current_password"), c.FormValue("new_password"), actor(c))
	if err != nil {
		view := accountOf(c)
		return a.formError(c, "account", err, func(msg string) any { view.Error = msg; return view })
	}
	setFlash(c, "Your password has been changed. "+signedOutText(n))
	return c.Redirect("/account", fiber.StatusSeeOther)
}
