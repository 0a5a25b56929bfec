package app

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// meJSON is who a token acts as: its user, their studio and the token.
type meJSON struct {
	User   userJSON   `json:"user"`
	Studio studioJSON `json:"studio"`
	Token  tokenJSON  `json:"token"`
}

type userJSON struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	TwoFactor bool      `json:"two_factor"`
}

type studioJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// apiMe is GET /api/v1/me.
func (a *App) apiMe(c *fiber.Ctx) error {
	cl := apiCaller(c)
	studio, err := a.Accounts.Studio(ctx(c), cl.Token.StudioID)
	if err != nil {
		return err
	}
	u := cl.User
	return c.JSON(meJSON{
		User:   userJSON{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, TwoFactor: u.TwoFactor()},
		Studio: studioJSON{ID: studio.ID, Name: studio.Name},
		Token:  tokenOf(cl.Token),
	})
}
