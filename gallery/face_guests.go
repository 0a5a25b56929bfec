package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Event guests of face search reach photos through a face invite, not a
// share link: they see only the photos they are on, across the albums of
// a collection. These are the gallery's checks for them, the counterparts
// of GuestPhoto and GuestDownload: a photo is visible when it is ready, its
// album published and its folder not hidden; downloads follow MayDownload.

// VisiblePhoto is a photo an event guest may see, with its album and
// folder for the download rule.
type VisiblePhoto struct {
	Photo  Photo
	Folder Folder
	Album  Album
}

// VisiblePhotos keeps, in the order given, the photos of ids an event
// guest may see. Unknown ids are left out like invisible ones.
func (s *Service) VisiblePhotos(ctx context.Context, studio uuid.UUID, ids []uuid.UUID) ([]VisiblePhoto, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []VisiblePhoto
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		out, err = visiblePhotos(tx, studio, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: visible photos: %w", err)
	}
	return out, nil
}

func visiblePhotos(tx *gorm.DB, studio uuid.UUID, ids []uuid.UUID) ([]VisiblePhoto, error) {
	var photos []Photo
	err := tx.Where("studio_id = ? AND id IN ? AND status = ?", studio, ids, PhotoReady).Find(&photos).Error
	if err != nil {
		return nil, err
	}
	albums, folders, err := albumsAndFolders(tx, studio, photos)
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]VisiblePhoto, len(photos))
	for _, p := range photos {
		a, f := albums[p.AlbumID], folders[p.FolderID]
		if a == nil || f == nil || a.Status != StatusPublished || f.Hidden {
			continue
		}
		byID[p.ID] = VisiblePhoto{Photo: p, Folder: *f, Album: *a}
	}
	out := make([]VisiblePhoto, 0, len(byID))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
			delete(byID, id) // an id given twice comes back once
		}
	}
	return out, nil
}

// CountVisible is how many photos of albums an event guest may see (the
// rule of VisiblePhotos): what a selfie is compared with, as far as the
// guest may know. Photos in hidden folders are not even counted.
func (s *Service) CountVisible(ctx context.Context, studio uuid.UUID, albums []uuid.UUID) (int, error) {
	if len(albums) == 0 {
		return 0, nil
	}
	var n int64
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Table("photos p").
			Joins("JOIN albums a ON a.id = p.album_id AND a.status = ?", StatusPublished).
			Joins("JOIN folders f ON f.id = p.folder_id AND NOT f.hidden").
			Where("p.studio_id = ? AND p.album_id IN ? AND p.status = ?", studio, albums, PhotoReady).
			Count(&n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("gallery: count visible photos: %w", err)
	}
	return int(n), nil
}

// albumsAndFolders reads the albums and folders of photos.
func albumsAndFolders(tx *gorm.DB, studio uuid.UUID, photos []Photo) (map[uuid.UUID]*Album, map[uuid.UUID]*Folder, error) {
	var albumIDs, folderIDs []uuid.UUID
	for _, p := range photos {
		albumIDs, folderIDs = append(albumIDs, p.AlbumID), append(folderIDs, p.FolderID)
	}
	var as []Album
	var fs []Folder
	if len(photos) > 0 {
		if err := tx.Where("studio_id = ? AND id IN ?", studio, albumIDs).Find(&as).Error; err != nil {
			return nil, nil, err
		}
		if err := tx.Where("studio_id = ? AND id IN ?", studio, folderIDs).Find(&fs).Error; err != nil {
			return nil, nil, err
		}
	}
	albums := make(map[uuid.UUID]*Album, len(as))
	for i := range as {
		albums[as[i].ID] = &as[i]
	}
	folders := make(map[uuid.UUID]*Folder, len(fs))
	for i := range fs {
		folders[fs[i].ID] = &fs[i]
	}
	return albums, folders, nil
}

// VisiblePhoto is one photo an event guest may see; ErrNotFound when it
// is not one, indistinguishable from an id that does not exist.
func (s *Service) VisiblePhoto(ctx context.Context, studio, id uuid.UUID) (*VisiblePhoto, error) {
	vs, err := s.VisiblePhotos(ctx, studio, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("gallery: visible photo %s: %w", id, ErrNotFound)
	}
	return &vs[0], nil
}

// VisibleDownload checks an event guest's download of one photo against
// the download rule, as GuestDownload does for a share link's guest.
func (s *Service) VisibleDownload(ctx context.Context, studio, photo uuid.UUID, what string) (*Download, error) {
	v, err := s.VisiblePhoto(ctx, studio, photo)
	if err != nil {
		return nil, err
	}
	if err := MayDownload(&v.Album, &v.Folder, what); err != nil {
		return nil, fmt.Errorf("gallery: download: %w", err)
	}
	d, ok := entry(&v.Album, &v.Photo, what)
	if !ok {
		return nil, fmt.Errorf("gallery: download: %w", ErrNotFound)
	}
	return &d, nil
}

// VisibleDownloadStarted audits a download VisibleDownload allowed, when
// its first byte is asked for; detail says through what (the face
// registration).
func (s *Service) VisibleDownloadStarted(ctx context.Context, studio uuid.UUID, d *Download, act Actor, detail map[string]any) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		det := map[string]any{"photo_id": d.PhotoID.String(), "size": d.What}
		for k, v := range detail {
			det[k] = v
		}
		return s.record(ctx, tx, studio, act, "download", det)
	})
	if err != nil {
		return fmt.Errorf("gallery: download: %w", err)
	}
	return nil
}
