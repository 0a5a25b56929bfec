package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// linkJSON is a share link as the API shows it: never its token, which
// exists only as a hash once it has been shown.
type linkJSON struct {
	ID         uuid.UUID  `json:"id"`
	AlbumID    uuid.UUID  `json:"album_id"`
	Label      string     `json:"label"`
	State      string     `json:"state"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Views      int64      `json:"views"`
	Downloads  int64      `json:"downloads"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// newLinkJSON is a link just made or regenerated, with its address: the
// only time the token is shown.
type newLinkJSON struct {
	linkJSON
	Token string `json:"token"`
	URL   string `json:"url"`
}

func linkOf(l *gallery.ShareLink, now time.Time) linkJSON {
	out := linkJSON{ID: l.ID, AlbumID: l.AlbumID, Label: l.Label, State: "active", ExpiresAt: utcp(l.ExpiresAt),
		RevokedAt: utcp(l.RevokedAt), Views: l.Views, Downloads: l.Downloads, LastUsedAt: utcp(l.LastUsedAt),
		CreatedAt: l.CreatedAt.UTC()}
	switch {
	case l.RevokedAt != nil:
		out.State = "revoked"
	case !l.Usable(now):
		out.State = "expired"
	}
	return out
}

func (a *App) newLinkOf(l *gallery.ShareLink, token string) newLinkJSON {
	return newLinkJSON{linkJSON: linkOf(l, a.now()), Token: token,
		URL: strings.TrimRight(a.Config.BaseURL, "/") + "/g/" + token}
}

// apiLinks is GET /api/v1/albums/{album}/links, newest first, with their
// use counts.
func (a *App) apiLinks(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	list, err := a.Gallery.Links(ctx(c), apiStudio(c), album)
	if err != nil {
		return err
	}
	out := struct {
		Links []linkJSON `json:"links"`
	}{Links: make([]linkJSON, 0, len(list))}
	now := a.now()
	for i := range list {
		out.Links = append(out.Links, linkOf(&list[i], now))
	}
	return c.JSON(out)
}

// apiCreateLink is POST /api/v1/albums/{album}/links: one link per
// recipient, expiring after 30 days unless told a date or, explicitly,
// never.
func (a *App) apiCreateLink(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	var b struct {
		Label     string  `json:"label"`
		ExpiresAt *string `json:"expires_at"`
		Never     bool    `json:"never_expires"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := gallery.LinkInput{Label: b.Label, Never: b.Never}
	if b.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *b.ExpiresAt)
		if err != nil {
			return fieldError("expires_at", "Give the expiry as a date and time like 2030-01-31T18:00:00Z.")
		}
		in.ExpiresAt = &t
	}
	l, token, err := a.Gallery.CreateLink(ctx(c), apiStudio(c), album, in, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.newLinkOf(l, token))
}

// apiRevokeLink is POST /api/v1/albums/{album}/links/{link}/revoke: the
// link stops at once and for good; its guests are signed out.
func (a *App) apiRevokeLink(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "link")
	if err != nil {
		return err
	}
	if err := a.Gallery.RevokeLink(ctx(c), apiStudio(c), ids[0], ids[1], apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiRegenerateLink is POST /api/v1/albums/{album}/links/{link}/regenerate:
// a new token for the same link; the old address stops working.
func (a *App) apiRegenerateLink(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "link")
	if err != nil {
		return err
	}
	l, token, err := a.Gallery.RegenerateLink(ctx(c), apiStudio(c), ids[0], ids[1], apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.JSON(a.newLinkOf(l, token))
}
