package app

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/auth"
)

const auditPageSize = 50

// auditKinds are the groups the kind filter offers: prefixes of kinds.
var auditKinds = []option{
	{Value: "login.", Label: "Logins"},
	{Value: "password.", Label: "Passwords"},
	{Value: "twofactor.", Label: "Two-factor"},
	{Value: "recovery_codes.", Label: "Recovery codes"},
	{Value: "session.", Label: "Sessions"},
	{Value: "token.", Label: "API tokens"},
	{Value: "staff.", Label: "Staff"},
}

// auditLabels name the kinds people read; others show as they are stored.
var auditLabels = map[string]string{
	"studio.created":             "Created the studio",
	"login.succeeded":            "Signed in",
	"login.password_ok":          "Password accepted, waiting for the code",
	"login.failed":               "Failed sign-in",
	"password.changed":           "Changed password",
	"password.reset_requested":   "Asked for a password reset",
	"password.reset":             "Reset password",
	"twofactor.enabled":          "Turned on two-factor",
	"twofactor.disabled":         "Turned off two-factor",
	"recovery_codes.regenerated": "Made new recovery codes",
	"session.revoked":            "Signed out a session",
	"session.revoked_all":        "Signed out other sessions",
	"token.created":              "Created an API token",
	"token.revoked":              "Revoked an API token",
	"staff.invited":              "Invited someone",
	"staff.joined":               "Joined the studio",
	"staff.removed":              "Removed a member",
}

var kindPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]*)?$`)

type option struct {
	Value, Label string
	Selected     bool
}

type auditView struct {
	Rows     []auditRow
	Actors   []option
	Kinds    []option
	Filtered bool
	Older    string // the next page's URL; empty on the last page
	Newest   string // the first page's URL, when paging
}

type auditRow struct {
	At                 time.Time
	Actor, ActorDetail string
	Kind, IP, Detail   string
}

// auditPage is the studio's activity log, newest first, filtered by person
// and kind through query parameters so filtered views can be bookmarked.
func (a *App) auditPage(c *fiber.Ctx) error {
	s := session(c)
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	users, err := a.Accounts.Users(ctx(c), s.StudioID)
	if err != nil {
		return err
	}
	var entries []audit.Entry
	err = a.DB.InStudio(ctx(c), s.StudioID, func(tx *gorm.DB) error {
		var err error
		entries, err = a.Audit.List(ctx(c), tx, s.StudioID, f)
		return err
	})
	if err != nil {
		return err
	}
	q := url.Values{}
	if f.ActorID != nil {
		q.Set("actor", f.ActorID.String())
	}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	v := auditView{Actors: actorOptions(users, f.ActorID), Kinds: kindOptions(f.Kind), Filtered: len(q) > 0}
	if len(entries) > auditPageSize { // one more than shown: there is an older page
		entries = entries[:auditPageSize]
		older := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].Seq, 10)}}
		for k, vs := range q {
			older[k] = vs
		}
		v.Older = "/studio/audit?" + older.Encode()
	}
	if f.BeforeSeq > 0 {
		v.Newest = strings.TrimSuffix("/studio/audit?"+q.Encode(), "?")
	}
	names := map[uuid.UUID]auth.User{}
	for _, u := range users {
		names[u.ID] = u
	}
	for _, e := range entries {
		v.Rows = append(v.Rows, auditRowOf(e, names))
	}
	return a.render(c, "audit", v)
}

// auditFilter reads ?actor, ?kind and ?before. Nonsense is a 400 rather
// than silently showing everything under a filter's name.
func auditFilter(c *fiber.Ctx) (audit.Filter, error) {
	f := audit.Filter{Limit: auditPageSize + 1}
	if s := c.Query("actor"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return f, problem(fiber.StatusBadRequest, "Choose a person from the list.")
		}
		f.ActorID = &id
	}
	if k := c.Query("kind"); k != "" {
		if len(k) > 64 || !kindPattern.MatchString(k) {
			return f, problem(fiber.StatusBadRequest, "Choose a kind of activity from the list.")
		}
		f.Kind = k
	}
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			return f, problem(fiber.StatusBadRequest, "That page of the activity log does not exist.")
		}
		f.BeforeSeq = n
	}
	return f, nil
}

func actorOptions(users []auth.User, selected *uuid.UUID) []option {
	out := make([]option, 0, len(users))
	for _, u := range users {
		label := u.Name + " (" + u.Email + ")"
		if u.DisabledAt != nil {
			label += ", removed"
		}
		out = append(out, option{Value: u.ID.String(), Label: label, Selected: selected != nil && *selected == u.ID})
	}
	return out
}

// kindOptions offers the groups, plus an exact kind arrived at by a link.
func kindOptions(selected string) []option {
	out := make([]option, 0, len(auditKinds)+1)
	found := selected == ""
	for _, k := range auditKinds {
		k.Selected = k.Value == selected
		found = found || k.Selected
		out = append(out, k)
	}
	if !found {
		out = append(out, option{Value: selected, Label: kindLabel(selected), Selected: true})
	}
	return out
}

func kindLabel(kind string) string {
	if l, ok := auditLabels[kind]; ok {
		return l
	}
	return kind
}

func auditRowOf(e audit.Entry, users map[uuid.UUID]auth.User) auditRow {
	r := auditRow{At: e.At.UTC(), Kind: kindLabel(e.Kind), IP: e.IP, Detail: shortDetail(e.Detail)}
	var u auth.User
	known := false
	if e.ActorID != nil {
		u, known = users[*e.ActorID]
	}
	switch {
	case e.Actor == audit.ActorSystem:
		r.Actor = "system"
	case e.Actor == audit.ActorGuest:
		r.Actor = "guest"
	case e.Actor == audit.ActorToken && known:
		r.Actor, r.ActorDetail = u.Name, "API token · "+u.Email
	case e.Actor == audit.ActorToken:
		r.Actor = "API token"
	case known:
		r.Actor, r.ActorDetail = u.Name, u.Email
	default:
		r.Actor = "unknown user"
	}
	return r
}

// shortDetail renders an entry's detail as one short line: keys sorted,
// ids cut to their last 8 characters (UUIDv7s share their leading,
// time-based ones; the random tail tells them apart on a page).
func shortDetail(d map[string]any) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := fmt.Sprint(d[k])
		name := strings.ReplaceAll(k, "_", " ")
		if strings.HasSuffix(k, "_id") {
			name = strings.TrimSuffix(name, " id")
			if len(v) > 8 {
				v = "…" + v[len(v)-8:]
			}
		}
		parts = append(parts, name+": "+v)
	}
	out := strings.Join(parts, ", ")
	if r := []rune(out); len(r) > 140 {
		out = string(r[:139]) + "…"
	}
	return out
}
