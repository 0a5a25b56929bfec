package gallery

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// SelectionSummary is a submitted selection as the studio lists it.
type SelectionSummary struct {
	Selection
	GuestName  string `json:"guest_name"`
	GuestEmail string `json:"guest_email"`
	LinkLabel  string `json:"link_label"`
	Photos     int    `json:"photos"`
}

// SubmitSelection freezes the guest's favourites as a selection and tells
// the photographer: a notification in the studio and an e-mail.
func (s *Service) SubmitSelection(ctx context.Context, g *GuestAccess, note string) (*Selection, error) {
	note = strings.TrimSpace(note)
	switch {
	case g.Guest == nil:
		return nil, fmt.Errorf("gallery: submit selection: %w", ErrNeedName)
	case len([]rune(note)) > 2000:
		return nil, fmt.Errorf("gallery: submit selection: %w", invalid("note", "A note has at most 2,000 characters."))
	}
	sel := Selection{ID: uuid.New(), StudioID: g.Studio(), AlbumID: g.Album.ID, GuestID: g.Guest.ID, Note: note, SubmittedAt: s.Now()}
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		n, err := s.freeze(tx, g, &sel)
		if err != nil {
			return err
		}
		title := fmt.Sprintf("%s chose %d photos in %s", g.Guest.Name, n, g.Album.Title)
		url := fmt.Sprintf("%s/studio/albums/%s/selections/%s", s.BaseURL, g.Album.ID, sel.ID)
		if err := s.notify(tx, g.Studio(), "selection", title, url); err != nil {
			return err
		}
		body := fmt.Sprintf("%s (%s) submitted a selection of %d photos.\n\n%s\n\nSee it: %s\n", g.Guest.Name, g.Guest.Email, n, note, url)
		if err := s.Notify.NotifyOwners(ctx, tx, g.Studio(), title, body); err != nil {
			return err
		}
		if err := s.activity(tx, g, "select", nil, map[string]any{"selection_id": sel.ID.String(), "photos": n}); err != nil {
			return err
		}
		return s.record(ctx, tx, g.Studio(), g.Actor(), "selection.submit", map[string]any{"album_id": g.Album.ID.String(), "photos": n})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: submit selection: %w", err)
	}
	return &sel, nil
}

// freeze stores the selection with the favourites the guest can still see.
func (s *Service) freeze(tx *gorm.DB, g *GuestAccess, sel *Selection) (int64, error) {
	if err := tx.Create(sel).Error; err != nil {
		return 0, err
	}
	res := tx.Exec(`INSERT INTO selection_photos (studio_id, selection_id, photo_id)
		SELECT f.studio_id, ?, f.photo_id FROM favourites f
		JOIN photos p ON p.id = f.photo_id JOIN folders d ON d.id = p.folder_id
		WHERE f.guest_id = ? AND p.album_id = ? AND NOT d.hidden`, sel.ID, g.Guest.ID, g.Album.ID)
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected == 0 {
		return 0, invalid("selection", "Choose at least one photo first.")
	}
	if l := g.Album.SelectionLimit; l != nil && res.RowsAffected > int64(*l) {
		return 0, invalid("selection", fmt.Sprintf("Choose at most %d photos.", *l))
	}
	return res.RowsAffected, nil
}

// Selections lists an album's submitted selections, newest first.
func (s *Service) Selections(ctx context.Context, studio, album uuid.UUID) ([]SelectionSummary, error) {
	var out []SelectionSummary
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		return tx.Raw(`SELECT s.*, g.name AS guest_name, g.email AS guest_email, l.label AS link_label,
				(SELECT count(*) FROM selection_photos sp WHERE sp.selection_id = s.id) AS photos
			FROM selections s JOIN guests g ON g.id = s.guest_id JOIN share_links l ON l.id = g.link_id
			WHERE s.studio_id = ? AND s.album_id = ? ORDER BY s.submitted_at DESC`, studio, album).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: selections: %w", err)
	}
	return out, nil
}

// SelectionPhotos is a selection's photos in album order.
func (s *Service) SelectionPhotos(ctx context.Context, studio, album, selection uuid.UUID) ([]Photo, error) {
	var out []Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Selection{}).Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, selection).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return tx.Raw(`SELECT p.* FROM photos p JOIN selection_photos sp ON sp.photo_id = p.id
			JOIN folders f ON f.id = p.folder_id
			WHERE sp.selection_id = ? ORDER BY f.position, p.position, p.created_at`, selection).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: selection photos: %w", err)
	}
	return out, nil
}

// WriteSelectionCSV writes one row per photo: file name, folder-free.
func WriteSelectionCSV(w io.Writer, photos []Photo) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"filename", "size_bytes", "width", "height"}); err != nil {
		return err
	}
	for _, p := range photos {
		if err := cw.Write([]string{p.Filename, fmt.Sprint(p.Size), fmt.Sprint(p.Width), fmt.Sprint(p.Height)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteLightroomList writes the file names without extensions, separated
// by commas: pasted into Lightroom's Library filter (Text, "Filename",
// "Contains"), a comma-separated list matches any of them.
func WriteLightroomList(w io.Writer, photos []Photo) error {
	names := make([]string, len(photos))
	for i, p := range photos {
		names[i] = strings.TrimSuffix(p.Filename, path.Ext(p.Filename))
	}
	_, err := io.WriteString(w, strings.Join(names, ", ")+"\n")
	return err
}

// notify adds a studio notification.
func (s *Service) notify(tx *gorm.DB, studio uuid.UUID, kind, title, url string) error {
	n := Notification{ID: uuid.New(), StudioID: studio, Kind: kind, Title: title, URL: url, CreatedAt: s.Now()}
	return tx.Create(&n).Error
}
