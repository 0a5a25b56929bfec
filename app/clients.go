package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// clientsView is the client list with the form to add one.
type clientsView struct {
	Clients []clientRow
	Form    clientForm
}

type clientRow struct {
	gallery.ClientSummary
	URL string
}

type clientForm struct {
	gallery.ClientInput
	Error string
}

// clientView is one client's page: the edit form and their albums.
type clientView struct {
	Client        *gallery.Client
	URL           string
	Form          clientForm
	Albums        []albumRow
	DeleteWarning string
}

func clientPath(id uuid.UUID) string { return "/studio/clients/" + id.String() }

func readClientForm(c *fiber.Ctx) gallery.ClientInput {
	return gallery.ClientInput{Name: c.FormValue("name"), Email: c.FormValue("email"),
		Phone: c.FormValue("phone"), Notes: c.FormValue("notes")}
}

func (a *App) clientsPage(c *fiber.Ctx) error {
	v, err := a.clientsData(c)
	if err != nil {
		return err
	}
	return a.render(c, "clients", v)
}

func (a *App) clientsData(c *fiber.Ctx) (*clientsView, error) {
	list, err := a.Gallery.ClientSummaries(ctx(c), session(c).StudioID)
	if err != nil {
		return nil, err
	}
	v := &clientsView{}
	for _, cl := range list {
		v.Clients = append(v.Clients, clientRow{ClientSummary: cl, URL: clientPath(cl.ID)})
	}
	return v, nil
}

func (a *App) createClientForm(c *fiber.Ctx) error {
	in := readClientForm(c)
	cl, err := a.Gallery.CreateClient(ctx(c), session(c).StudioID, in, galleryActor(c))
	if err != nil {
		v, lerr := a.clientsData(c)
		if lerr != nil {
			return errors.Join(err, lerr)
		}
		return a.formError(c, "clients", err, func(msg string) any { v.Form = clientForm{ClientInput: in, Error: msg}; return v })
	}
	setFlash(c, "Client “"+cl.Name+"” added. Choose them when you create or edit an album.")
	return c.Redirect("/studio/clients", fiber.StatusSeeOther)
}

func (a *App) clientPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.clientData(c, id)
	if err != nil {
		return err
	}
	return a.render(c, "client", v)
}

func (a *App) clientData(c *fiber.Ctx, id uuid.UUID) (*clientView, error) {
	studio := session(c).StudioID
	cl, err := a.Gallery.Client(ctx(c), studio, id)
	if err != nil {
		return nil, err
	}
	albums, err := a.Gallery.AlbumSummaries(ctx(c), studio)
	if err != nil {
		return nil, err
	}
	v := &clientView{Client: cl, URL: clientPath(id),
		Form: clientForm{ClientInput: gallery.ClientInput{Name: cl.Name, Email: cl.Email, Phone: cl.Phone, Notes: cl.Notes}}}
	for _, s := range albums {
		if s.ClientID != nil && *s.ClientID == id {
			r := albumRow{AlbumSummary: s, URL: albumPath(s.ID)}
			if s.CoverThumb != nil {
				r.CoverURL = photoPath(s.ID, *s.CoverThumb) + "/thumb"
			}
			v.Albums = append(v.Albums, r)
		}
	}
	v.DeleteWarning = "Delete client “" + cl.Name + "” and their contact details and notes?"
	if n := len(v.Albums); n > 0 {
		v.DeleteWarning += " Their " + plural(n, "album stays", "albums stay") + ", without a client."
	}
	return v, nil
}

func (a *App) updateClientForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	in := readClientForm(c)
	cl, err := a.Gallery.UpdateClient(ctx(c), session(c).StudioID, id, in, galleryActor(c))
	if err != nil {
		if p := toProblem(err); p.Status != fiber.StatusUnprocessableEntity {
			return err
		}
		v, lerr := a.clientData(c, id)
		if lerr != nil {
			return errors.Join(err, lerr)
		}
		return a.formError(c, "client", err, func(msg string) any { v.Form = clientForm{ClientInput: in, Error: msg}; return v })
	}
	setFlash(c, "“"+cl.Name+"” saved.")
	return c.Redirect(clientPath(id), fiber.StatusSeeOther)
}

func (a *App) deleteClientForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	cl, err := a.Gallery.Client(ctx(c), studio, id)
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteClient(ctx(c), studio, id, galleryActor(c)); err != nil {
		return err
	}
	setFlash(c, "Client “"+cl.Name+"” was deleted. Their albums are still here.")
	return c.Redirect("/studio/clients", fiber.StatusSeeOther)
}
