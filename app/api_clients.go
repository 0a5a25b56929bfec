package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// clientJSON is a client of the studio as the API shows it.
type clientJSON struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func clientOf(cl *gallery.Client) clientJSON {
	return clientJSON{ID: cl.ID, Name: cl.Name, Email: cl.Email, Phone: cl.Phone, Notes: cl.Notes,
		CreatedAt: cl.CreatedAt.UTC(), UpdatedAt: cl.UpdatedAt.UTC()}
}

// clientBody is a client's fields in a request; absent ones are kept on
// PATCH and empty on POST (the name is required there).
type clientBody struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
	Phone *string `json:"phone"`
	Notes *string `json:"notes"`
}

func (b clientBody) onto(in gallery.ClientInput) gallery.ClientInput {
	setIfAPI(&in.Name, b.Name)
	setIfAPI(&in.Email, b.Email)
	setIfAPI(&in.Phone, b.Phone)
	setIfAPI(&in.Notes, b.Notes)
	return in
}

func setIfAPI[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// apiClients is GET /api/v1/clients: every client, by name.
func (a *App) apiClients(c *fiber.Ctx) error {
	list, err := a.Gallery.Clients(ctx(c), apiStudio(c))
	if err != nil {
		return err
	}
	out := struct {
		Clients []clientJSON `json:"clients"`
	}{Clients: make([]clientJSON, 0, len(list))}
	for i := range list {
		out.Clients = append(out.Clients, clientOf(&list[i]))
	}
	return c.JSON(out)
}

// apiCreateClient is POST /api/v1/clients.
func (a *App) apiCreateClient(c *fiber.Ctx) error {
	var b clientBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	cl, err := a.Gallery.CreateClient(ctx(c), apiStudio(c), b.onto(gallery.ClientInput{}), apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(clientOf(cl))
}

// apiClient is GET /api/v1/clients/{client}.
func (a *App) apiClient(c *fiber.Ctx) error {
	id, err := apiID(c, "client")
	if err != nil {
		return err
	}
	cl, err := a.Gallery.Client(ctx(c), apiStudio(c), id)
	if err != nil {
		return err
	}
	return c.JSON(clientOf(cl))
}

// apiUpdateClient is PATCH /api/v1/clients/{client}: the fields sent
// replace the client's, the others stay.
func (a *App) apiUpdateClient(c *fiber.Ctx) error {
	id, err := apiID(c, "client")
	if err != nil {
		return err
	}
	var b clientBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	studio := apiStudio(c)
	cur, err := a.Gallery.Client(ctx(c), studio, id)
	if err != nil {
		return err
	}
	in := b.onto(gallery.ClientInput{Name: cur.Name, Email: cur.Email, Phone: cur.Phone, Notes: cur.Notes})
	cl, err := a.Gallery.UpdateClient(ctx(c), studio, id, in, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.JSON(clientOf(cl))
}

// apiDeleteClient is DELETE /api/v1/clients/{client}; the client's albums
// stay, without a client.
func (a *App) apiDeleteClient(c *fiber.Ctx) error {
	id, err := apiID(c, "client")
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteClient(ctx(c), apiStudio(c), id, apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
