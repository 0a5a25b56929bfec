package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// personCard is one person of a collection, with their face crop.
type personCard struct {
	ID, Name, URL, Face string
	Photos              int
	Hidden              bool
}

func personCardOf(coll uuid.UUID, p faces.Person) personCard {
	url := collectionPath(coll) + "/people/" + p.ID.String()
	return personCard{ID: p.ID.String(), Name: p.Name, URL: url, Photos: p.Photos, Hidden: p.Hidden, Face: personFaceURL(url, p)}
}

// personFaceURL is the address of the person's face crop under their
// address url, or empty when they have none. A new cover is a new
// address, so the crop can be cached.
func personFaceURL(url string, p faces.Person) string {
	if p.Cover == nil {
		return ""
	}
	return url + "/face?f=" + p.Cover.FaceID.String()
}

// peopleData lists the collection's people, the hidden ones last.
func (a *App) peopleData(c *fiber.Ctx, v *collectionView) error {
	people, err := a.Faces.People(ctx(c), session(c).StudioID, v.ID)
	if err != nil {
		return err
	}
	var hidden []personCard
	for _, p := range people {
		if p.Hidden {
			hidden = append(hidden, personCardOf(v.ID, p))
			continue
		}
		v.People = append(v.People, personCardOf(v.ID, p))
	}
	v.Hidden = len(hidden)
	v.People = append(v.People, hidden...)
	return nil
}

// personView is a person's page: their photos, and naming, hiding and
// merging them.
type personView struct {
	personCard
	Collection    string
	CollectionURL string
	Tiles         []photoTile
	Others        []personCard // people who can be merged into this one
	Errors        map[string]string
}

func collectionAndPerson(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	coll, err := paramID(c, "id")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	person, err := paramID(c, "person")
	return coll, person, err
}

// personPage is GET /studio/faces/:id/people/:person.
func (a *App) personPage(c *fiber.Ctx) error {
	v, err := a.personData(c)
	if err != nil {
		return err
	}
	return a.render(c, "face_person", v)
}

func (a *App) personData(c *fiber.Ctx) (*personView, error) {
	studio := session(c).StudioID
	coll, id, err := collectionAndPerson(c)
	if err != nil {
		return nil, err
	}
	co, err := a.Faces.Collection(ctx(c), studio, coll)
	if err != nil {
		return nil, err
	}
	p, err := a.Faces.Person(ctx(c), studio, coll, id)
	if err != nil {
		return nil, err
	}
	v := &personView{personCard: personCardOf(coll, *p), Collection: co.Name, CollectionURL: collectionPath(coll), Errors: map[string]string{}}
	ms, err := a.Faces.PersonPhotos(ctx(c), studio, coll, id)
	if err != nil {
		return nil, err
	}
	photos, err := a.Gallery.PhotosByID(ctx(c), studio, matchIDs(ms))
	if err != nil {
		return nil, err
	}
	for i := range photos {
		t := tileOf(&gallery.Album{ID: photos[i].AlbumID}, &photos[i])
		v.Tiles = append(v.Tiles, t)
	}
	people, err := a.Faces.People(ctx(c), studio, coll)
	if err != nil {
		return nil, err
	}
	for _, o := range people {
		if o.ID != id {
			v.Others = append(v.Others, personCardOf(coll, o))
		}
	}
	return v, nil
}

// renamePersonForm is POST …/people/:person with a name (empty unnames).
func (a *App) renamePersonForm(c *fiber.Ctx) error {
	coll, id, err := collectionAndPerson(c)
	if err != nil {
		return err
	}
	p, err := a.Faces.RenamePerson(ctx(c), session(c).StudioID, coll, id, c.FormValue("name"), facesActor(c))
	if msg, ok := facesFormError(err); ok {
		return a.personError(c, "name", msg)
	}
	if err != nil {
		return err
	}
	setFlash(c, "Saved: "+orDefault(p.Name, "this person has no name")+".")
	return c.Redirect(collectionPath(coll)+"/people/"+id.String(), fiber.StatusSeeOther)
}

