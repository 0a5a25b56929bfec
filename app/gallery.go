package app

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/app/mail"
	"github.com/proofsheet/proofsheet/gallery"
)

// newGallery wires the gallery to the database, the audit log, the jobs,
// the object store and the password hasher (PINs are hashed like passwords).
func (a *App) newGallery(params auth.Params) *gallery.Service {
	return gallery.New(gallery.Deps{
		InStudio: a.DB.InStudio,
		StudioOf: a.DB.StudioOf,
		Unscoped: a.DB.Unscoped,
		Audit:    galleryAudit{a.Audit},
		PINs:     pinHasher{params},
		Jobs:     a.Jobs,
		Notify:   ownerMail{a.Mail},
		Blobs:    galleryBlobs{a.Blobs},
		Hooks:    a.Faces, // face search follows new photos and deleted albums
		Quota:    quota{a},
		BaseURL:  a.Config.BaseURL,
		Now:      a.now,
	})
}

// galleryAudit writes gallery actions to the audit log.
type galleryAudit struct{ log *audit.Log }

func (g galleryAudit) Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act gallery.Actor, kind string, detail map[string]any) error {
	who := audit.Who{UserID: act.UserID, TokenID: act.TokenID, LinkID: act.LinkID, GuestID: act.GuestID, IP: act.IP}
	return g.log.Append(ctx, tx, audit.NewEntry(studio, who, kind, detail))
}

// pinHasher hashes PINs with argon2id: four digits are guessable offline
// from a fast hash, so they get the password treatment.
type pinHasher struct{ params auth.Params }

func (h pinHasher) Hash(pin string) (string, error) { return auth.HashPassword(h.params, pin) }

func (h pinHasher) Verify(pin, hash string) bool {
	ok, err := auth.VerifyPassword(hash, pin)
	return err == nil && ok
}

// ownerMail e-mails a studio's active owners through the outbox.
type ownerMail struct{ out *mail.Outbox }

func (m ownerMail) NotifyOwners(ctx context.Context, tx *gorm.DB, studio uuid.UUID, subject, body string) error {
	var to []string
	err := tx.Model(&auth.User{}).Where("studio_id = ? AND role = ? AND disabled_at IS NULL", studio, auth.RoleOwner).
		Pluck("email", &to).Error
	if err != nil {
		return err
	}
	for _, addr := range to {
		if err := m.out.Queue(ctx, tx, studio, addr, subject, body); err != nil {
			return err
		}
	}
	return nil
}
