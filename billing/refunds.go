package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// onChargeRefunded issues a credit note for what a charge has newly had
// refunded, against the invoice of that payment.
//
// charge.amount_refunded is the charge's refunded total, so events in any
// order, or one event for two refunds, come out right: the note is for the
// total less what earlier notes already credited, and a total credited
// before is a no-op. A refund whose invoice is not issued yet (its
// invoice.paid still queued) fails and River retries it later.
func (s *Service) onChargeRefunded(ctx context.Context, ev *stripe.Event) error {
	var ch stripe.Charge
	if err := decode(ev, &ch); err != nil {
		return err
	}
	refs := stripeRefs{Charge: ch.ID}
	if ch.PaymentIntent != nil {
		refs.PaymentIntent = ch.PaymentIntent.ID
	}
	if ch.Invoice != nil {
		refs.Invoice = ch.Invoice.ID
	}
	studio, err := s.studioFor(ctx, studioHints{charge: refs.Charge, payment: refs.PaymentIntent, invoice: refs.Invoice})
	if errors.Is(err, errNoStudio) {
		return fmt.Errorf("no invoice for charge %s yet; retrying", ch.ID)
	}
	if err != nil {
		return err
	}
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, ev.ID); err != nil {
			return err
		}
		outcome, err := s.creditRefund(ctx, tx, studio, refs, ch.AmountRefunded)
		if err != nil {
			return err
		}
		return s.finish(tx, ev.ID, studio, outcome)
	})
}

// creditRefund issues the credit note bringing the invoice's credits up to
// refunded (paise, the charge's refunded total) and, once the whole
// payment is refunded, revokes what it unlocked.
func (s *Service) creditRefund(ctx context.Context, tx *gorm.DB, studio uuid.UUID, refs stripeRefs, refunded int64) (string, error) {
	orig, err := existingInvoice(tx, studio, refs)
	if err != nil {
		return "", fmt.Errorf("invoice of charge %s: %w", refs.Charge, err)
	}
	// The invoice's row lock orders concurrent refunds of one payment.
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", orig.ID).Take(orig).Error; err != nil {
		return "", err
	}
	var credited int64
	err = tx.Model(&Invoice{}).Where("original_id = ? AND kind = ?", orig.ID, CreditNote).
		Select("coalesce(-sum(total), 0)").Scan(&credited).Error
	if err != nil {
		return "", err
	}
	target := min(refunded, orig.Total)
	if target <= credited {
		return fmt.Sprintf("refunds of %s already credited", orig.Serial), nil
	}
	cn, err := s.issue(ctx, tx, issueRequest{studio: studio, gross: target - credited,
		description: "Refund against invoice " + orig.Serial + ": " + orig.Description(),
		refs:        refs, original: orig, refundedThrough: target})
	if err != nil {
		return "", err
	}
	outcome := "credit note " + cn.Serial + " against " + orig.Serial
	if target == orig.Total {
		if err := s.revokeUnlocks(ctx, tx, studio, orig); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// revokeUnlocks ends what a fully refunded invoice unlocked.
func (s *Service) revokeUnlocks(ctx context.Context, tx *gorm.DB, studio uuid.UUID, inv *Invoice) error {
	var us []Unlock
	if err := tx.Where("studio_id = ? AND invoice_id = ? AND revoked_at IS NULL", studio, inv.ID).Find(&us).Error; err != nil {
		return err
	}
	for _, u := range us {
		if err := tx.Model(&u).Update("revoked_at", s.Now()).Error; err != nil {
			return err
		}
		err := s.record(ctx, tx, studio, Actor{}, "billing.unlock_revoke", map[string]any{
			"unlock_id": u.ID.String(), "product": u.ProductCode, "invoice_id": inv.ID.String(), "reason": "refunded",
		})
		if err != nil {
			return err
		}
	}
	return nil
}
