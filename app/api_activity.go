package app

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// activityJSON is one thing a guest did in an album, names resolved.
type activityJSON struct {
	ID        int64          `json:"id"`
	At        time.Time      `json:"at"`
	Kind      string         `json:"kind"`
	LinkID    *uuid.UUID     `json:"link_id"`
	LinkLabel string         `json:"link_label"`
	GuestID   *uuid.UUID     `json:"guest_id"`
	GuestName string         `json:"guest_name"`
	PhotoID   *uuid.UUID     `json:"photo_id"`
	Filename  string         `json:"filename"`
	Detail    map[string]any `json:"detail"`
}

const (
	apiActivityDefault = 50
	apiActivityMax     = 200
)

// apiActivity is GET /api/v1/albums/{album}/activity: who viewed,
// favourited, annotated, selected and downloaded what, newest first,
// paged backwards by id like /audit.
func (a *App) apiActivity(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	limit, err := pageLimit(c, apiActivityDefault, apiActivityMax)
	if err != nil {
		return err
	}
	var before int64
	if s := c.Query("before"); s != "" {
		if before, err = strconv.ParseInt(s, 10, 64); err != nil || before < 1 {
			return queryError("before must be a positive id from an earlier page.")
		}
	}
	lines, err := a.Gallery.AlbumActivity(ctx(c), apiStudio(c), album, before, limit+1)
	if err != nil {
		return err
	}
	out := struct {
		Activity []activityJSON `json:"activity"`
		Next     *string        `json:"next"`
	}{Activity: make([]activityJSON, 0, len(lines))}
	if len(lines) > limit {
		lines = lines[:limit]
		next := fmt.Sprintf("/api/v1/albums/%s/activity?before=%d&limit=%d", album, lines[limit-1].ID, limit)
		out.Next = &next
	}
	for _, l := range lines {
		d := l.Detail
		if d == nil {
			d = map[string]any{}
		}
		out.Activity = append(out.Activity, activityJSON{ID: l.ID, At: l.At.UTC(), Kind: l.Kind, LinkID: l.LinkID,
			LinkLabel: l.LinkLabel, GuestID: l.GuestID, GuestName: l.GuestName, PhotoID: l.PhotoID, Filename: l.Filename,
			Detail: d})
	}
	return c.JSON(out)
}

// notificationJSON is something for the studio to look at.
type notificationJSON struct {
	ID        uuid.UUID  `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	URL       string     `json:"url"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

const (
	apiNotificationsDefault = 50
	apiNotificationsMax     = 200
)

// apiNotifications is GET /api/v1/notifications: the newest ones and how
// many are unread.
func (a *App) apiNotifications(c *fiber.Ctx) error {
	limit, err := pageLimit(c, apiNotificationsDefault, apiNotificationsMax)
	if err != nil {
		return err
	}
	list, unread, err := a.Gallery.Notifications(ctx(c), apiStudio(c), limit)
	if err != nil {
		return err
	}
	out := struct {
		Notifications []notificationJSON `json:"notifications"`
		Unread        int64              `json:"unread"`
	}{Notifications: make([]notificationJSON, 0, len(list)), Unread: unread}
	for _, n := range list {
		out.Notifications = append(out.Notifications, notificationJSON{ID: n.ID, Kind: n.Kind, Title: n.Title, URL: n.URL,
			CreatedAt: n.CreatedAt.UTC(), ReadAt: utcp(n.ReadAt)})
	}
	return c.JSON(out)
}

// apiMarkNotificationsRead is POST /api/v1/notifications/read: every
// notification of the studio is marked read.
func (a *App) apiMarkNotificationsRead(c *fiber.Ctx) error {
	if err := a.Gallery.MarkNotificationsRead(ctx(c), apiStudio(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
