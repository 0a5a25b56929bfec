package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
)

// collectionInviteJSON is a guest invite of a collection as the studio
// sees it: never its token, which exists only as a hash once shown.
type collectionInviteJSON struct {
	ID               uuid.UUID  `json:"id"`
	CollectionID     uuid.UUID  `json:"collection_id"`
	Label            string     `json:"label"`
	State            string     `json:"state"`
	ExpiresAt        *time.Time `json:"expires_at"`
	RevokedAt        *time.Time `json:"revoked_at"`
	MaxRegistrations *int       `json:"max_registrations"`
	Registrations    int        `json:"registrations"`
	CreatedAt        time.Time  `json:"created_at"`
}

// newCollectionInviteJSON is an invite just made, with its address: the
// only time the token is shown.
type newCollectionInviteJSON struct {
	collectionInviteJSON
	Token string `json:"token"`
	URL   string `json:"url"`
}

func collectionInviteOf(inv *faces.Invite, now time.Time) collectionInviteJSON {
	return collectionInviteJSON{ID: inv.ID, CollectionID: inv.CollectionID, Label: inv.Label, State: inv.State(now),
		ExpiresAt: utcp(inv.ExpiresAt), RevokedAt: utcp(inv.RevokedAt), MaxRegistrations: inv.MaxRegistrations,
		Registrations: inv.Registrations, CreatedAt: inv.CreatedAt.UTC()}
}

func apiCollectionAndInvite(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	ids, err := apiIDs(c, "collection", "invite")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return ids[0], ids[1], nil
}

// apiCollectionInvites is GET …/invites: newest first, with their state
// and the guests registered through each.
func (a *App) apiCollectionInvites(c *fiber.Ctx) error {
	coll, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	invs, err := a.Faces.Invites(ctx(c), apiStudio(c), coll)
	if err != nil {
		return err
	}
	out := struct {
		Invites []collectionInviteJSON `json:"invites"`
	}{Invites: make([]collectionInviteJSON, len(invs))}
	now := a.now()
	for i := range invs {
		out.Invites[i] = collectionInviteOf(&invs[i], now)
	}
	return c.JSON(out)
}

// apiCreateCollectionInvite is POST …/invites: a label, an optional expiry
// (a date means through that day) and an optional cap of guests. The
// answer holds the invite's address, shown this once.
func (a *App) apiCreateCollectionInvite(c *fiber.Ctx) error {
	coll, err := apiID(c, "collection")
	if err != nil {
		return err
	}
	var b struct {
		Label            string  `json:"label"`
		ExpiresAt        *string `json:"expires_at"`
		MaxRegistrations *int    `json:"max_registrations"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := faces.InviteInput{Label: b.Label, MaxRegistrations: b.MaxRegistrations}
	if b.ExpiresAt != nil {
		end, ok := inviteExpiry(*b.ExpiresAt)
		if !ok {
			return fieldError("expires_at", "Give the expiry as a date (2030-01-31: through that day) or a date and time like 2030-01-31T18:00:00Z.")
		}
		in.ExpiresAt = end
	}
	inv, token, err := a.Faces.CreateInvite(ctx(c), apiStudio(c), coll, in, apiFacesActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newCollectionInviteJSON{collectionInviteJSON: collectionInviteOf(inv, a.now()),
		Token: token, URL: a.faceInviteURL(token)})
}

// apiSetCollectionInviteCap is PATCH …/invites/{invite} with
// max_registrations: a number of guests, or null for no cap. A cap under
// the guests registered closes the invite to new ones; nobody is removed.
func (a *App) apiSetCollectionInviteCap(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndInvite(c)
	if err != nil {
		return err
	}
	var b struct {
		MaxRegistrations opt[int] `json:"max_registrations"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if !b.MaxRegistrations.Set {
		return fieldError("max_registrations", "Send max_registrations: a number of guests, or null for no cap.")
	}
	var limit *int // null: no cap
	if !b.MaxRegistrations.Null {
		limit = &b.MaxRegistrations.V
	}
	inv, err := a.Faces.SetInviteCap(ctx(c), apiStudio(c), coll, id, limit, apiFacesActor(c))
	if err != nil {
		return err
	}
	return c.JSON(collectionInviteOf(inv, a.now()))
}

// apiRevokeCollectionInvite is POST …/invites/{invite}/revoke: guests can
// no longer register or search through it; those registered can still
// delete their registration.
func (a *App) apiRevokeCollectionInvite(c *fiber.Ctx) error {
	coll, id, err := apiCollectionAndInvite(c)
	if err != nil {
		return err
	}
	inv, err := a.Faces.RevokeInvite(ctx(c), apiStudio(c), coll, id, apiFacesActor(c))
	if err != nil {
		return err
	}
	return c.JSON(collectionInviteOf(inv, a.now()))
}
