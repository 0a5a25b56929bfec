package audit

import "github.com/google/uuid"

// Who is who acted: a studio user (perhaps through an API token), a guest
// holding a share link (named or not), or, with nothing set, the system.
type Who struct {
	UserID  uuid.UUID
	TokenID uuid.UUID
	LinkID  uuid.UUID
	GuestID uuid.UUID
	IP      string
}

// NewEntry is an entry of kind in studio made by w. Which token or link
// was used goes into the detail; the actor id is the user or the guest.
func NewEntry(studio uuid.UUID, w Who, kind string, detail map[string]any) Entry {
	e := Entry{StudioID: studio, Actor: ActorSystem, Kind: kind, IP: w.IP, Detail: detail}
	note := func(k string, id uuid.UUID) {
		if e.Detail == nil {
			e.Detail = map[string]any{}
		}
		e.Detail[k] = id.String()
	}
	switch {
	case w.LinkID != uuid.Nil:
		e.Actor = ActorGuest
		note("link_id", w.LinkID)
		if w.GuestID != uuid.Nil {
			id := w.GuestID
			e.ActorID = &id
		}
	case w.UserID != uuid.Nil:
		id := w.UserID
		e.ActorID, e.Actor = &id, ActorUser
		if w.TokenID != uuid.Nil {
			e.Actor = ActorToken
			note("token_id", w.TokenID)
		}
	}
	return e
}
