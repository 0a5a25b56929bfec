package gallery

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Download is one file a guest may fetch.
type Download struct {
	PhotoID uuid.UUID
	What    string // DownloadOriginal or DownloadWeb
	Key     string // blob key
	Name    string // file name for Content-Disposition
	Type    string // media type
	Size    int64
	CRC32   uint32 // of the content: names it for caches
}

// entry is what of p a guest's download of the given size serves: the
// original, or the preview guests see (watermarked when the album is).
func entry(a *Album, p *Photo, what string) (Download, bool) {
	if what == DownloadOriginal {
		return Download{PhotoID: p.ID, What: what, Key: p.OriginalKey, Name: p.Filename, Type: p.MediaType,
			Size: p.Size, CRC32: p.CRC32}, true
	}
	key := p.GuestPreviewKey(a)
	if key == "" {
		return Download{}, false
	}
	name := strings.TrimSuffix(p.Filename, path.Ext(p.Filename)) + ".jpg"
	return Download{PhotoID: p.ID, What: what, Key: key, Name: name, Type: "image/jpeg",
		Size: p.PreviewSize, CRC32: p.PreviewCRC}, true
}

// GuestDownload checks a guest's download of one photo against the
// download rule. Every request for the file asks, resumed ranges too;
// DownloadStarted counts it once.
func (s *Service) GuestDownload(ctx context.Context, g *GuestAccess, photo uuid.UUID, what string) (*Download, error) {
	p, f, err := s.GuestPhoto(ctx, g, photo)
	if err != nil {
		return nil, err
	}
	if err := MayDownload(&g.Album, f, what); err != nil {
		return nil, fmt.Errorf("gallery: download: %w", err)
	}
	d, ok := entry(&g.Album, p, what)
	if !ok {
		return nil, fmt.Errorf("gallery: download: %w", ErrNotFound)
	}
	return &d, nil
}

// DownloadStarted counts and audits a download that GuestDownload allowed,
// when its first byte is asked for.
func (s *Service) DownloadStarted(ctx context.Context, g *GuestAccess, d *Download) error {
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		return s.countDownload(ctx, tx, g, &d.PhotoID, map[string]any{"photo_id": d.PhotoID.String(), "size": d.What})
	})
	if err != nil {
		return fmt.Errorf("gallery: download: %w", err)
	}
	return nil
}

// GuestZip plans a zip of one folder, or of the album (folder nil): only
// folders the guest sees and may download from. A locked folder asked for
// by name is refused; an album zip leaves locked folders out. ZipStarted
// counts it when it is sent.
func (s *Service) GuestZip(ctx context.Context, g *GuestAccess, folder *uuid.UUID, what string) (*Zip, error) {
	folders, err := s.GuestFolders(ctx, g)
	if err != nil {
		return nil, err
	}
	allowed, err := zipFolders(&g.Album, folders, folder, what)
	if err != nil {
		return nil, fmt.Errorf("gallery: zip: %w", err)
	}
	z := &Zip{Name: zipName(g.Album.Title, allowed, folder != nil), Folder: folder, What: what}
	err = s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		if err := s.zipEntries(tx, g, allowed, what, z); err != nil {
			return err
		}
		if len(z.Entries) == 0 {
			return &Refusal{Reason: "There is nothing to download here yet."}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: zip: %w", err)
	}
	return z, nil
}

// ZipStarted counts and audits a zip GuestZip planned, as it is sent.
func (s *Service) ZipStarted(ctx context.Context, g *GuestAccess, z *Zip) error {
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error { return s.countZip(ctx, tx, g, z) })
	if err != nil {
		return fmt.Errorf("gallery: zip: %w", err)
	}
	return nil
}

func (s *Service) countZip(ctx context.Context, tx *gorm.DB, g *GuestAccess, z *Zip) error {
	detail := map[string]any{"files": len(z.Entries), "size": z.What}
	if z.Folder != nil {
		detail["folder_id"] = z.Folder.String()
	}
	return s.countDownload(ctx, tx, g, nil, detail)
}

// zipFolders picks the folders a zip may hold.
func zipFolders(a *Album, visible []Folder, want *uuid.UUID, what string) ([]Folder, error) {
	var out []Folder
	var firstErr error
	for _, f := range visible {
		if want != nil && f.ID != *want {
			continue
		}
		if err := MayDownload(a, &f, what); err != nil {
			firstErr = cmpOr(firstErr, err)
			continue
		}
		out = append(out, f)
	}
	switch {
	case want != nil && len(out) == 0 && firstErr == nil:
		return nil, ErrNotFound // hidden or not in this album
	case len(out) == 0 && firstErr != nil:
		return nil, firstErr
	}
	return out, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (s *Service) zipEntries(tx *gorm.DB, g *GuestAccess, folders []Folder, what string, z *Zip) error {
	for _, f := range folders {
		var photos []Photo
		if err := tx.Where("studio_id = ? AND folder_id = ? AND status = ?", g.Studio(), f.ID, PhotoReady).
			Order("position, created_at").Find(&photos).Error; err != nil {
			return err
		}
		for i := range photos {
			d, ok := entry(&g.Album, &photos[i], what)
			if !ok {
				continue
			}
			name := d.Name
			if len(folders) > 1 {
				name = f.Name + "/" + name
			}
			z.Entries = append(z.Entries, ZipEntry{Name: name, Key: d.Key, Size: d.Size, CRC32: d.CRC32, Modified: photos[i].CreatedAt})
		}
	}
	uniqueNames(z.Entries)
	return nil
}

func zipName(album string, folders []Folder, one bool) string {
	name := album
	if one && len(folders) == 1 {
		name += " - " + folders[0].Name
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return '-'
		}
		return r
	}, name) + ".zip"
}

// countDownload adds one to the link's downloads, the album's activity and
// the audit log.
func (s *Service) countDownload(ctx context.Context, tx *gorm.DB, g *GuestAccess, photo *uuid.UUID, detail map[string]any) error {
	now := s.Now()
	if err := tx.Model(&ShareLink{}).Where("id = ?", g.Link.ID).
		Updates(map[string]any{"downloads": gorm.Expr("downloads + 1"), "last_used_at": now}).Error; err != nil {
		return err
	}
	if err := s.activity(tx, g, "download", photo, detail); err != nil {
		return err
	}
	detail["album_id"] = g.Album.ID.String()
	return s.record(ctx, tx, g.Studio(), g.Actor(), "download", detail)
}
