package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
)

// apiFaceRoutes is the studio's face search in the JSON API, for native
// apps: what /studio/faces does, with the same faces service underneath.
// Handlers: api_faces.go (collections and deletion), api_face_people.go,
// api_face_collection_invites.go. Another studio's ids are not found.
func (a *App) apiFaceRoutes(r fiber.Router, api func(...fiber.Handler) []fiber.Handler) {
	r.Get("/face-collections", api(a.apiFaceCollections)...)
	r.Post("/face-collections", api(a.apiCreateFaceCollection)...)
	const co = "/face-collections/:collection"
	r.Get(co, api(a.apiFaceCollection)...)
	r.Delete(co, api(a.apiDeleteFaceCollection)...)
	r.Post(co+"/albums", api(a.apiAddFaceAlbums)...)
	r.Get(co+"/purge", api(a.apiFacePurgeCounts)...)

	r.Get(co+"/people", api(a.apiFacePeople)...)
	r.Get(co+"/people/:person", api(a.apiFacePerson)...)
	r.Patch(co+"/people/:person", api(a.apiUpdateFacePerson)...)
	r.Post(co+"/people/:person/merge", api(a.apiMergeFacePeople)...)
	r.Get(co+"/people/:person/photos", api(a.apiFacePersonPhotos)...)
	r.Get(co+"/people/:person/face", api(a.apiFacePersonFace)...)

	r.Get(co+"/invites", api(a.apiCollectionInvites)...)
	r.Post(co+"/invites", api(a.apiCreateCollectionInvite)...)
	r.Patch(co+"/invites/:invite", api(a.apiSetCollectionInviteCap)...)
	r.Post(co+"/invites/:invite/revoke", api(a.apiRevokeCollectionInvite)...)
}

// apiFacesActor is the token's user acting on face search; the audit log
// names the token too.
func apiFacesActor(c *fiber.Ctx) faces.Actor {
	cl := apiCaller(c)
	return faces.Actor{UserID: cl.User.ID, TokenID: cl.Token.ID, IP: c.IP()}
}

func apiFacePath(coll uuid.UUID) string { return "/api/v1/face-collections/" + coll.String() }

// faceCollectionJSON is a collection with its albums and the indexing's
// progress ("812 of 1,040 photos").
type faceCollectionJSON struct {
	ID        uuid.UUID       `json:"id"`
	Name      string          `json:"name"`
	Albums    []faceAlbumJSON `json:"albums"`
	Progress  progressJSON    `json:"progress"`
	CreatedAt time.Time       `json:"created_at"`
}

type faceAlbumJSON struct {
	ID     uuid.UUID `json:"id"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
}

// faceCollectionsJSON names the collections' albums, as the pages do.
func (a *App) faceCollectionsJSON(c *fiber.Ctx, colls []faces.Collection) ([]faceCollectionJSON, error) {
	albums, err := a.Gallery.Albums(ctx(c), apiStudio(c))
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]faceAlbumJSON, len(albums))
	for _, al := range albums {
		byID[al.ID] = faceAlbumJSON{ID: al.ID, Title: al.Title, Status: al.Status}
	}
	out := make([]faceCollectionJSON, len(colls))
	for i, co := range colls {
		out[i] = faceCollectionJSON{ID: co.ID, Name: co.Name, Albums: make([]faceAlbumJSON, 0, len(co.AlbumIDs)),
			Progress: progressOf(co.Progress), CreatedAt: co.CreatedAt.UTC()}
		for _, id := range co.AlbumIDs {
			if al, ok := byID[id]; ok {
				out[i].Albums = append(out[i].Albums, al)
			}
		}
	}
	return out, nil
}

// sendFaceCollection answers with one collection as it is now, read again
// so the progress counts what was just queued.
func (a *App) sendFaceCollection(c *fiber.Ctx, status int, id uuid.UUID) error {
	co, err := a.Faces.Collection(ctx(c), apiStudio(c), id)
	if err != nil {
		return err
	}
	out, err := a.faceCollectionsJSON(c, []faces.Collection{*co})
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out[0])
}

// apiFaceCollections is GET /api/v1/face-collections, newest first.
func (a *App) apiFaceCollections(c *fiber.Ctx) error {
	colls, err := a.Faces.Collections(ctx(c), apiStudio(c))
	if err != nil {
		return err
	}
	out, err := a.faceCollectionsJSON(c, colls)
	if err != nil {
		return err
	}
	return c.JSON(struct {
		Collections []faceCollectionJSON `json:"collections"`
	}{out})
}

// faceAlbumsBody names albums by id; a malformed id is an album that does
// not exist (parseIDs), refused by the service with the field named.
type faceAlbumsBody struct {
	AlbumIDs []string `json:"album_ids"`
}

// apiCreateFaceCollection is POST /api/v1/face-collections: face search on
// for albums in no collection yet; their photos are indexed in the
// background.
func (a *App) apiCreateFaceCollection(c *fiber.Ctx) error {
	var b struct {
		Name     string   `json:"name"`
		AlbumIDs []string `json:"album_ids"` // as in faceAlbumsBody; embedded, errors would name it
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := faces.CollectionInput{Name: b.Name, AlbumIDs: parseIDs(b.AlbumIDs)}
	co, err := a.Faces.CreateCollection(ctx(c), apiStudio(c), in, apiFacesActor(c))
	if err != nil {
		return err
	}
	return a.sendFaceCollection(c, fiber.StatusCreated, co.ID)
}

// apiFaceCollection is GET /api/v1/face-collections/{collection}.
func (a *App) apiFaceCollection(c *fiber.Ctx) error {
	id, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	return a.sendFaceCollection(c, fiber.StatusOK, id)
}

// apiAddFaceAlbums is POST /api/v1/face-collections/{collection}/albums.
func (a *App) apiAddFaceAlbums(c *fiber.Ctx) error {
	id, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	var b faceAlbumsBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if _, err := a.Faces.AddAlbums(ctx(c), apiStudio(c), id, parseIDs(b.AlbumIDs), apiFacesActor(c)); err != nil {
		return err
	}
	return a.sendFaceCollection(c, fiber.StatusOK, id)
}

// apiFacePurgeCounts is GET /api/v1/face-collections/{collection}/purge:
// what deleting the collection would delete, for the confirmation.
func (a *App) apiFacePurgeCounts(c *fiber.Ctx) error {
	id, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	n, err := a.Faces.PurgeCounts(ctx(c), apiStudio(c), id)
	if err != nil {
		return err
	}
	return c.JSON(n)
}

// apiDeleteFaceCollection is DELETE /api/v1/face-collections/{collection}:
// every face, person, invite and guest registration of it goes in one
// transaction (the albums and photos stay); the answer counts them.
func (a *App) apiDeleteFaceCollection(c *fiber.Ctx) error {
	id, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	n, err := a.Faces.DeleteCollection(ctx(c), apiStudio(c), id, apiFacesActor(c))
	if err != nil {
		return err
	}
	return c.JSON(n)
}
