package app

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/auth"
)

// tokenJSON is an API token as the API shows it: never its secret or hash.
type tokenJSON struct {
	ID         uuid.UUID  `json:"id"`
	UserID     uuid.UUID  `json:"user_id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func tokenOf(t *auth.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, UserID: t.UserID, Name: t.Name, Scope: t.Scope, Prefix: t.Prefix,
		CreatedAt: t.CreatedAt.UTC(), LastUsedAt: utcp(t.LastUsedAt)}
}

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// apiTokens is GET /api/v1/tokens: the caller's live tokens, and for
// owners everyone's in the studio.
func (a *App) apiTokens(c *fiber.Ctx) error {
	cl := apiCaller(c)
	list, err := a.Accounts.Tokens(ctx(c), cl.Token.StudioID, cl.User.ID)
	if err != nil {
		return err
	}
	out := struct {
		Tokens []tokenJSON `json:"tokens"`
	}{Tokens: make([]tokenJSON, 0, len(list))}
	for i := range list {
		out.Tokens = append(out.Tokens, tokenOf(&list[i]))
	}
	return c.JSON(out)
}

// apiCreateToken is POST /api/v1/tokens. The secret is in this response
// and nowhere else, ever.
func (a *App) apiCreateToken(c *fiber.Ctx) error {
	var in struct {
		Name  string `json:"name"`
		Scope string `json:"scope"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl := apiCaller(c)
	t, err := a.Accounts.CreateToken(ctx(c), cl.Token.StudioID, cl.User.ID, in.Name, in.Scope, apiActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(struct {
		tokenJSON
		Token string `json:"token"`
	}{tokenOf(&t.APIToken), t.Plain})
}

// apiRevokeToken is DELETE /api/v1/tokens/{id}.
func (a *App) apiRevokeToken(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return fmt.Errorf("app: token id %q: %w", c.Params("id"), auth.ErrNotFound)
	}
	if _, err := a.Accounts.RevokeToken(ctx(c), apiCaller(c).Token.StudioID, id, apiActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
