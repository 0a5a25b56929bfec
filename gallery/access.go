package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// What a guest may download.
const (
	DownloadOriginal = "original" // the uploaded file
	DownloadWeb      = "web"      // the ~2048 px preview
)

// Refusal says why something a guest tried is not allowed, in words for
// the guest.
type Refusal struct{ Reason string }

func (e *Refusal) Error() string        { return e.Reason }
func (e *Refusal) Is(target error) bool { return target == ErrForbidden }

// MayDownload is the one rule every download path asks: single files,
// zips, the API, and rendition or original URLs with a download flag.
func MayDownload(a *Album, f *Folder, what string) error {
	switch {
	case f.Hidden:
		return ErrNotFound // a hidden folder does not exist for guests
	case f.DownloadLocked:
		return &Refusal{Reason: "The photographer has locked downloads of this folder."}
	case what == DownloadOriginal && !a.OriginalsAllowed:
		return &Refusal{Reason: "Full-resolution downloads are turned off for this album."}
	case what == DownloadWeb && !a.WebAllowed:
		return &Refusal{Reason: "Downloads are turned off for this album."}
	case what != DownloadOriginal && what != DownloadWeb:
		return invalid("size", "Choose the original or the web size.")
	}
	return nil
}

// GuestFolders lists the folders a guest sees: not hidden, in order.
func (s *Service) GuestFolders(ctx context.Context, g *GuestAccess) ([]Folder, error) {
	if !g.In() {
		return nil, fmt.Errorf("gallery: guest folders: %w", ErrForbidden)
	}
	var out []Folder
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND album_id = ? AND NOT hidden", g.Studio(), g.Album.ID).
			Order("position, created_at").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: guest folders: %w", err)
	}
	return out, nil
}

// GuestPhotos lists the ready photos of a folder the guest sees.
func (s *Service) GuestPhotos(ctx context.Context, g *GuestAccess, folder uuid.UUID) ([]Photo, error) {
	if !g.In() {
		return nil, fmt.Errorf("gallery: guest photos: %w", ErrForbidden)
	}
	var out []Photo
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		f, err := folderIn(tx, g.Studio(), g.Album.ID, folder)
		if err != nil {
			return err
		}
		if f.Hidden {
			return ErrNotFound
		}
		return tx.Where("studio_id = ? AND folder_id = ? AND status = ?", g.Studio(), folder, PhotoReady).
			Order("position, created_at").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: guest photos: %w", err)
	}
	return out, nil
}

// GuestPhoto is one photo the guest sees, with its folder. A photo of a
// hidden folder, of another album, or not yet ready is ErrNotFound: the
// guest cannot tell it from an ID that does not exist. Every thumbnail
// asks, so the answer is cached (guest_cache.go); the caller gets copies.
func (s *Service) GuestPhoto(ctx context.Context, g *GuestAccess, id uuid.UUID) (*Photo, *Folder, error) {
	if !g.In() {
		return nil, nil, fmt.Errorf("gallery: guest photo: %w", ErrForbidden)
	}
	k := cacheKey{kind: cachedPhoto, studio: g.Studio(), a: g.Album.ID.String(), b: id.String()}
	pf, err := cached(s.cache, k, func() (seenPhoto, error) { return s.loadGuestPhoto(ctx, g, id) })
	if err != nil {
		return nil, nil, fmt.Errorf("gallery: guest photo: %w", err)
	}
	p, f := *pf.photo, *pf.folder
	return &p, &f, nil
}

// seenPhoto is a photo a guest sees, with its folder.
type seenPhoto struct {
	photo  *Photo
	folder *Folder
}

func (s *Service) loadGuestPhoto(ctx context.Context, g *GuestAccess, id uuid.UUID) (seenPhoto, error) {
	var p Photo
	var f *Folder
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) (err error) {
		err = tx.Where("studio_id = ? AND album_id = ? AND id = ? AND status = ?", g.Studio(), g.Album.ID, id, PhotoReady).Take(&p).Error
		if err != nil {
			return notFound(err)
		}
		if f, err = folderIn(tx, g.Studio(), g.Album.ID, p.FolderID); err != nil {
			return err
		}
		if f.Hidden {
			return ErrNotFound
		}
		return nil
	})
	return seenPhoto{&p, f}, err
}
