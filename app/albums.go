package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// galleryStudioRoutes is the web studio's gallery: albums, folders,
// photos, uploads, share links, selections, annotations, activity,
// notifications and clients. Every route is for signed-in members, every
// form CSRF-checked (member), and every handler acts in the session's
// studio only: another studio's ids are not found.
func (a *App) galleryStudioRoutes(member func(...fiber.Handler) []fiber.Handler, f *fiber.App) {
	f.Get("/studio/albums", member(a.albumsPage)...)
	f.Post("/studio/albums", member(a.createAlbumForm)...)
	f.Get("/studio/albums/:id", member(a.albumPage)...)
	f.Post("/studio/albums/:id", member(a.updateAlbumForm)...)
	f.Post("/studio/albums/:id/pins", member(a.setPINsForm)...)
	f.Post("/studio/albums/:id/access", member(a.albumAccessForm)...)
	f.Post("/studio/albums/:id/watermark", member(a.watermarkForm)...)
	f.Post("/studio/albums/:id/rerender", member(a.rerenderForm)...)
	f.Post("/studio/albums/:id/delete", member(a.deleteAlbumForm)...)
	f.Get("/studio/albums/:id/progress", member(a.albumProgress)...)

	f.Post("/studio/albums/:id/folders", member(a.createFolderForm)...)
	f.Post("/studio/albums/:id/folders/:folder", member(a.updateFolderForm)...)
	f.Post("/studio/albums/:id/folders/:folder/move", member(a.moveFolderForm)...)
	f.Post("/studio/albums/:id/folders/:folder/delete", member(a.deleteFolderForm)...)
	f.Post("/studio/albums/:id/folders/:folder/uploads", member(a.uploadPhoto)...)

	f.Post("/studio/albums/:id/photos/bulk", member(a.bulkPhotosForm)...)
	f.Get("/studio/albums/:id/photos/:photo", member(a.photoPage)...)
	f.Get("/studio/albums/:id/photos/:photo/thumb", member(a.photoRendition(renditionThumb))...)
	f.Get("/studio/albums/:id/photos/:photo/preview", member(a.photoRendition(renditionPreview))...)
	f.Get("/studio/albums/:id/photos/:photo/original", member(a.photoRendition(renditionOriginal))...)
	f.Post("/studio/albums/:id/photos/:photo/cover", member(a.setCoverForm)...)
	f.Post("/studio/albums/:id/photos/:photo/move", member(a.movePhotoForm)...)
	f.Post("/studio/albums/:id/photos/:photo/delete", member(a.deletePhotoForm)...)
	f.Post("/studio/albums/:id/photos/:photo/annotations/:note/replies", member(a.replyForm)...)
	f.Post("/studio/albums/:id/photos/:photo/annotations/:note/resolve", member(a.resolveForm)...)

	f.Post("/studio/albums/:id/links", member(a.createLinkForm)...)
	f.Post("/studio/albums/:id/links/:link/revoke", member(a.revokeLinkForm)...)
	f.Post("/studio/albums/:id/links/:link/regenerate", member(a.regenerateLinkForm)...)

	f.Get("/studio/albums/:id/selections", member(a.selectionsPage)...)
	f.Get("/studio/albums/:id/selections/:sel", member(a.selectionPage)...)
	f.Get("/studio/albums/:id/selections/:sel/selection.csv", member(a.selectionExport(exportCSV))...)
	f.Get("/studio/albums/:id/selections/:sel/lightroom.txt", member(a.selectionExport(exportLightroom))...)
	f.Get("/studio/albums/:id/activity", member(a.albumActivityPage)...)

	f.Get("/studio/notifications", member(a.notificationsPage)...)
	f.Post("/studio/notifications/read", member(a.markNotificationsRead)...)

	f.Get("/studio/clients", member(a.clientsPage)...)
	f.Post("/studio/clients", member(a.createClientForm)...)
	f.Get("/studio/clients/:id", member(a.clientPage)...)
	f.Post("/studio/clients/:id", member(a.updateClientForm)...)
	f.Post("/studio/clients/:id/delete", member(a.deleteClientForm)...)
}

