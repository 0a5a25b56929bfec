package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// GuestPage is what a guest's gallery page shows: the folders the guest
// sees, the open folder's photos, the guest's favourites and the cover.
type GuestPage struct {
	Folders    []Folder
	Current    *Folder // nil when the album has no folder the guest sees
	Photos     []Photo // the open folder's ready photos, in order
	Favourites []uuid.UUID
	Cover      *Photo // nil when unset or in a hidden folder
	CoverIn    *Folder
}

// GuestGallery reads a gallery page in one transaction: the page is the
// most requested thing a guest does, and each transaction costs three
// round trips before its first query. folder is the folder asked for
// (uuid.Nil: the first); one the guest does not see is ErrNotFound.
func (s *Service) GuestGallery(ctx context.Context, g *GuestAccess, folder uuid.UUID) (*GuestPage, error) {
	if !g.In() {
		return nil, fmt.Errorf("gallery: guest gallery: %w", ErrForbidden)
	}
	var p GuestPage
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		err := tx.Where("studio_id = ? AND album_id = ? AND NOT hidden", g.Studio(), g.Album.ID).
			Order("position, created_at").Find(&p.Folders).Error
		if err != nil {
			return err
		}
		if p.Current, err = pickGuestFolder(p.Folders, folder); err != nil || p.Current == nil {
			return err
		}
		err = tx.Where("studio_id = ? AND folder_id = ? AND status = ?", g.Studio(), p.Current.ID, PhotoReady).
			Order("position, created_at").Find(&p.Photos).Error
		if err != nil {
			return err
		}
		if g.Guest != nil {
			err = tx.Model(&favourite{}).Where("guest_id = ?", g.Guest.ID).Order("created_at").Pluck("photo_id", &p.Favourites).Error
			if err != nil {
				return err
			}
		}
		return p.loadCover(tx, g)
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: guest gallery: %w", err)
	}
	return &p, nil
}

func pickGuestFolder(folders []Folder, want uuid.UUID) (*Folder, error) {
	for i := range folders {
		if want == uuid.Nil || folders[i].ID == want {
			return &folders[i], nil
		}
	}
	if want == uuid.Nil {
		return nil, nil
	}
	return nil, ErrNotFound
}

// loadCover finds the album's cover among the folders the guest sees.
func (p *GuestPage) loadCover(tx *gorm.DB, g *GuestAccess) error {
	id := g.Album.CoverPhotoID
	if id == nil {
		return nil
	}
	var c Photo
	err := tx.Where("studio_id = ? AND album_id = ? AND id = ? AND status = ?", g.Studio(), g.Album.ID, *id, PhotoReady).Find(&c).Error
	if err != nil || c.ID == uuid.Nil {
		return err
	}
	for i := range p.Folders {
		if p.Folders[i].ID == c.FolderID {
			p.Cover, p.CoverIn = &c, &p.Folders[i]
		}
	}
	return nil
}