// hidePersonForm is POST …/people/:person/hide with hidden=1 or 0. A
// hidden person is found by no selfie.
func (a *App) hidePersonForm(c *fiber.Ctx) error {
	coll, id, err := collectionAndPerson(c)
	if err != nil {
		return err
	}
	hide := c.FormValue("hidden") == "1"
	if _, err := a.Faces.SetPersonHidden(ctx(c), session(c).StudioID, coll, id, hide, facesActor(c)); err != nil {
		return err
	}
	msg := "Shown again: guests who are this person find their photos."
	if hide {
		msg = "Hidden: no guest's selfie finds this person's photos, and the person is listed last."
	}
	setFlash(c, msg)
	return c.Redirect(collectionPath(coll)+"/people/"+id.String(), fiber.StatusSeeOther)
}

// mergePeopleForm is POST …/people/:person/merge with the people (from)
// who are the same person as this one.
func (a *App) mergePeopleForm(c *fiber.Ctx) error {
	coll, id, err := collectionAndPerson(c)
	if err != nil {
		return err
	}
	from := formIDs(c, "from")
	p, err := a.Faces.MergePeople(ctx(c), session(c).StudioID, coll, id, from, facesActor(c))
	if msg, ok := facesFormError(err); ok {
		return a.personError(c, "merge", msg)
	}
	if err != nil {
		return err
	}
	setFlash(c, fmt.Sprintf("Merged %s into this one: %s.", plural(len(from), "person", "people"), plural(p.Photos, "photo", "photos")))
	return c.Redirect(collectionPath(coll)+"/people/"+id.String(), fiber.StatusSeeOther)
}

func (a *App) personError(c *fiber.Ctx, section, msg string) error {
	v, err := a.personData(c)
	if err != nil {
		return err
	}
	v.Errors[section] = msg
	return a.renderStatus(c, fiber.StatusUnprocessableEntity, "face_person", v)
}

// faceCropSize is the long edge of a person's face crop in pixels: a
// 96 px circle on a screen of density 2 and a little more.
const faceCropSize = 240

// personFace is GET …/people/:person/face: the person's cover face, cut
// from the photo's preview around the face's box. Made on request, not
// stored: it is a few milliseconds of libvips, and the browser keeps it.
func (a *App) personFace(c *fiber.Ctx) error {
	coll, id, err := collectionAndPerson(c)
	if err != nil {
		return err
	}
	return a.sendPersonFace(c, session(c).StudioID, coll, id)
}

// sendPersonFace answers with a person's face crop, for the pages and the
// API alike.
func (a *App) sendPersonFace(c *fiber.Ctx, studio, coll, id uuid.UUID) error {
	p, err := a.Faces.Person(ctx(c), studio, coll, id)
	if err != nil {
		return err
	}
	if p.Cover == nil {
		return problem(fiber.StatusNotFound, "This person has no face to show.")
	}
	etag := `"face-` + p.Cover.FaceID.String() + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	if etagMatch(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	jpeg, err := a.faceCrop(ctx(c), studio, p.Cover)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/jpeg")
	return c.Send(jpeg)
}

// faceCrop cuts a stored face out of its photo's preview, with a margin
// of half the face on each side, so the crop shows a head, not a mask.
func (a *App) faceCrop(ctx context.Context, studio uuid.UUID, f *faces.FaceRef) ([]byte, error) {
	photos, err := a.Gallery.PhotosByID(ctx, studio, []uuid.UUID{f.PhotoID})
	if err != nil {
		return nil, err
	}
	if len(photos) == 0 || photos[0].PreviewKey == "" {
		return nil, fmt.Errorf("app: face crop of %s: %w", f.PhotoID, gallery.ErrNotFound)
	}
	obj, err := a.Gallery.Blobs.Open(ctx, studio, photos[0].PreviewKey)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, obj); err != nil {
		return nil, fmt.Errorf("app: face crop: %w", err)
	}
	out, err := gallery.CropJPEG(buf.Bytes(), float64(f.Box.X), float64(f.Box.Y), float64(f.Box.W), float64(f.Box.H), 0.5, faceCropSize)
	if errors.Is(err, gallery.ErrInvalidInput) {
		return nil, fmt.Errorf("app: face crop: %w", gallery.ErrNotFound)
	}
	return out, err
}
