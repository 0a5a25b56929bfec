package app

import (
	"encoding/base64"
	"errors"
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/auth"
)

// twoFactorView is the two-factor page: enrolment (QR code, secret, code
// form) when TOTP is off, management (disable, new recovery codes) when on.
type twoFactorView struct {
	Enabled   bool
	Since     *time.Time
	Required  bool // the operator requires it of owners and this owner has none yet
	Locked    bool // an owner under that rule: it cannot be turned off
	CodesLeft int

	Secret string       // pending TOTP secret, for typing into an app
	QR     template.URL // the same as a data: PNG, which the CSP allows

	Error         string // enrolment
	DisableError  string
	RecoveryError string
}

func (a *App) twoFactorView(c *fiber.Ctx) (*twoFactorView, error) {
	s := session(c)
	v := &twoFactorView{
		Enabled: s.User.TwoFactor(), Since: s.User.TOTPEnabledAt, Required: a.mustEnrol2FA(s),
		Locked: a.Config.RequireOwner2FA && s.User.Role == auth.RoleOwner,
	}
	var err error
	if v.Enabled {
		v.CodesLeft, err = a.Accounts.RecoveryCodesLeft(ctx(c), s.StudioID, s.UserID)
		return v, err
	}
	enr, err := a.Accounts.BeginTwoFactor(ctx(c), s.StudioID, s.UserID)
	if err != nil {
		return nil, err
	}
	png, err := auth.TOTPQRCodePNG(enr.URL)
	if err != nil {
		return nil, err
	}
	v.Secret = enr.Secret
	v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	return v, nil
}

func (a *App) twoFactorPage(c *fiber.Ctx) error {
	v, err := a.twoFactorView(c)
	if err != nil {
		return err
	}
	return a.render(c, "twofactor", v)
}

// twoFactorError shows the two-factor page again with msg in the form
// that failed.
func (a *App) twoFactorError(c *fiber.Ctx, err error, field func(v *twoFactorView) *string) error {
	v, verr := a.twoFactorView(c)
	if verr != nil {
		return verr
	}
	return a.formError(c, "twofactor", err, func(msg string) any { *field(v) = msg; return v })
}

// enableTwoFactor confirms enrolment with a code from the app and shows
// the recovery codes, once.
func (a *App) enableTwoFactor(c *fiber.Ctx) error {
	s := session(c)
	codes, err := a.Accounts.EnableTwoFactor(ctx(c), s.StudioID, s.UserID, c.FormValue("code"), actor(c))
	if err != nil {
		return a.twoFactorError(c, err, func(v *twoFactorView) *string { return &v.Error })
	}
	return a.render(c, "recovery_codes", recoveryCodesView{Enabled: true, Codes: codes})
}

func (a *App) disableTwoFactor(c *fiber.Ctx) error {
	s := session(c)
	err := a.Accounts.DisableTwoFactor(ctx(c), s.StudioID, s.UserID, c.FormValue("password"), c.FormValue("code"), actor(c))
	if errors.Is(err, auth.ErrOwner2FARequired) {
		p := problem(fiber.StatusForbidden, "Your studio requires two-factor authentication for owners, so it cannot be turned off.")
		p.err = err
		err = p
	}
	if err != nil {
		return a.twoFactorError(c, err, func(v *twoFactorView) *string { return &v.DisableError })
	}
	setFlash(c, "Two-factor authentication is off. Signing in now asks only for your password.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

// regenerateRecoveryCodes replaces every recovery code and shows the new
// ones, once.
func (a *App) regenerateRecoveryCodes(c *fiber.Ctx) error {
	s := session(c)
	codes, err := a.Accounts.RegenerateRecoveryCodes(ctx(c), s.StudioID, s.UserID, c.FormValue("password"), actor(c))
	if err != nil {
		return a.twoFactorError(c, err, func(v *twoFactorView) *string { return &v.RecoveryError })
	}
	return a.render(c, "recovery_codes", recoveryCodesView{Codes: codes})
}

type recoveryCodesView struct {
	Enabled bool // just enrolled, rather than replaced
	Codes   []string
}
