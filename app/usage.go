package app

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/billing"
)

// Usage measures what the studio uses of what plans limit, for the
// billing page and the API.
func (a *App) Usage(ctx context.Context, studio uuid.UUID) (billing.Usage, error) {
	var u billing.Usage
	err := a.DB.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		u, err = UsageIn(tx, studio)
		return err
	})
	return u, err
}

// UsageIn measures the studio's usage inside tx, so a limit can be checked
// in the transaction of the change it guards:
//   - storage: the bytes of the originals uploaded (renditions are the
//     service's own copies and are not counted against the studio);
//   - albums, whatever their status;
//   - face search collections, but those whose face search was bought one
//     by one (billing.Usage counts them apart);
//   - staff seats: members who can sign in, owners included.
func UsageIn(tx *gorm.DB, studio uuid.UUID) (billing.Usage, error) {
	var u billing.Usage
	err := tx.Raw(`SELECT
		(SELECT coalesce(sum(size), 0) FROM photos WHERE studio_id = @s)::bigint AS storage_bytes,
		(SELECT count(*) FROM albums WHERE studio_id = @s) AS albums,
		(SELECT count(*) FROM face_collections f WHERE f.studio_id = @s AND NOT EXISTS (
			SELECT 1 FROM studio_unlocks u WHERE u.studio_id = @s AND u.kind = @kind
				AND u.target_id = f.id AND u.revoked_at IS NULL)) AS face_collections,
		(SELECT count(*) FROM users WHERE studio_id = @s AND disabled_at IS NULL) AS staff_seats`,
		map[string]any{"s": studio, "kind": billing.KindFaceSearch}).Scan(&u).Error
	if err != nil {
		return billing.Usage{}, fmt.Errorf("app: usage of %s: %w", studio, err)
	}
	return u, nil
}
