package app

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Input the studio's face search pages and its JSON API read alike, so
// the two cannot drift apart.

// parseIDs reads album or person ids as sent (form checkboxes, a JSON
// array). One that is not an id cannot exist, so it becomes an id found
// nowhere and the service refuses it as it refuses a stranger's.
func parseIDs(vals []string) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(vals))
	for _, v := range vals {
		id, err := uuid.Parse(strings.TrimSpace(v))
		if err != nil {
			id = uuid.New()
		}
		out = append(out, id)
	}
	return out
}

// inviteExpiry reads when an invite ends: a date (2030-01-31) means
// through that day (UTC), as share links; a date and time (RFC 3339) is
// taken as it is.
func inviteExpiry(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		end := d.Add(24 * time.Hour)
		return &end, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, true
	}
	return nil, false
}

// faceInviteURL is the address guests open an invite at: shown once,
// when the invite is made.
func (a *App) faceInviteURL(token string) string {
	return strings.TrimRight(a.Config.BaseURL, "/") + "/f/" + token
}