// galleryActor is the signed-in user acting in the gallery.
func galleryActor(c *fiber.Ctx) gallery.Actor {
	act := gallery.Actor{IP: c.IP()}
	if s := session(c); s != nil {
		act.UserID = s.UserID
	}
	return act
}

// paramID reads an id from the path; a malformed one is simply not found.
func paramID(c *fiber.Ctx, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(name))
	if err != nil {
		return uuid.Nil, fmt.Errorf("app: %s %q: %w", name, c.Params(name), gallery.ErrNotFound)
	}
	return id, nil
}

func albumPath(id uuid.UUID) string { return "/studio/albums/" + id.String() }

// backToAlbum redirects to a section of the album page after a form.
func backToAlbum(c *fiber.Ctx, album uuid.UUID, folder uuid.UUID, section, flash string) error {
	if flash != "" {
		setFlash(c, flash)
	}
	to := albumPath(album)
	if folder != uuid.Nil {
		to += "?folder=" + folder.String()
	}
	if section != "" {
		to += "#" + section
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// inputError is a form mistake caught in the handler, shown like the
// gallery's own.
func inputError(field, msg string) error { return &gallery.InputError{Field: field, Message: msg} }

// thousands writes n with thousands separators: 1,040.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plural is "1 photo" or "2 photos".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// albumsView is the album list with the create form.
type albumsView struct {
	Albums  []albumRow
	Clients []gallery.Client
	Form    albumForm
}

type albumRow struct {
	gallery.AlbumSummary
	URL      string
	CoverURL string
}

// albumForm is what the album forms typed, shown again after a mistake.
type albumForm struct {
	Title, ClientID, EventDate, Status string
	Error                              string
}

func (a *App) albumsPage(c *fiber.Ctx) error {
	v, err := a.albumsData(c)
	if err != nil {
		return err
	}
	return a.render(c, "albums", v)
}

func (a *App) albumsData(c *fiber.Ctx) (*albumsView, error) {
	studio := session(c).StudioID
	list, err := a.Gallery.AlbumSummaries(ctx(c), studio)
	if err != nil {
		return nil, err
	}
	clients, err := a.Gallery.Clients(ctx(c), studio)
	if err != nil {
		return nil, err
	}
	v := &albumsView{Clients: clients}
	for _, s := range list {
		r := albumRow{AlbumSummary: s, URL: albumPath(s.ID)}
		if s.CoverThumb != nil {
			r.CoverURL = photoPath(s.ID, *s.CoverThumb) + "/thumb"
		}
		v.Albums = append(v.Albums, r)
	}
	return v, nil
}

// readAlbumForm turns the details form into an AlbumInput; creating, an
// empty client or date is just left out.
func readAlbumForm(c *fiber.Ctx) (albumForm, gallery.AlbumInput, error) {
	form := albumForm{Title: c.FormValue("title"), ClientID: c.FormValue("client_id"),
		EventDate: strings.TrimSpace(c.FormValue("event_date")), Status: c.FormValue("status")}
	in := gallery.AlbumInput{Title: &form.Title}
	if form.Status != "" {
		in.Status = &form.Status
	}
	if form.ClientID == "" {
		in.ClearClient = true
	} else {
		id, err := uuid.Parse(form.ClientID)
		if err != nil {
			return form, in, inputError("client_id", "There is no such client.")
		}
		in.ClientID = &id
	}
	d, err := gallery.ParseDate(form.EventDate)
	if err != nil {
		return form, in, err
	}
	in.EventDate, in.ClearEventDate = d, d == nil
	return form, in, nil
}

func (a *App) createAlbumForm(c *fiber.Ctx) error {
	form, in, err := readAlbumForm(c)
	var al *gallery.Album
	if err == nil {
		al, err = a.Gallery.CreateAlbum(ctx(c), session(c).StudioID, in, galleryActor(c))
	}
	if err != nil {
		v, lerr := a.albumsData(c)
		if lerr != nil {
			return errors.Join(err, lerr)
		}
		return a.formError(c, "albums", err, func(msg string) any { form.Error = msg; v.Form = form; return v })
	}
	return backToAlbum(c, al.ID, uuid.Nil, "", "Album “"+al.Title+"” created. Drop photos anywhere on this page, or choose files, to upload them.")
}

func (a *App) albumPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	v, err := a.albumData(c, id)
	if err != nil {
		return err
	}
	return a.render(c, "album", v)
}

// albumFormError shows the album page again with a form's mistake in its
// section; anything but a mistake (not found, a failure) is an error page.
func (a *App) albumFormError(c *fiber.Ctx, album uuid.UUID, section string, err error, keep func(v *albumView)) error {
	p := toProblem(err)
	switch p.Status {
	case fiber.StatusUnprocessableEntity, fiber.StatusConflict, fiber.StatusPaymentRequired:
	default:
		return err
	}
	v, lerr := a.albumData(c, album)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	v.Errors[section] = p.Detail
	if keep != nil {
		keep(v)
	}
	c.Locals(localErr, err)
	return a.renderStatus(c, p.Status, "album", v)
}

func (a *App) updateAlbumForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	form, in, err := readAlbumForm(c)
	if err == nil {
		_, err = a.Gallery.UpdateAlbum(ctx(c), session(c).StudioID, id, in, galleryActor(c))
	}
	if err != nil {
		return a.albumFormError(c, id, "details", err, func(v *albumView) { v.Details = form; v.EditOpen = true })
	}
	return backToAlbum(c, id, uuid.Nil, "", "Album details saved.")
}

