package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// quota holds studios to their plans where the gallery, face search and
// staff invitations add something (gallery.Quota, faces.Quota,
// auth.Seats), inside the transaction of the addition. With billing off
// nothing can be bought, so nothing is limited: every studio would sit on
// the free plan with no way up.
//
// A studio over a limit (after a downgrade) keeps that kind of data
// read-only: it may view, share, download, edit and delete, but add
// nothing of that kind until it is back within the plan. Albums and
// storage are one kind (the gallery): either over stops uploads, new
// albums and new folders.
type quota struct{ a *App }

var (
	_ gallery.Quota = quota{}
	_ faces.Quota   = quota{}
	_ auth.Seats    = quota{}
)

// upgradePath is the studio's billing page, where plans are compared and
// changed; every limit message points there.
const upgradePath = "/studio/billing"

// state is the studio's limits and usage, read after taking the studio's
// quota lock: two additions at once are checked one after the other, so
// they cannot both take the last of a limit. ok is false when billing is
// off (no limits).
func (q quota) state(tx *gorm.DB, studio uuid.UUID) (l billing.Limits, u billing.Usage, ok bool, err error) {
	if q.a.Billing == nil || !q.a.Billing.Enabled() {
		return l, u, false, nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "quota:"+studio.String()).Error; err != nil {
		return l, u, false, fmt.Errorf("app: quota lock: %w", err)
	}
	if l, err = billing.LimitsIn(tx, studio); err != nil {
		return l, u, false, fmt.Errorf("app: limits of %s: %w", studio, err)
	}
	if u, err = UsageIn(tx, studio); err != nil {
		return l, u, false, err
	}
	return l, u, true, nil
}

// AddAlbum refuses an album past the plan's albums, or while the
// gallery is over its storage.
func (q quota) AddAlbum(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error {
	return q.gallery(tx, studio, billing.ResourceAlbums, 1)
}

// AddFolder refuses a folder while the gallery is over a limit.
func (q quota) AddFolder(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error {
	return q.gallery(tx, studio, "", 0)
}

// AddBytes refuses bytes past the plan's storage, counting uploads in
// progress at their declared length (their parts are stored already), or
// while the gallery is over its albums.
func (q quota) AddBytes(ctx context.Context, tx *gorm.DB, studio uuid.UUID, n int64) error {
	return q.gallery(tx, studio, billing.ResourceStorage, n)
}

// gallery checks an addition of n of r (none for a folder) to the gallery.
func (q quota) gallery(tx *gorm.DB, studio uuid.UUID, r billing.Resource, n int64) error {
	l, u, ok, err := q.state(tx, studio)
	if !ok || err != nil {
		return err
	}
	if r == billing.ResourceStorage {
		held, err := uploadsHeld(tx, studio)
		if err != nil {
			return err
		}
		u.StorageBytes += held
	}
	for _, o := range l.Over(u) {
		if o.Resource != r && (o.Resource == billing.ResourceAlbums || o.Resource == billing.ResourceStorage) {
			return overLimit(o, "the gallery is read-only: you can still view, share, download and delete, but not add albums, folders or photos",
				"Delete albums or photos")
		}
	}
	if r == "" {
		return nil
	}
	return limitError(l.Allow(r, usedOf(u, r), n))
}

// uploadsHeld is the declared length of the studio's resumable uploads in
// progress.
func uploadsHeld(tx *gorm.DB, studio uuid.UUID) (int64, error) {
	var n int64
	err := tx.Raw("SELECT coalesce(sum(size), 0)::bigint FROM uploads WHERE studio_id = ? AND expires_at > now()", studio).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("app: uploads in progress of %s: %w", studio, err)
	}
	return n, nil
}

// AddCollection refuses a face collection past the plan's, unless face
// search was bought for that collection.
// Past the plan, a face search unlock bought ahead for the next collection
// is used up.
func (q quota) AddCollection(ctx context.Context, tx *gorm.DB, studio, collection uuid.UUID) error {
	l, u, ok, err := q.state(tx, studio)
	if !ok || err != nil || l.CollectionUnlocked(collection) {
		return err
	}
	refused := l.Allow(billing.ResourceFaceCollections, u.FaceCollections, 1)
	if refused == nil || l.CollectionCredits == 0 {
		return limitError(refused)
	}
	used, err := q.a.Billing.UseCollectionCredit(ctx, tx, studio, collection)
	if err != nil || used {
		return err
	}
	return limitError(refused)
}

// AddAlbums refuses more albums in a collection while the studio is over
// its face collections, unless face search was bought for this one.
func (q quota) AddAlbums(ctx context.Context, tx *gorm.DB, studio, collection uuid.UUID) error {
	l, u, ok, err := q.state(tx, studio)
	if !ok || err != nil || l.CollectionUnlocked(collection) {
		return err
	}
	return overLimit(l.Allow(billing.ResourceFaceCollections, u.FaceCollections, 0),
		"its face search collections are read-only: you can still search, share and delete them, but not add albums to them",
		"Delete a collection")
}

// Invite refuses an invitation when every seat is taken.
func (q quota) Invite(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error {
	l, u, ok, err := q.state(tx, studio)
	if !ok || err != nil {
		return err
	}
	return limitError(l.Allow(billing.ResourceStaffSeats, u.StaffSeats, 1))
}

// Join refuses a new member when every seat was taken since the
// invitation. The message is for the person invited, who cannot upgrade.
func (q quota) Join(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error {
	l, u, ok, err := q.state(tx, studio)
	if !ok || err != nil {
		return err
	}
	return reworded(l.Allow(billing.ResourceStaffSeats, u.StaffSeats, 1), func(string) string {
		return "Every staff seat of this studio's plan is taken. Ask the person who invited you to free a seat or upgrade the plan, then use this link again."
	})
}

func usedOf(u billing.Usage, r billing.Resource) int64 {
	switch r {
	case billing.ResourceStorage:
		return u.StorageBytes
	case billing.ResourceAlbums:
		return u.Albums
	case billing.ResourceFaceCollections:
		return u.FaceCollections
	case billing.ResourceStaffSeats:
		return u.StaffSeats
	}
	return 0
}

// limitError adds where to upgrade to billing's sentence.
func limitError(err error) error {
	return reworded(err, func(msg string) string { return msg + " Compare plans on the Billing page (" + upgradePath + ")." })
}

// overLimit is a limit passed already (after a downgrade) that stops an
// addition: billing's sentence, what that means, and the two ways back.
func overLimit(err error, meaning, tidy string) error {
	return reworded(err, func(msg string) string {
		return fmt.Sprintf("%s Until the studio is back within its plan, %s. %s, or compare plans on the Billing page (%s).",
			msg, meaning, tidy, upgradePath)
	})
}

// reworded is a copy of a *billing.LimitError with its message rewritten,
// so it still matches billing.ErrLimitReached; other errors (and nil)
// pass as they are.
func reworded(err error, say func(string) string) error {
	var le *billing.LimitError
	if !errors.As(err, &le) {
		return err
	}
	out := *le
	out.Message = say(le.Message)
	return &out
}

// planLimit is the message of a plan limit, for a form to show again.
func planLimit(err error) (string, bool) {
	var le *billing.LimitError
	if errors.As(err, &le) {
		return le.Message, true
	}
	return "", false
}
