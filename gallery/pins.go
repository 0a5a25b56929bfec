package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PINInput sets or clears an album's PINs. A nil field keeps the PIN as it
// is; an empty string clears it.
type PINInput struct {
	View     *string `json:"view_pin"`
	Annotate *string `json:"annotate_pin"`
}

// checkPIN accepts 4 to 8 digits.
func checkPIN(field, pin string) error {
	if len(pin) < 4 || len(pin) > 8 {
		return invalid(field, "A PIN has 4 to 8 digits.")
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return invalid(field, "A PIN has digits only.")
		}
	}
	return nil
}

// SetPINs changes an album's PINs. The two PINs must differ, or the
// annotate PIN would be no more secret than the view PIN.
func (s *Service) SetPINs(ctx context.Context, studio, album uuid.UUID, in PINInput, act Actor) error {
	for _, p := range []struct {
		field string
		pin   *string
	}{{"view_pin", in.View}, {"annotate_pin", in.Annotate}} {
		if p.pin != nil && *p.pin != "" {
			if err := checkPIN(p.field, *p.pin); err != nil {
				return fmt.Errorf("gallery: set PINs: %w", err)
			}
		}
	}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := albumIn(tx, studio, album)
		if err != nil {
			return err
		}
		if err := s.samePIN(a, in); err != nil {
			return err
		}
		changes := map[string]any{}
		if err := s.hashPIN(in.View, "view_pin_hash", changes); err != nil {
			return err
		}
		if err := s.hashPIN(in.Annotate, "annotate_pin_hash", changes); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		changes["updated_at"] = s.Now()
		if err := tx.Model(a).Updates(changes).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "album.pins", pinDetail(album, in))
	})
	if err != nil {
		return fmt.Errorf("gallery: set PINs: %w", err)
	}
	return nil
}

// samePIN refuses a view PIN equal to the annotate PIN, comparing a new
// PIN with the other's stored hash when only one changes.
func (s *Service) samePIN(a *Album, in PINInput) error {
	msg := invalid("annotate_pin", "The annotate PIN must differ from the view PIN.")
	v, an := in.View, in.Annotate
	switch {
	case v != nil && an != nil:
		if *v != "" && *v == *an {
			return msg
		}
	case v != nil && *v != "" && a.AnnotatePINHash != nil:
		if s.PINs.Verify(*v, *a.AnnotatePINHash) {
			return msg
		}
	case an != nil && *an != "" && a.ViewPINHash != nil:
		if s.PINs.Verify(*an, *a.ViewPINHash) {
			return msg
		}
	}
	return nil
}

// hashPIN puts the new value of column into changes: a hash, or NULL.
func (s *Service) hashPIN(pin *string, column string, changes map[string]any) error {
	switch {
	case pin == nil:
		return nil
	case *pin == "":
		changes[column] = nil
	default:
		h, err := s.PINs.Hash(*pin)
		if err != nil {
			return err
		}
		changes[column] = h
	}
	return nil
}

// pinDetail says which PINs changed, never their values.
func pinDetail(album uuid.UUID, in PINInput) map[string]any {
	d := map[string]any{"album_id": album.String()}
	for name, p := range map[string]*string{"view_pin": in.View, "annotate_pin": in.Annotate} {
		switch {
		case p == nil:
		case *p == "":
			d[name] = "cleared"
		default:
			d[name] = "set"
		}
	}
	return d
}
