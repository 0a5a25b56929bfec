package app

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
)

const (
	apiAuditDefault = 50
	apiAuditMax     = 100 // List allows 200; one more is fetched
)

// auditEntryJSON is one audit entry as the API shows it.
type auditEntryJSON struct {
	Seq     int64          `json:"seq"`
	At      time.Time      `json:"at"`
	Actor   string         `json:"actor"`
	ActorID *uuid.UUID     `json:"actor_id"`
	Kind    string         `json:"kind"`
	IP      string         `json:"ip"`
	Detail  map[string]any `json:"detail"`
}

type auditPageJSON struct {
	Entries []auditEntryJSON `json:"entries"`
	Next    *string          `json:"next"` // the older page's URL; null on the last page
}

// apiAudit is GET /api/v1/audit: the studio's log, newest first, filtered
// like the activity page and paged backwards by seq.
func (a *App) apiAudit(c *fiber.Ctx) error {
	f, q, err := apiAuditFilter(c)
	if err != nil {
		return err
	}
	studio := apiCaller(c).Token.StudioID
	limit := f.Limit
	f.Limit++ // one more than asked says whether there is an older page
	var entries []audit.Entry
	err = a.DB.InStudio(ctx(c), studio, func(tx *gorm.DB) error {
		entries, err = a.Audit.List(ctx(c), tx, studio, f)
		return err
	})
	if err != nil {
		return err
	}
	out := auditPageJSON{Entries: make([]auditEntryJSON, 0, len(entries))}
	if len(entries) > limit {
		entries = entries[:limit]
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		next := "/api/v1/audit?" + q.Encode()
		out.Next = &next
	}
	for _, e := range entries {
		if e.Detail == nil {
			e.Detail = map[string]any{} // an object, as documented
		}
		out.Entries = append(out.Entries, auditEntryJSON{Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, ActorID: e.ActorID,
			Kind: e.Kind, IP: e.IP, Detail: e.Detail})
	}
	return c.JSON(out)
}

// apiAuditFilter reads ?actor, ?kind, ?before and ?limit, and returns the
// filters again as a query for the next page's URL.
func apiAuditFilter(c *fiber.Ctx) (audit.Filter, url.Values, error) {
	f, q := audit.Filter{Limit: apiAuditDefault}, url.Values{}
	bad := func(msg string) (audit.Filter, url.Values, error) { return f, q, problem(fiber.StatusBadRequest, msg) }
	if s := c.Query("actor"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return bad("actor must be a user id.")
		}
		f.ActorID = &id
		q.Set("actor", id.String())
	}
	if k := c.Query("kind"); k != "" {
		if len(k) > 64 || !kindPattern.MatchString(k) {
			return bad(`kind must be a kind like "login.failed" or a group like "login.".`)
		}
		f.Kind = k
		q.Set("kind", k)
	}
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			return bad("before must be a positive seq from an earlier page.")
		}
		f.BeforeSeq = n
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > apiAuditMax {
			return bad("limit must be a number from 1 to " + strconv.Itoa(apiAuditMax) + ".")
		}
		f.Limit = n
		q.Set("limit", l)
	}
	return f, q, nil
}
