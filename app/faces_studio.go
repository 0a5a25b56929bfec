package app

import (
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// The studio's face search pages under /studio/faces: collections (face
// search turned on for albums) with their indexing progress, people, guest
// invites, and deletion after a confirmation that names what goes.
// Handlers: faces_studio.go (collections), faces_people.go (people),
// faces_invites.go (invites), faces_album.go (the album page's card).
func (a *App) faceStudioRoutes(member func(...fiber.Handler) []fiber.Handler, f *fiber.App) {
	f.Get("/studio/faces", member(a.facesPage)...)
	f.Post("/studio/faces", member(a.createCollectionForm)...)
	const c = "/studio/faces/:id"
	f.Get(c, member(a.collectionPage)...)
	f.Get(c+"/progress", member(a.collectionProgress)...)
	f.Post(c+"/albums", member(a.addAlbumsForm)...)
	f.Get(c+"/delete", member(a.deleteCollectionPage)...)
	f.Post(c+"/delete", member(a.deleteCollectionForm)...)
	f.Post(c+"/invites", member(a.createInviteForm)...)
	f.Post(c+"/invites/:invite/revoke", member(a.revokeInviteForm)...)
	f.Post(c+"/invites/:invite/cap", member(a.inviteCapForm)...)
	f.Get(c+"/people/:person", member(a.personPage)...)
	f.Post(c+"/people/:person", member(a.renamePersonForm)...)
	f.Post(c+"/people/:person/hide", member(a.hidePersonForm)...)
	f.Post(c+"/people/:person/merge", member(a.mergePeopleForm)...)
	f.Get(c+"/people/:person/face", member(a.personFace)...)
}

func collectionPath(id uuid.UUID) string { return "/studio/faces/" + id.String() }

// facesActor is the signed-in user acting on face search.
func facesActor(c *fiber.Ctx) faces.Actor {
	act := faces.Actor{IP: c.IP()}
	if s := session(c); s != nil {
		act.UserID = s.UserID
	}
	return act
}

// collectionRow is one collection in the list.
type collectionRow struct {
	Name, URL string
	Albums    []string
	Progress  string
	Done      bool
	People    int
}

// albumChoice is an album face search can be turned on for.
type albumChoice struct {
	ID, Title string
	Draft     bool
}

type facesView struct {
	Collections []collectionRow
	Free        []albumChoice // albums in no collection
	Name        string
	Errors      map[string]string
}

// facesPage is GET /studio/faces.
func (a *App) facesPage(c *fiber.Ctx) error {
	return a.renderFaces(c, fiber.StatusOK, facesView{})
}

func (a *App) renderFaces(c *fiber.Ctx, status int, v facesView) error {
	studio := session(c).StudioID
	colls, err := a.Faces.Collections(ctx(c), studio)
	if err != nil {
		return err
	}
	albums, err := a.Gallery.Albums(ctx(c), studio)
	if err != nil {
		return err
	}
	titles := map[uuid.UUID]string{}
	for _, al := range albums {
		titles[al.ID] = al.Title
	}
	taken := map[uuid.UUID]bool{}
	for _, co := range colls {
		r := collectionRow{Name: co.Name, URL: collectionPath(co.ID), Progress: co.Progress.String(), Done: co.Progress.Done(), People: co.Progress.People}
		for _, id := range co.AlbumIDs {
			taken[id] = true
			r.Albums = append(r.Albums, titles[id])
		}
		v.Collections = append(v.Collections, r)
	}
	v.Free = freeAlbums(albums, taken)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return a.renderStatus(c, status, "faces", v)
}

func freeAlbums(albums []gallery.Album, taken map[uuid.UUID]bool) []albumChoice {
	var out []albumChoice
	for _, al := range albums {
		if !taken[al.ID] && al.Status != gallery.StatusArchived {
			out = append(out, albumChoice{ID: al.ID.String(), Title: al.Title, Draft: al.Status == gallery.StatusDraft})
		}
	}
	return out
}

// formIDs reads the ids a form sent under name (checkboxes), as parseIDs.
func formIDs(c *fiber.Ctx, name string) []uuid.UUID {
	var vals []string
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		vals = append(vals, string(v))
	}
	return parseIDs(vals)
}

