package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// albumFaces is the album page's face search card: off, with the button
// that turns it on, or on, with the collection's progress.
type albumFaces struct {
	On       bool
	Name     string // the collection, or the name a new one takes
	URL      string // the collection's page
	Progress string
	People   int
	Done     bool
}

// albumFaceSearch reads the album's face search state for its page.
func (a *App) albumFaceSearch(c *fiber.Ctx, al *gallery.Album) (albumFaces, error) {
	co, err := a.Faces.CollectionOfAlbum(ctx(c), session(c).StudioID, al.ID)
	if errors.Is(err, faces.ErrNotFound) {
		return albumFaces{Name: al.Title}, nil
	}
	if err != nil {
		return albumFaces{}, err
	}
	return albumFaces{On: true, Name: co.Name, URL: collectionPath(co.ID), Progress: co.Progress.String(),
		People: co.Progress.People, Done: co.Progress.Done()}, nil
}
