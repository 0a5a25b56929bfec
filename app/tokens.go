package app

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/auth"
)

// tokensView is the API tokens page. Everyone manages their own tokens;
// owners also see and may revoke everyone else's (see auth.Tokens).
type tokensView struct {
	Tokens []tokenRow
	Others bool // an owner sees other members' tokens: say whose each is
	Form   tokenForm
	New    *newTokenView // set only on the response that created it
}

type tokenRow struct {
	ID, Name, Scope, Prefix string
	User                    string // whose token, for owners
	Mine                    bool
	Created                 time.Time
	LastUsed                *time.Time
}

type tokenForm struct {
	Name, Scope string
	Error       string
}

type newTokenView struct {
	Name, Scope, Plain string
}

func (a *App) tokensPage(c *fiber.Ctx) error {
	v, err := a.tokensData(c)
	if err != nil {
		return err
	}
	return a.render(c, "tokens", v)
}

// tokensData loads the page for the signed-in user.
func (a *App) tokensData(c *fiber.Ctx) (*tokensView, error) {
	s := session(c)
	list, err := a.Accounts.Tokens(ctx(c), s.StudioID, s.UserID)
	if err != nil {
		return nil, err
	}
	v := &tokensView{Form: tokenForm{Scope: auth.ScopeRead}}
	names := map[uuid.UUID]string{}
	if s.User.Role == auth.RoleOwner {
		users, err := a.Accounts.Users(ctx(c), s.StudioID)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			names[u.ID] = u.Name
		}
	}
	for _, t := range list {
		v.Tokens = append(v.Tokens, tokenRow{ID: t.ID.String(), Name: t.Name, Scope: t.Scope, Prefix: t.Prefix,
			User: names[t.UserID], Mine: t.UserID == s.UserID, Created: t.CreatedAt, LastUsed: t.LastUsedAt})
		v.Others = v.Others || t.UserID != s.UserID
	}
	return v, nil
}

// createTokenForm makes a token and shows its secret on this response
// only (no redirect: the secret must not travel in a cookie or a URL).
// The page is no-store, so going back does not show it again.
func (a *App) createTokenForm(c *fiber.Ctx) error {
	s := session(c)
	form := tokenForm{Name: c.FormValue("name"), Scope: c.FormValue("scope")}
	t, err := a.Accounts.CreateToken(ctx(c), s.StudioID, s.UserID, form.Name, form.Scope, actor(c))
	if err != nil {
		v, lerr := a.tokensData(c)
		if lerr != nil {
			return fmt.Errorf("%w (and reloading the page: %v)", err, lerr)
		}
		return a.formError(c, "tokens", err, func(msg string) any { form.Error = msg; v.Form = form; return v })
	}
	v, err := a.tokensData(c)
	if err != nil {
		return err
	}
	v.New = &newTokenView{Name: t.Name, Scope: t.Scope, Plain: t.Plain}
	return a.render(c, "tokens", v)
}

func (a *App) revokeTokenForm(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return fmt.Errorf("app: token id %q: %w", c.Params("id"), auth.ErrNotFound)
	}
	t, err := a.Accounts.RevokeToken(ctx(c), session(c).StudioID, id, actor(c))
	if err != nil {
		return err
	}
	setFlash(c, "The token “"+t.Name+"” was revoked. Apps using it are refused from now on.")
	return c.Redirect("/studio/tokens", fiber.StatusSeeOther)
}