// createCollectionForm is POST /studio/faces: a name and albums, from the
// face search page or an album's page (one album).
func (a *App) createCollectionForm(c *fiber.Ctx) error {
	name := strings.TrimSpace(c.FormValue("name"))
	co, err := a.Faces.CreateCollection(ctx(c), session(c).StudioID,
		faces.CollectionInput{Name: name, AlbumIDs: formIDs(c, "album_ids")}, facesActor(c))
	if msg, ok := planLimit(err); ok {
		return a.renderFaces(c, fiber.StatusPaymentRequired, facesView{Name: name, Errors: map[string]string{"create": msg}})
	}
	if msg, ok := facesFormError(err); ok {
		return a.renderFaces(c, fiber.StatusUnprocessableEntity, facesView{Name: name, Errors: map[string]string{"create": msg}})
	}
	if err != nil {
		return err
	}
	setFlash(c, "Face search is on. The photos are being indexed: people appear as they are found.")
	return c.Redirect(collectionPath(co.ID), fiber.StatusSeeOther)
}

// facesFormError is the message of a mistake a form can show again.
func facesFormError(err error) (string, bool) {
	var ie *faces.InputError
	var ce *faces.ConflictError
	switch {
	case errors.As(err, &ie):
		return ie.Message, true
	case errors.As(err, &ce):
		return ce.Message, true
	}
	return "", false
}

// collectionView is a collection's page.
type collectionView struct {
	faces.Collection
	URL          string
	Albums       []albumChoice
	Free         []albumChoice
	ProgressText string
	Percent      int
	People       []personCard
	Hidden       int
	Invites      []inviteRow
	NewInvite    *newInviteView
	InviteForm   faceInviteForm
	MinExpiry    string
	Errors       map[string]string
}

// collectionPage is GET /studio/faces/:id.
func (a *App) collectionPage(c *fiber.Ctx) error {
	v, err := a.collectionData(c)
	if err != nil {
		return err
	}
	return a.render(c, "face_collection", v)
}

// collectionData loads what the collection page shows.
func (a *App) collectionData(c *fiber.Ctx) (*collectionView, error) {
	studio := session(c).StudioID
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	co, err := a.Faces.Collection(ctx(c), studio, id)
	if err != nil {
		return nil, err
	}
	v := &collectionView{Collection: *co, URL: collectionPath(id), ProgressText: co.Progress.String(),
		Percent: percent(co.Progress), Errors: map[string]string{}, MinExpiry: a.now().Format("2006-01-02")}
	if err := a.collectionAlbums(c, v); err != nil {
		return nil, err
	}
	if err := a.peopleData(c, v); err != nil {
		return nil, err
	}
	return v, a.invitesData(c, v)
}

func percent(p faces.Progress) int {
	if p.Photos == 0 {
		return 100
	}
	return min(100, p.Indexed*100/p.Photos)
}

// collectionAlbums names the collection's albums and those it could add.
func (a *App) collectionAlbums(c *fiber.Ctx, v *collectionView) error {
	studio := session(c).StudioID
	albums, err := a.Gallery.Albums(ctx(c), studio)
	if err != nil {
		return err
	}
	colls, err := a.Faces.Collections(ctx(c), studio)
	if err != nil {
		return err
	}
	taken := map[uuid.UUID]bool{}
	for _, co := range colls {
		for _, id := range co.AlbumIDs {
			taken[id] = true
		}
	}
	for _, al := range albums {
		if slices.Contains(v.AlbumIDs, al.ID) {
			v.Albums = append(v.Albums, albumChoice{ID: al.ID.String(), Title: al.Title, Draft: al.Status != gallery.StatusPublished})
		}
	}
	v.Free = freeAlbums(albums, taken)
	return nil
}