// setPINsForm sets, changes or clears the two PINs. A PIN is never shown
// again, not even after a mistake: the fields come back empty.
func (a *App) setPINsForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in gallery.PINInput
	var said []string
	for _, p := range []struct {
		field, clear, name string
		dst                **string
	}{{"view_pin", "clear_view_pin", "view PIN", &in.View}, {"annotate_pin", "clear_annotate_pin", "annotate PIN", &in.Annotate}} {
		pin, clear := strings.TrimSpace(c.FormValue(p.field)), c.FormValue(p.clear) != ""
		switch {
		case clear && pin != "":
			return a.albumFormError(c, id, "pins", inputError(p.field, "Type a new "+p.name+" or remove it, not both."), nil)
		case clear:
			empty := ""
			*p.dst = &empty
			said = append(said, "The "+p.name+" was removed.")
		case pin != "":
			*p.dst = &pin
			said = append(said, "The "+p.name+" was set.")
		}
	}
	if len(said) == 0 {
		return backToAlbum(c, id, uuid.Nil, "privacy", "Nothing changed: type a PIN, or tick “Remove”.")
	}
	if err := a.Gallery.SetPINs(ctx(c), session(c).StudioID, id, in, galleryActor(c)); err != nil {
		return a.albumFormError(c, id, "pins", err, nil)
	}
	return backToAlbum(c, id, uuid.Nil, "privacy", strings.Join(said, " ")+" Guests signed in before keep their access until their session ends.")
}

// albumAccessForm saves the download switches and the selection limit.
func (a *App) albumAccessForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	originals, web := c.FormValue("originals_allowed") != "", c.FormValue("web_allowed") != ""
	in := gallery.AlbumInput{OriginalsAllowed: &originals, WebAllowed: &web}
	limit := 0
	if s := strings.TrimSpace(c.FormValue("selection_limit")); s != "" {
		if limit, err = strconv.Atoi(s); err != nil {
			return a.albumFormError(c, id, "access", inputError("selection_limit", "The selection limit is a number of photos, or empty for none."), nil)
		}
		if limit == 0 {
			limit = -1 // "0" typed is a mistake, not "no limit"
		}
	}
	in.SelectionLimit = &limit
	if _, err := a.Gallery.UpdateAlbum(ctx(c), session(c).StudioID, id, in, galleryActor(c)); err != nil {
		return a.albumFormError(c, id, "access", err, nil)
	}
	return backToAlbum(c, id, uuid.Nil, "privacy", "Download and selection settings saved.")
}

