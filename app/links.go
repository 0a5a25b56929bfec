package app

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/gallery"
)

// linkRow is one share link in the album page's list.
type linkRow struct {
	gallery.ShareLink
	State        string // active, expired or revoked
	PINFailures  int    // wrong PINs ever tried on it
	LastFailure  *time.Time
	Lockouts     int // times a client was locked out
	RevokeURL    string
	RegenURL     string
	RevokeText   string
	RegenText    string
	NeverExpires bool
}

// pinAttempt is one wrong PIN, from the audit log.
type pinAttempt struct {
	At     time.Time
	IP     string
	Link   string
	Locked bool
}

type linkForm struct {
	Label, Expires string
	Never          bool
}

type newLinkView struct {
	Label, URL  string
	Regenerated bool
}

// linksData fills in the album's links and the wrong PINs tried on them.
func (a *App) linksData(c *fiber.Ctx, v *albumView) error {
	studio, id := session(c).StudioID, v.Album.ID
	links, err := a.Gallery.Links(ctx(c), studio, id)
	if err != nil {
		return err
	}
	stats, attempts, err := a.pinFailures(c, studio, id)
	if err != nil {
		return err
	}
	now := a.now()
	labels := map[string]string{}
	for _, l := range links {
		r := linkRow{ShareLink: l, State: "active", NeverExpires: l.ExpiresAt == nil,
			RevokeURL:  albumPath(id) + "/links/" + l.ID.String() + "/revoke",
			RegenURL:   albumPath(id) + "/links/" + l.ID.String() + "/regenerate",
			RevokeText: "Turn off the link “" + l.Label + "”? Anyone using it is signed out at once and it cannot be turned on again.",
			RegenText:  "Give “" + l.Label + "” a new address? The old address stops working at once; send the new one to the recipient."}
		switch {
		case l.RevokedAt != nil:
			r.State = "revoked"
		case !l.Usable(now):
			r.State = "expired"
		}
		if s, ok := stats[l.ID.String()]; ok {
			r.PINFailures, r.LastFailure, r.Lockouts = s.N, s.Last, s.Lockouts
		}
		labels[l.ID.String()] = l.Label
		v.Links = append(v.Links, r)
	}
	for i := range attempts {
		attempts[i].Link = labels[attempts[i].Link]
	}
	v.PINAttempts = attempts
	v.MinExpiry = now.Format("2006-01-02")
	v.LinkDefault = now.Add(gallery.DefaultLinkLife).Format("2 Jan 2006")
	return nil
}

type pinStats struct {
	LinkID   string
	N        int
	Last     *time.Time
	Lockouts int
}

// pinFailures reads the album's wrong PINs from the audit log, where the
// gallery records each one (kind share.pin_failed, with the link and
// album in the detail): totals per link and the ten latest attempts. The
// pin_failures table only keeps the current window's counter, so it
// cannot say how many attempts there were last week.
func (a *App) pinFailures(c *fiber.Ctx, studio, album uuid.UUID) (map[string]pinStats, []pinAttempt, error) {
	var stats []pinStats
	var attempts []pinAttempt
	err := a.DB.InStudio(ctx(c), studio, func(tx *gorm.DB) error {
		err := tx.Raw(`SELECT detail->>'link_id' AS link_id, count(*) AS n, max(at) AS last,
				count(*) FILTER (WHERE detail->>'locked' = 'true') AS lockouts
			FROM audit_log WHERE studio_id = ? AND kind = 'share.pin_failed' AND detail->>'album_id' = ?
			GROUP BY 1`, studio, album.String()).Scan(&stats).Error
		if err != nil {
			return err
		}
		return tx.Raw(`SELECT at, ip, detail->>'link_id' AS link, detail->>'locked' = 'true' AS locked
			FROM audit_log WHERE studio_id = ? AND kind = 'share.pin_failed' AND detail->>'album_id' = ?
			ORDER BY seq DESC LIMIT 10`, studio, album.String()).Scan(&attempts).Error
	})
	if err != nil {
		return nil, nil, err
	}
	out := map[string]pinStats{}
	for _, s := range stats {
		out[s.LinkID] = s
	}
	return out, attempts, nil
}

// guestURL is the address a link's recipient opens.
func (a *App) guestURL(token string) string {
	return strings.TrimRight(a.Config.BaseURL, "/") + "/g/" + token
}

// createLinkForm makes a link and shows its address on this response only,
// like a new API token: it is stored only as a hash.
func (a *App) createLinkForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	form := linkForm{Label: c.FormValue("label"), Expires: strings.TrimSpace(c.FormValue("expires")), Never: c.FormValue("never") != ""}
	in := gallery.LinkInput{Label: form.Label, Never: form.Never}
	if form.Expires != "" {
		day, perr := time.Parse("2006-01-02", form.Expires)
		if perr != nil {
			return a.albumFormError(c, id, "links", inputError("expires_at", "Give the expiry as a date."),
				func(v *albumView) { v.LinkForm = form })
		}
		end := day.Add(24 * time.Hour) // the link works through the chosen day (UTC)
		in.ExpiresAt = &end
	}
	l, token, err := a.Gallery.CreateLink(ctx(c), session(c).StudioID, id, in, galleryActor(c))
	if err != nil {
		return a.albumFormError(c, id, "links", err, func(v *albumView) { v.LinkForm = form })
	}
	return a.showNewLink(c, id, &newLinkView{Label: l.Label, URL: a.guestURL(token)})
}

// showNewLink renders the album page with a link's address, once. The
// page is no-store, so going back does not show it again.
func (a *App) showNewLink(c *fiber.Ctx, album uuid.UUID, nl *newLinkView) error {
	v, err := a.albumData(c, album)
	if err != nil {
		return err
	}
	v.NewLink = nl
	return a.render(c, "album", v)
}

func (a *App) revokeLinkForm(c *fiber.Ctx) error {
	album, link, err := albumAndLink(c)
	if err != nil {
		return err
	}
	if err := a.Gallery.RevokeLink(ctx(c), session(c).StudioID, album, link, galleryActor(c)); err != nil {
		return err
	}
	return backToAlbum(c, album, uuid.Nil, "links", "The link was turned off. Anyone using it was signed out.")
}

func (a *App) regenerateLinkForm(c *fiber.Ctx) error {
	album, link, err := albumAndLink(c)
	if err != nil {
		return err
	}
	l, token, err := a.Gallery.RegenerateLink(ctx(c), session(c).StudioID, album, link, galleryActor(c))
	if err != nil {
		return a.albumFormError(c, album, "links", err, nil)
	}
	return a.showNewLink(c, album, &newLinkView{Label: l.Label, URL: a.guestURL(token), Regenerated: true})
}

func albumAndLink(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	album, err := paramID(c, "id")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	link, err := paramID(c, "link")
	return album, link, err
}
