package app

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// notificationsView is the studio's notifications, newest first.
type notificationsView struct {
	Items  []gallery.Notification
	Unread int64
}

func (a *App) notificationsPage(c *fiber.Ctx) error {
	items, unread, err := a.Gallery.Notifications(ctx(c), session(c).StudioID, 100)
	if err != nil {
		return err
	}
	return a.render(c, "notifications", &notificationsView{Items: items, Unread: unread})
}

func (a *App) markNotificationsRead(c *fiber.Ctx) error {
	if err := a.Gallery.MarkNotificationsRead(ctx(c), session(c).StudioID); err != nil {
		return err
	}
	setFlash(c, "All notifications are marked read.")
	return c.Redirect("/studio/notifications", fiber.StatusSeeOther)
}

// unreadNotifications is the badge in the navigation; a failure to count
// hides the badge rather than the page.
func (a *App) unreadNotifications(c *fiber.Ctx, studio uuid.UUID) int64 {
	n, err := a.Gallery.UnreadNotifications(ctx(c), studio)
	if err != nil {
		a.Log.Warn("unread notifications", "request_id", requestID(c), "err", err)
		return 0
	}
	return n
}