// watermarkForm saves the watermark; when it changed, the gallery renders
// every photo again so guests never see a preview with the old one.
func (a *App) watermarkForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	before, err := a.Gallery.Album(ctx(c), studio, id)
	if err != nil {
		return err
	}
	var in gallery.AlbumInput
	form := watermarkForm{On: c.FormValue("watermark") != "", Text: c.FormValue("text"),
		Position: c.FormValue("position"), Opacity: c.FormValue("opacity")}
	if form.On {
		pct, err := strconv.ParseFloat(strings.TrimSpace(form.Opacity), 64)
		if err != nil {
			return a.albumFormError(c, id, "watermark", inputError("opacity", "Watermark opacity is a percentage from 1 to 100."),
				func(v *albumView) { v.Watermark = form })
		}
		in.Watermark = &gallery.Watermark{Kind: "text", Text: strings.TrimSpace(form.Text), Position: form.Position, Opacity: pct / 100}
	} else {
		in.ClearWatermark = true
	}
	after, err := a.Gallery.UpdateAlbum(ctx(c), studio, id, in, galleryActor(c))
	if err != nil {
		return a.albumFormError(c, id, "watermark", err, func(v *albumView) { v.Watermark = form })
	}
	if sameWatermark(before.Watermark, after.Watermark) {
		return backToAlbum(c, id, uuid.Nil, "privacy", "The watermark is unchanged.")
	}
	// UpdateAlbum has queued every photo for rendering again, in its
	// transaction; this only counts them for the message.
	prog, err := a.Gallery.AlbumProgress(ctx(c), studio, id)
	if err != nil {
		return err
	}
	msg := "Watermark removed."
	if after.Watermark != nil {
		msg = "Watermark saved."
	}
	if prog.Total > 0 {
		msg += " " + plural(prog.Total, "photo is", "photos are") + " being processed again; guests see each one as soon as it is ready."
	}
	return backToAlbum(c, id, uuid.Nil, "privacy", msg)
}

func sameWatermark(x, y *gallery.Watermark) bool {
	if x == nil || y == nil {
		return x == y
	}
	return *x == *y
}

// rerenderForm processes every photo of the album again: the way to retry
// the failed ones.
func (a *App) rerenderForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := a.Gallery.RerenderAlbum(ctx(c), session(c).StudioID, id, galleryActor(c))
	if err != nil {
		return err
	}
	return backToAlbum(c, id, uuid.Nil, "photos", plural(n, "photo is", "photos are")+" being processed again.")
}

func (a *App) deleteAlbumForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	al, err := a.Gallery.Album(ctx(c), studio, id)
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteAlbum(ctx(c), studio, id, galleryActor(c)); err != nil {
		return err
	}
	setFlash(c, "Album “"+al.Title+"” was deleted with its photos, share links and guests' choices.")
	return c.Redirect("/studio/albums", fiber.StatusSeeOther)
}

// progressView is the JSON the album page polls while photos process.
type progressView struct {
	*gallery.Processing
	Text string `json:"text"`
}

func (a *App) albumProgress(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	p, err := a.Gallery.AlbumProcessing(ctx(c), session(c).StudioID, id, 500)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(progressView{Processing: p, Text: progressText(p.Progress)})
}

// progressText is the line above the progress bar.
func progressText(p gallery.Progress) string {
	switch {
	case p.Total == 0:
		return "No photos yet."
	case p.Processing == 0 && p.Failed == 0:
		return plural(p.Total, "photo", "photos") + ", all ready."
	}
	s := thousands(p.Ready) + " of " + plural(p.Total, "photo", "photos") + " ready"
	if p.Failed > 0 {
		s += ", " + thousands(p.Failed) + " failed"
	}
	return s + "."
}
