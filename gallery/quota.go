package gallery

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Quota holds a studio to its plan. Each method is called inside the
// transaction of the write it guards, before the write, so the check and
// the change commit together; its error (a limit, in words for the studio)
// rolls the write back and is returned wrapped. Only additions are
// guarded: viewing, downloading, sharing, editing and deleting never ask,
// so a studio over a limit after a downgrade keeps all of its data and can
// delete its way back under.
type Quota interface {
	// AddAlbum: an album is about to be created.
	AddAlbum(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error
	// AddFolder: a folder is about to be added to an existing album.
	AddFolder(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error
	// AddBytes: n bytes of an upload are about to be kept: its declared
	// length when a resumable upload starts, the original's size when a
	// photo is made, and 1 before a one-request upload streams (its size
	// is not known yet; any file takes at least a byte).
	AddBytes(ctx context.Context, tx *gorm.DB, studio uuid.UUID, n int64) error
}

// quota runs check when a Quota is wired; nil means no limits.
func (s *Service) quota(check func(Quota) error) error {
	if s.Quota == nil {
		return nil
	}
	return check(s.Quota)
}
