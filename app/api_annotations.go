package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// annotationJSON is a guest's note on a photo, in fractions of the
// photo's width and height, with the replies to it.
type annotationJSON struct {
	ID         uuid.UUID   `json:"id"`
	PhotoID    uuid.UUID   `json:"photo_id"`
	GuestID    *uuid.UUID  `json:"guest_id"`
	Shape      string      `json:"shape"`
	X          float64     `json:"x"`
	Y          float64     `json:"y"`
	W          float64     `json:"w"`
	H          float64     `json:"h"`
	Note       string      `json:"note"`
	Status     string      `json:"status"`
	CreatedAt  time.Time   `json:"created_at"`
	ResolvedAt *time.Time  `json:"resolved_at"`
	Replies    []replyJSON `json:"replies"`
}

type replyJSON struct {
	ID           uuid.UUID  `json:"id"`
	AnnotationID uuid.UUID  `json:"annotation_id"`
	UserID       *uuid.UUID `json:"user_id"`
	GuestID      *uuid.UUID `json:"guest_id"`
	Body         string     `json:"body"`
	CreatedAt    time.Time  `json:"created_at"`
}

func replyOf(r *gallery.AnnotationReply) replyJSON {
	return replyJSON{ID: r.ID, AnnotationID: r.AnnotationID, UserID: r.UserID, GuestID: r.GuestID, Body: r.Body,
		CreatedAt: r.CreatedAt.UTC()}
}

func annotationOf(n *gallery.Annotation) annotationJSON {
	out := annotationJSON{ID: n.ID, PhotoID: n.PhotoID, GuestID: n.GuestID, Shape: n.Shape, X: n.X, Y: n.Y, W: n.W, H: n.H,
		Note: n.Note, Status: n.Status, CreatedAt: n.CreatedAt.UTC(), ResolvedAt: utcp(n.ResolvedAt),
		Replies: make([]replyJSON, 0, len(n.Replies))}
	for i := range n.Replies {
		out.Replies = append(out.Replies, replyOf(&n.Replies[i]))
	}
	return out
}

// apiAnnotations is GET /api/v1/albums/{album}/photos/{photo}/annotations,
// oldest first, each with its replies.
func (a *App) apiAnnotations(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "photo")
	if err != nil {
		return err
	}
	list, err := a.Gallery.Annotations(ctx(c), apiStudio(c), ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(annotationsOf(list))
}

// apiReply is POST /api/v1/albums/{album}/annotations/{annotation}/replies:
// the photographer answers a note; the guests see it.
func (a *App) apiReply(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "annotation")
	if err != nil {
		return err
	}
	var b struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	r, err := a.Gallery.Reply(ctx(c), apiStudio(c), ids[0], ids[1], b.Body, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(replyOf(r))
}

// apiResolve is PATCH /api/v1/albums/{album}/annotations/{annotation}: its
// status, resolved or open again.
func (a *App) apiResolve(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "annotation")
	if err != nil {
		return err
	}
	var b struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Status != "open" && b.Status != "resolved" {
		return fieldError("status", "The status is open or resolved.")
	}
	if err := a.Gallery.Resolve(ctx(c), apiStudio(c), ids[0], ids[1], b.Status == "resolved", apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// annotationsOf is the body of a list of notes, for the studio and guests.
func annotationsOf(list []gallery.Annotation) any {
	out := struct {
		Annotations []annotationJSON `json:"annotations"`
	}{Annotations: make([]annotationJSON, 0, len(list))}
	for i := range list {
		out.Annotations = append(out.Annotations, annotationOf(&list[i]))
	}
	return out
}
