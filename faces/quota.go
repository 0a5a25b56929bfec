package faces

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Quota holds a studio to its plan's face search collections. Each method
// is called inside the transaction of the write it guards, before the
// write; its error (a limit, in words for the studio) rolls the write back
// and is returned wrapped. Viewing, searching, inviting guests and
// deleting never ask, so a studio over its plan after a downgrade keeps
// its collections and can delete its way back under.
type Quota interface {
	// AddCollection: collection (its id already chosen) is about to be
	// created. A collection whose face search was bought on its own counts
	// against no plan.
	AddCollection(ctx context.Context, tx *gorm.DB, studio, collection uuid.UUID) error
	// AddAlbums: albums are about to be added to an existing collection.
	AddAlbums(ctx context.Context, tx *gorm.DB, studio, collection uuid.UUID) error
}

// quota runs check when a Quota is wired; nil means no limits.
func (s *Service) quota(check func(Quota) error) error {
	if s.Quota == nil {
		return nil
	}
	return check(s.Quota)
}
