package app

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// Files for event guests: a photo is served only when the registered face
// is on it (faces.Guests.CheckPhoto, the same question the search asks)
// and the gallery lets an event guest see it (VisiblePhoto: published
// album, folder not hidden, ready). Downloads then follow the download
// rule. Everything goes out through sendObject.

func matchIDs(ms []faces.PhotoMatch) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.PhotoID
	}
	return out
}

// facePhoto checks that the visiting guest may have photo :photo.
func (a *App) facePhoto(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := paramID(c, "photo")
	if err != nil {
		return uuid.Nil, err
	}
	v := faceVisit(c)
	switch {
	case v.Registration == nil:
		return uuid.Nil, fmt.Errorf("app: face photo: %w", faces.ErrNotRegistered)
	case !v.Registration.Bound(): // no selfie yet: no photo is the guest's
		return uuid.Nil, fmt.Errorf("app: face photo: %w", faces.ErrNotFound)
	}
	return id, a.Guests.CheckPhoto(ctx(c), v, id)
}

// faceImage answers a thumbnail or preview of one of the guest's photos;
// the preview is the watermarked one when the album has a watermark.
func (a *App) faceImage(r rendition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := a.facePhoto(c)
		if err != nil {
			return err
		}
		studio := faceVisit(c).Studio()
		vp, err := a.Gallery.VisiblePhoto(ctx(c), studio, id)
		if err != nil {
			return err
		}
		p := &vp.Photo
		key, tag := p.ThumbKey, photoTag(string(r), p.SHA256)
		if r == renditionPreview {
			key = p.GuestPreviewKey(&vp.Album)
			if vp.Album.Watermark != nil {
				tag += "-" + strconv.FormatInt(vp.Album.UpdatedAt.UnixMilli(), 36)
			}
		}
		if key == "" {
			return problem(fiber.StatusNotFound, "This photo is still being prepared. Try again in a minute.")
		}
		return a.sendObject(c, object{Studio: studio, Key: key, Type: "image/jpeg", Tag: tag})
	}
}

// faceFile is GET …/photos/:photo/download?size=original|web: one of the
// guest's photos as a download, when the download rule allows it.
func (a *App) faceFile(c *fiber.Ctx) error {
	id, err := a.facePhoto(c)
	if err != nil {
		return err
	}
	return a.faceDownload(c, faceVisit(c), id, c.Query("size"))
}

func (a *App) faceDownload(c *fiber.Ctx, v *faces.Visit, id uuid.UUID, what string) error {
	d, err := a.Gallery.VisibleDownload(ctx(c), v.Studio(), id, what)
	if err != nil {
		return err
	}
	detail := map[string]any{"registration_id": v.Registration.ID.String(), "invite_id": v.Invite.ID.String()}
	return a.sendObject(c, object{Studio: v.Studio(), Key: d.Key, Type: d.Type, Name: d.Name,
		Tag: fmt.Sprintf("%s-%08x", d.What, d.CRC32),
		Started: func() error {
			return a.Gallery.VisibleDownloadStarted(ctx(c), v.Studio(), d, gallery.Actor{IP: v.IP}, detail)
		}})
}
