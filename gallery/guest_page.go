package gallery

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// GuestPage is what a guest's gallery page shows: the folders the guest
// sees, the open folder's photos, the guest's favourites and the cover.
type GuestPage struct {
	Folders    []Folder
	Current    *Folder     // nil when the album has no folder the guest sees
	Photos     []Photo     // the open folder's ready photos, in order
	Favourites []uuid.UUID // the guest's own, never cached with the rest
	Cover      *Photo      // nil when unset or in a hidden folder
	CoverIn    *Folder
	// Derived holds what the app makes of the page (its rendered tiles),
	// kept exactly as long as the page is cached.
	Derived *sync.Map
}

// GuestGallery is a gallery page: the most requested thing a guest does,
// so the album's part is cached per folder (guest_cache.go) and read in one
// transaction when not. folder is the folder asked for (uuid.Nil: the
// first); one the guest does not see is ErrNotFound.
func (s *Service) GuestGallery(ctx context.Context, g *GuestAccess, folder uuid.UUID) (*GuestPage, error) {
	if !g.In() {
		return nil, fmt.Errorf("gallery: guest gallery: %w", ErrForbidden)
	}
	k := cacheKey{kind: cachedPage, studio: g.Studio(), a: g.Album.ID.String(), b: folder.String()}
	shared, err := cached(s.cache, k, func() (*GuestPage, error) { return s.loadGuestPage(ctx, g, folder) })
	if err != nil {
		return nil, fmt.Errorf("gallery: guest gallery: %w", err)
	}
	p := *shared
	if p.Favourites, err = s.Favourites(ctx, g); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Service) loadGuestPage(ctx context.Context, g *GuestAccess, folder uuid.UUID) (*GuestPage, error) {
	p := GuestPage{Derived: &sync.Map{}}
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
		return p.loadCover(tx, g)
	})
	return &p, err
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
