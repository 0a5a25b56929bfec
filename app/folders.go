package app

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

func albumAndFolder(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	album, err := paramID(c, "id")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	folder, err := paramID(c, "folder")
	return album, folder, err
}

func (a *App) createFolderForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	f, err := a.Gallery.CreateFolder(ctx(c), session(c).StudioID, id, gallery.FolderInput{Name: &name}, galleryActor(c))
	if err != nil {
		return a.albumFormError(c, id, "folders", err, nil)
	}
	return backToAlbum(c, id, f.ID, "photos", "Folder “"+f.Name+"” added. Drop photos here to upload them into it.")
}

// updateFolderForm renames a folder, hides or shows it, or locks or
// unlocks its downloads: each form sends only the field it changes.
func (a *App) updateFolderForm(c *fiber.Ctx) error {
	album, folder, err := albumAndFolder(c)
	if err != nil {
		return err
	}
	var in gallery.FolderInput
	if c.Request().PostArgs().Has("name") {
		name := c.FormValue("name")
		in.Name = &name
	}
	flag := func(field string) *bool {
		if !c.Request().PostArgs().Has(field) {
			return nil
		}
		on := c.FormValue(field) == "1"
		return &on
	}
	in.Hidden, in.DownloadLocked = flag("hidden"), flag("download_locked")
	f, err := a.Gallery.UpdateFolder(ctx(c), session(c).StudioID, album, folder, in, galleryActor(c))
	if err != nil {
		return a.albumFormError(c, album, "folders", err, nil)
	}
	return backToAlbum(c, album, folder, "photos", folderMessage(f, in))
}

func folderMessage(f *gallery.Folder, in gallery.FolderInput) string {
	switch {
	case in.Hidden != nil && f.Hidden:
		return "“" + f.Name + "” is hidden: guests no longer see it, by any link or address."
	case in.Hidden != nil:
		return "“" + f.Name + "” is shown to guests again."
	case in.DownloadLocked != nil && f.DownloadLocked:
		return "Downloads of “" + f.Name + "” are locked: guests can look but not download, by any path."
	case in.DownloadLocked != nil:
		return "Downloads of “" + f.Name + "” are allowed again, as the album's settings say."
	}
	return "Folder renamed to “" + f.Name + "”."
}

// moveFolderForm moves a folder one tab left or right by renumbering the
// album's folders in the new order. Each changed folder is its own update
// (and audit entry); a failure half-way leaves a valid, if unexpected,
// order that the next move repairs.
func (a *App) moveFolderForm(c *fiber.Ctx) error {
	album, folder, err := albumAndFolder(c)
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	folders, err := a.Gallery.Folders(ctx(c), studio, album)
	if err != nil {
		return err
	}
	i := -1
	for j, f := range folders {
		if f.ID == folder {
			i = j
		}
	}
	if i < 0 {
		return gallery.ErrNotFound
	}
	j := i - 1
	if c.FormValue("direction") == "right" {
		j = i + 1
	}
	if j >= 0 && j < len(folders) {
		folders[i], folders[j] = folders[j], folders[i]
	}
	for pos, f := range folders {
		if f.Position == pos {
			continue
		}
		p := pos
		if _, err := a.Gallery.UpdateFolder(ctx(c), studio, album, f.ID, gallery.FolderInput{Position: &p}, galleryActor(c)); err != nil {
			return err
		}
	}
	return backToAlbum(c, album, folder, "photos", "")
}

func (a *App) deleteFolderForm(c *fiber.Ctx) error {
	album, folder, err := albumAndFolder(c)
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteFolder(ctx(c), session(c).StudioID, album, folder, galleryActor(c)); err != nil {
		return a.albumFormError(c, album, "folders", err, nil)
	}
	return backToAlbum(c, album, uuid.Nil, "photos", "The folder was deleted.")
}
