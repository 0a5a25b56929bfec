package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/auth"
)

// sessionRow is one signed-in browser on the sessions page.
type sessionRow struct {
	ID       string
	Browser  string
	IP       string
	Created  time.Time
	LastSeen time.Time
	Current  bool
}

type sessionsView struct {
	Sessions []sessionRow
	Others   int
}

func (a *App) sessionsPage(c *fiber.Ctx) error {
	s := session(c)
	list, err := a.Accounts.Sessions(ctx(c), s.StudioID, s.UserID)
	if err != nil {
		return err
	}
	v := sessionsView{Sessions: make([]sessionRow, 0, len(list))}
	for _, x := range list {
		row := sessionRow{ID: x.ID.String(), Browser: browserOf(x.UserAgent), IP: x.IP,
			Created: x.CreatedAt, LastSeen: x.LastSeenAt, Current: x.ID == s.ID}
		if !row.Current {
			v.Others++
		}
		v.Sessions = append(v.Sessions, row)
	}
	return a.render(c, "sessions", v)
}

// revokeSession signs out one of the user's own sessions; anyone else's is
// not found. Revoking this very session is signing out.
func (a *App) revokeSession(c *fiber.Ctx) error {
	s := session(c)
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return fmt.Errorf("app: session id %q: %w", c.Params("id"), auth.ErrNotFound)
	}
	if err := a.Accounts.RevokeSession(ctx(c), s.StudioID, s.UserID, id, actor(c)); err != nil {
		return err
	}
	if id == s.ID {
		a.clearSessionCookie(c)
		setFlash(c, "You have signed out.")
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	setFlash(c, "That session has been signed out.")
	return c.Redirect("/account/sessions", fiber.StatusSeeOther)
}

// revokeAllSessions is "sign out everywhere else": this session stays.
func (a *App) revokeAllSessions(c *fiber.Ctx) error {
	s := session(c)
	n, err := a.Accounts.RevokeAllSessions(ctx(c), s.StudioID, s.UserID, s.ID, actor(c))
	if err != nil {
		return err
	}
	msg := signedOutText(n)
	if n == 0 {
		msg = "There were no other sessions to sign out."
	}
	setFlash(c, msg)
	return c.Redirect("/account/sessions", fiber.StatusSeeOther)
}

// signedOutText says how many other sessions a change ended.
func signedOutText(n int64) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 other session was signed out."
	}
	return fmt.Sprintf("%d other sessions were signed out.", n)
}

// uaName maps a marker in a User-Agent header to a readable name.
type uaName struct{ marker, name string }

// Order matters: Chrome's header also names Safari, Edge's and Opera's name
// Chrome, Android's names Linux and the iPhone's names Mac OS X.
var (
	uaBrowsers = []uaName{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"FxiOS/", "Firefox"}, {"Firefox/", "Firefox"},
		{"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"}}
	uaSystems = []uaName{{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"}}
)

// browserOf names the browser and system of a User-Agent header in a few
// words ("Firefox on Linux") so people recognise their own devices. It is
// a hint, never a security check: the header is whatever the client sent.
func browserOf(ua string) string {
	find := func(names []uaName) string {
		for _, n := range names {
			if strings.Contains(ua, n.marker) {
				return n.name
			}
		}
		return ""
	}
	browser, system := find(uaBrowsers), find(uaSystems)
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "A browser on " + system
	}
	return "Unknown browser"
}
