package gallery

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// FolderInput creates a folder or changes what it sets.
type FolderInput struct {
	Name           *string `json:"name"`
	Position       *int    `json:"position"`
	Hidden         *bool   `json:"hidden"`
	DownloadLocked *bool   `json:"download_locked"`
}

func (in FolderInput) apply(f *Folder) error {
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" || len([]rune(n)) > 120 {
			return invalid("name", "Give the folder a name of at most 120 characters.")
		}
		f.Name = n
	}
	setIf(&f.Position, in.Position)
	setIf(&f.Hidden, in.Hidden)
	setIf(&f.DownloadLocked, in.DownloadLocked)
	return nil
}

// Folders lists an album's folders in order.
func (s *Service) Folders(ctx context.Context, studio, album uuid.UUID) ([]Folder, error) {
	var out []Folder
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		var err error
		out, err = foldersIn(tx, studio, album)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: folders: %w", err)
	}
	return out, nil
}

func foldersIn(tx *gorm.DB, studio, album uuid.UUID) ([]Folder, error) {
	var out []Folder
	err := tx.Where("studio_id = ? AND album_id = ?", studio, album).Order("position, created_at").Find(&out).Error
	return out, err
}

func folderIn(tx *gorm.DB, studio, album, id uuid.UUID) (*Folder, error) {
	var f Folder
	if err := tx.Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, id).Take(&f).Error; err != nil {
		return nil, notFound(err)
	}
	return &f, nil
}

// CreateFolder adds a folder at the end of the album.
func (s *Service) CreateFolder(ctx context.Context, studio, album uuid.UUID, in FolderInput, act Actor) (*Folder, error) {
	f := Folder{ID: uuid.New(), StudioID: studio, AlbumID: album, CreatedAt: s.Now()}
	if in.Name == nil {
		return nil, fmt.Errorf("gallery: create folder: %w", invalid("name", "Give the folder a name."))
	}
	if err := in.apply(&f); err != nil {
		return nil, fmt.Errorf("gallery: create folder: %w", err)
	}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		if err := s.quota(func(q Quota) error { return q.AddFolder(ctx, tx, studio) }); err != nil {
			return err
		}
		if in.Position == nil {
			if err := tx.Model(&Folder{}).Where("album_id = ?", album).
				Select("coalesce(max(position), -1) + 1").Scan(&f.Position).Error; err != nil {
				return err
			}
		}
		if err := createUnique(tx, &f, "name", "This album already has a folder with that name."); err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "folder.create", folderDetail(&f))
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: create folder: %w", err)
	}
	return &f, nil
}

// UpdateFolder changes a folder's name, order, visibility or download lock.
func (s *Service) UpdateFolder(ctx context.Context, studio, album, id uuid.UUID, in FolderInput, act Actor) (*Folder, error) {
	var f *Folder
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if f, err = folderIn(tx, studio, album, id); err != nil {
			return err
		}
		if err := in.apply(f); err != nil {
			return err
		}
		if err := saveUnique(tx, f, "name", "This album already has a folder with that name."); err != nil {
			return err
		}
		if err := s.retireZips(tx, studio, album); err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "folder.update", folderDetail(f))
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: update folder: %w", err)
	}
	return f, nil
}

func folderDetail(f *Folder) map[string]any {
	return map[string]any{"album_id": f.AlbumID.String(), "folder_id": f.ID.String(), "name": f.Name,
		"hidden": f.Hidden, "download_locked": f.DownloadLocked}
}

// DeleteFolder removes an empty folder; an album keeps at least one.
func (s *Service) DeleteFolder(ctx context.Context, studio, album, id uuid.UUID, act Actor) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		f, err := folderIn(tx, studio, album, id)
		if err != nil {
			return err
		}
		var photos, folders int64
		if err := tx.Model(&Photo{}).Where("folder_id = ?", id).Count(&photos).Error; err != nil {
			return err
		}
		if err := tx.Model(&Folder{}).Where("album_id = ?", album).Count(&folders).Error; err != nil {
			return err
		}
		switch {
		case photos > 0:
			return fmt.Errorf("%w: move or delete its %d photos first", ErrConflict, photos)
		case folders == 1:
			return fmt.Errorf("%w: an album keeps at least one folder", ErrConflict)
		}
		if err := tx.Delete(f).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "folder.delete", folderDetail(f))
	})
	if err != nil {
		return fmt.Errorf("gallery: delete folder: %w", err)
	}
	return nil
}

// createUnique inserts row inside a savepoint, turning a unique violation
// into an input error on field.
func createUnique(tx *gorm.DB, row any, field, msg string) error {
	return uniqueOr(tx, func(tx *gorm.DB) error { return tx.Create(row).Error }, field, msg)
}

func saveUnique(tx *gorm.DB, row any, field, msg string) error {
	return uniqueOr(tx, func(tx *gorm.DB) error { return tx.Save(row).Error }, field, msg)
}

func uniqueOr(tx *gorm.DB, fn func(*gorm.DB) error, field, msg string) error {
	err := tx.Transaction(fn)
	if isUniqueViolation(err) {
		return invalid(field, msg)
	}
	return err
}

// isUniqueViolation reports Postgres error 23505.
func isUniqueViolation(err error) bool {
	var se interface{ SQLState() string }
	return errors.As(err, &se) && se.SQLState() == "23505"
}