// progressJSON is the indexing's progress, polled by the page.
type progressJSON struct {
	faces.Progress
	Text    string `json:"text"`
	Percent int    `json:"percent"`
	Done    bool   `json:"done"`
}

// collectionProgress is GET /studio/faces/:id/progress.
func (a *App) collectionProgress(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	co, err := a.Faces.Collection(ctx(c), session(c).StudioID, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(progressOf(co.Progress))
}

// progressOf is the progress as the page's script and the API read it.
func progressOf(p faces.Progress) progressJSON {
	return progressJSON{Progress: p, Text: p.String(), Percent: percent(p), Done: p.Done()}
}

// addAlbumsForm is POST /studio/faces/:id/albums.
func (a *App) addAlbumsForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	_, err = a.Faces.AddAlbums(ctx(c), session(c).StudioID, id, formIDs(c, "album_ids"), facesActor(c))
	if msg, ok := planLimit(err); ok {
		return a.collectionErrorStatus(c, fiber.StatusPaymentRequired, "albums", msg)
	}
	if msg, ok := facesFormError(err); ok {
		return a.collectionError(c, "albums", msg)
	}
	if err != nil {
		return err
	}
	setFlash(c, "The album is added. Its photos are being indexed.")
	return c.Redirect(collectionPath(id), fiber.StatusSeeOther)
}

// collectionError shows the collection page again with a form's mistake.
func (a *App) collectionError(c *fiber.Ctx, section, msg string) error {
	return a.collectionErrorStatus(c, fiber.StatusUnprocessableEntity, section, msg)
}

func (a *App) collectionErrorStatus(c *fiber.Ctx, status int, section, msg string) error {
	v, err := a.collectionData(c)
	if err != nil {
		return err
	}
	v.Errors[section] = msg
	return a.renderStatus(c, status, "face_collection", v)
}

// deleteView is the confirmation before a collection is deleted.
type deleteView struct {
	Name, URL string
	Counts    faces.PurgeCounts
	Lost      string
}

// deleteCollectionPage is GET /studio/faces/:id/delete: what deleting
// takes with it, counted, and the button.
func (a *App) deleteCollectionPage(c *fiber.Ctx) error {
	studio := session(c).StudioID
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	co, err := a.Faces.Collection(ctx(c), studio, id)
	if err != nil {
		return err
	}
	n, err := a.Faces.PurgeCounts(ctx(c), studio, id)
	if err != nil {
		return err
	}
	return a.render(c, "face_delete", deleteView{Name: co.Name, URL: collectionPath(id), Counts: n, Lost: purgeText(co.Name, n)})
}

// purgeText names what deleting a collection loses: "Delete collection
// Sharma wedding: 4,212 faces, 37 guest registrations, …".
func purgeText(name string, n faces.PurgeCounts) string {
	return "Delete collection " + name + ": " + strings.Join([]string{
		plural(n.Faces, "face", "faces"), plural(n.Registrations, "guest registration", "guest registrations"),
		plural(n.People, "person", "people"), plural(n.Invites, "invite link", "invite links"),
	}, ", ") + ", from " + plural(n.Photos, "indexed photo", "indexed photos") + " in " + plural(n.Albums, "album", "albums") + "."
}

// deleteCollectionForm is POST /studio/faces/:id/delete.
func (a *App) deleteCollectionForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := a.Faces.DeleteCollection(ctx(c), session(c).StudioID, id, facesActor(c))
	if err != nil {
		return err
	}
	setFlash(c, "Face search is deleted: "+plural(n.Faces, "face", "faces")+" and "+
		plural(n.Registrations, "guest registration", "guest registrations")+" are gone. The albums and photos stay.")
	return c.Redirect("/studio/faces", fiber.StatusSeeOther)
}
