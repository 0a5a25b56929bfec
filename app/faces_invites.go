package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/faces"
)

// inviteRow is one guest invite of a collection.
type inviteRow struct {
	faces.Invite
	State      string
	Cap        string // the cap, for its form; empty for none
	RevokeURL  string
	CapURL     string
	RevokeText string
}

type faceInviteForm struct {
	Label, Expires, Cap string
}

type newInviteView struct {
	Label, URL string
}

// invitesData lists the collection's invites.
func (a *App) invitesData(c *fiber.Ctx, v *collectionView) error {
	invs, err := a.Faces.Invites(ctx(c), session(c).StudioID, v.ID)
	if err != nil {
		return err
	}
	now := a.now()
	for _, inv := range invs {
		url := v.URL + "/invites/" + inv.ID.String()
		r := inviteRow{Invite: inv, State: inv.State(now), RevokeURL: url + "/revoke", CapURL: url + "/cap",
			RevokeText: "Turn off the invite “" + orDefault(inv.Label, "without a label") + "”? Guests can no longer register or search with it; " +
				"those registered can still delete their registration."}
		if inv.MaxRegistrations != nil {
			r.Cap = strconv.Itoa(*inv.MaxRegistrations)
		}
		v.Invites = append(v.Invites, r)
	}
	return nil
}

// parseInviteForm reads the new invite's fields: an expiry date (the
// invite works through that day) and an optional cap.
func (a *App) parseInviteForm(c *fiber.Ctx) (faces.InviteInput, faceInviteForm, string) {
	f := faceInviteForm{Label: strings.TrimSpace(c.FormValue("label")), Expires: c.FormValue("expires"), Cap: strings.TrimSpace(c.FormValue("cap"))}
	in := faces.InviteInput{Label: f.Label}
	if f.Expires != "" {
		end, ok := inviteExpiry(f.Expires)
		if !ok {
			return in, f, "Choose the expiry as a date."
		}
		in.ExpiresAt = end
	}
	cap, msg := parseCap(f.Cap)
	in.MaxRegistrations = cap
	return in, f, msg
}

// parseCap reads a cap of registrations; empty is none.
func parseCap(s string) (*int, string) {
	if s == "" {
		return nil, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, "The cap is a whole number of guests, or empty for none."
	}
	return &n, ""
}

// createInviteForm is POST /studio/faces/:id/invites. The invite's
// address is shown on the page this once.
func (a *App) createInviteForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	in, form, msg := a.parseInviteForm(c)
	var inv *faces.Invite
	var token string
	if msg == "" {
		inv, token, err = a.Faces.CreateInvite(ctx(c), session(c).StudioID, id, in, facesActor(c))
		msg, _ = facesFormError(err)
	}
	if msg != "" {
		v, err := a.collectionData(c)
		if err != nil {
			return err
		}
		v.Errors["invites"], v.InviteForm = msg, form
		return a.renderStatus(c, fiber.StatusUnprocessableEntity, "face_collection", v)
	}
	if err != nil {
		return err
	}
	v, err := a.collectionData(c)
	if err != nil {
		return err
	}
	v.NewInvite = &newInviteView{Label: inv.Label, URL: a.faceInviteURL(token)}
	return a.render(c, "face_collection", v)
}

// revokeInviteForm is POST …/invites/:invite/revoke.
func (a *App) revokeInviteForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	inv, err := paramID(c, "invite")
	if err != nil {
		return err
	}
	if _, err := a.Faces.RevokeInvite(ctx(c), session(c).StudioID, id, inv, facesActor(c)); err != nil {
		return err
	}
	setFlash(c, "The invite is turned off.")
	return c.Redirect(collectionPath(id)+"#invites", fiber.StatusSeeOther)
}

// inviteCapForm is POST …/invites/:invite/cap with a cap (empty: none).
func (a *App) inviteCapForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	inv, err := paramID(c, "invite")
	if err != nil {
		return err
	}
	cap, msg := parseCap(strings.TrimSpace(c.FormValue("cap")))
	if msg == "" {
		_, err = a.Faces.SetInviteCap(ctx(c), session(c).StudioID, id, inv, cap, facesActor(c))
		msg, _ = facesFormError(err)
	}
	if msg != "" {
		return a.collectionError(c, "invites", msg)
	}
	if err != nil {
		return err
	}
	setFlash(c, "The invite's cap is saved.")
	return c.Redirect(collectionPath(id)+"#invites", fiber.StatusSeeOther)
}
