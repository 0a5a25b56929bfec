package app

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/auth"
)

// home sends visitors to sign in and signed-in users to their studio.
func (a *App) home(c *fiber.Ctx) error {
	if s := session(c); s != nil && s.Stage == stageFull {
		return c.Redirect("/studio", fiber.StatusSeeOther)
	}
	return c.Redirect("/signup", fiber.StatusSeeOther)
}

type loginForm struct {
	Email string
	Next  string
	Error string
}

func (a *App) loginPage(c *fiber.Ctx) error {
	return a.render(c, "login", loginForm{Next: c.Query("next")})
}

// login checks the password; with TOTP enrolled it continues at /login/2fa.
func (a *App) login(c *fiber.Ctx) error {
	form := loginForm{Email: c.FormValue("email"), Next: c.FormValue("next")}
	s, tok, err := a.Accounts.Login(ctx(c), form.Email, c.FormValue("password"), actor(c))
	if err != nil {
		return a.formError(c, "login", err, func(msg string) any { form.Error = msg; return form })
	}
	a.setSessionCookie(c, tok, s)
	if s.Stage == stageMFA {
		return c.Redirect("/login/2fa?next="+url.QueryEscape(form.Next), fiber.StatusSeeOther)
	}
	return c.Redirect(safeNext(form.Next), fiber.StatusSeeOther)
}

type secondFactorForm struct {
	Next  string
	Error string
}

func (a *App) secondFactorPage(c *fiber.Ctx) error {
	return a.render(c, "login2fa", secondFactorForm{Next: c.Query("next")})
}

func (a *App) secondFactor(c *fiber.Ctx) error {
	form := secondFactorForm{Next: c.FormValue("next")}
	s, tok, err := a.Accounts.SecondFactor(ctx(c), session(c), c.FormValue("code"), actor(c))
	if err != nil {
		return a.formError(c, "login2fa", err, func(msg string) any { form.Error = msg; return form })
	}
	a.setSessionCookie(c, tok, s)
	return c.Redirect(safeNext(form.Next), fiber.StatusSeeOther)
}

func (a *App) logout(c *fiber.Ctx) error {
	if s := session(c); s != nil {
		if err := a.Accounts.Logout(ctx(c), s, actor(c)); err != nil && !errors.Is(err, auth.ErrNotFound) {
			return err
		}
	}
	a.clearSessionCookie(c)
	setFlash(c, "You have signed out.")
	return c.Redirect("/login", fiber.StatusSeeOther)
}

type signupForm struct {
	Studio, Name, Email string
	Error               string
}

func (a *App) signupPage(c *fiber.Ctx) error {
	return a.render(c, "signup", signupForm{})
}

// signup creates the studio and its owner, then signs the owner in.
func (a *App) signup(c *fiber.Ctx) error {
	form := signupForm{Studio: c.FormValue("studio"), Name: c.FormValue("name"), Email: c.FormValue("email")}
	pw := c.FormValue("password")
	_, err := a.Accounts.SignUp(ctx(c), auth.SignUp{Studio: form.Studio, Name: form.Name, Email: form.Email, Password: pw}, actor(c))
	if err != nil {
		return a.formError(c, "signup", err, func(msg string) any { form.Error = msg; return form })
	}
	s, tok, err := a.Accounts.Login(ctx(c), form.Email, pw, actor(c))
	if err != nil {
		return err
	}
	a.setSessionCookie(c, tok, s)
	setFlash(c, "Welcome to Proofsheet. Your studio is ready.")
	return c.Redirect("/studio", fiber.StatusSeeOther)
}

// formError shows a form again with the error's safe message, or fails the
// request when the error is not the user's to fix.
func (a *App) formError(c *fiber.Ctx, page string, err error, with func(msg string) any) error {
	p := toProblem(err)
	if p.Status >= 500 {
		return err
	}
	c.Locals(localErr, err)
	if p.Status == fiber.StatusTooManyRequests {
		var rl *auth.RateLimitError
		if errors.As(err, &rl) {
			p.Detail = "Too many attempts. Try again in " + waitText(rl) + "."
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds(rl))
		}
	}
	return a.renderStatus(c, p.Status, page, with(p.Detail))
}

func (a *App) studioHome(c *fiber.Ctx) error {
	return a.render(c, "studio", nil)
}
