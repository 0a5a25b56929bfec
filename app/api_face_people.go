package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
)

// facePersonJSON is a person of a collection: the faces indexing grouped
// as one, named and hidden by the studio.
type facePersonJSON struct {
	ID      uuid.UUID `json:"id"`
	Name    string    `json:"name"`
	Hidden  bool      `json:"hidden"`
	Faces   int       `json:"faces"`
	Photos  int       `json:"photos"`
	FaceURL *string   `json:"face_url"` // the crop; null when the person has no face to show
}

func facePersonOf(p *faces.Person) facePersonJSON {
	url := apiFacePath(p.CollectionID) + "/people/" + p.ID.String()
	return facePersonJSON{ID: p.ID, Name: p.Name, Hidden: p.Hidden, Faces: p.Faces, Photos: p.Photos,
		FaceURL: nonEmpty(personFaceURL(url, *p))}
}

// apiCollectionAndPerson reads the collection and person of the path.
func apiCollectionAndPerson(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	ids, err := apiIDs(c, "collection", "person")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return ids[0], ids[1], nil
}

// apiFacePeople is GET …/people: people on the most photos first, hidden
// ones included and marked.
func (a *App) apiFacePeople(c *fiber.Ctx) error {
	coll, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	people, err := a.Faces.People(ctx(c), apiStudio(c), coll)
	if err != nil {
		return err
	}
	out := struct {
		People []facePersonJSON `json:"people"`
	}{People: make([]facePersonJSON, len(people))}
	for i := range people {
		out.People[i] = facePersonOf(&people[i])
	}
	return c.JSON(out)
}

// apiFacePerson is GET …/people/{person}.
func (a *App) apiFacePerson(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndPerson(c)
	if err != nil {
		return err
	}
	p, err := a.Faces.Person(ctx(c), apiStudio(c), coll, id)
	if err != nil {
		return err
	}
	return c.JSON(facePersonOf(p))
}

// apiUpdateFacePerson is PATCH …/people/{person}: a name (empty unnames)
// and whether the person is hidden from guests' selfies. The name is
// checked before anything changes.
func (a *App) apiUpdateFacePerson(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndPerson(c)
	if err != nil {
		return err
	}
	var b struct {
		Name   *string `json:"name"`
		Hidden *bool   `json:"hidden"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	studio, act := apiStudio(c), apiFacesActor(c)
	p, err := a.Faces.Person(ctx(c), studio, coll, id)
	if err == nil && b.Name != nil {
		p, err = a.Faces.RenamePerson(ctx(c), studio, coll, id, *b.Name, act)
	}
	if err == nil && b.Hidden != nil {
		p, err = a.Faces.SetPersonHidden(ctx(c), studio, coll, id, *b.Hidden, act)
	}
	if err != nil {
		return err
	}
	return c.JSON(facePersonOf(p))
}

// apiMergeFacePeople is POST …/people/{person}/merge with the people
// (ids) who are the same person as this one: their faces move to it and
// they are gone.
func (a *App) apiMergeFacePeople(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndPerson(c)
	if err != nil {
		return err
	}
	var b struct {
		People []string `json:"people"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	studio := apiStudio(c)
	if _, err := a.Faces.Person(ctx(c), studio, coll, id); err != nil {
		return err // the person of the path: not found
	}
	p, err := a.Faces.MergePeople(ctx(c), studio, coll, id, parseIDs(b.People), apiFacesActor(c))
	if errors.Is(err, faces.ErrNotFound) { // so one of the body's
		return fieldError("people", "One of the people is not in this collection.")
	}
	if err != nil {
		return err
	}
	return c.JSON(facePersonOf(p))
}

// facePersonPhotoJSON is a photo of a person with where their faces are
// on it (boxes in fractions of the picture).
type facePersonPhotoJSON struct {
	Photo photoJSON       `json:"photo"`
	Faces []faces.FaceRef `json:"faces"`
}

// apiFacePersonPhotos is GET …/people/{person}/photos: every photo the
// person is on, hidden folders included, in the order they were indexed.
// Their files are the album's photo routes.
func (a *App) apiFacePersonPhotos(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndPerson(c)
	if err != nil {
		return err
	}
	studio := apiStudio(c)
	ms, err := a.Faces.PersonPhotos(ctx(c), studio, coll, id)
	if err != nil {
		return err
	}
	photos, err := a.Gallery.PhotosByID(ctx(c), studio, matchIDs(ms))
	if err != nil {
		return err
	}
	boxes := make(map[uuid.UUID][]faces.FaceRef, len(ms))
	for _, m := range ms {
		for _, f := range m.Faces {
			boxes[m.PhotoID] = append(boxes[m.PhotoID], faces.FaceRef{FaceID: f.FaceID, PhotoID: f.PhotoID, Box: f.Box})
		}
	}
	out := struct {
		Photos []facePersonPhotoJSON `json:"photos"`
	}{Photos: make([]facePersonPhotoJSON, len(photos))}
	for i := range photos {
		out.Photos[i] = facePersonPhotoJSON{Photo: photoOf(&photos[i]), Faces: boxes[photos[i].ID]}
	}
	return c.JSON(out)
}

// apiFacePersonFace is GET …/people/{person}/face: the JPEG crop the
// studio's pages show.
func (a *App) apiFacePersonFace(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndPerson(c)
	if err != nil {
		return err
	}
	return a.sendPersonFace(c, apiStudio(c), coll, id)
}
