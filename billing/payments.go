package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// onCheckoutCompleted finishes a Checkout session: a subscription's state
// is fetched and applied at once (its own events may come later, or
// earlier); a paid unlock is granted and invoiced.
func (s *Service) onCheckoutCompleted(ctx context.Context, ev *stripe.Event) error {
	var cs stripe.CheckoutSession
	if err := decode(ev, &cs); err != nil {
		return err
	}
	meta := cs.Metadata[metaStudio]
	if meta == "" {
		meta = cs.ClientReferenceID
	}
	studio, err := s.studioFor(ctx, studioHints{metadata: meta, customer: customerID(cs.Customer)})
	if err != nil {
		return err
	}
	switch {
	case cs.Mode == stripe.CheckoutSessionModeSubscription && cs.Subscription != nil:
		h := planHint{plan: cs.Metadata[metaPlan], interval: Interval(cs.Metadata[metaInterval])}
		return s.refetchSubscription(ctx, ev.ID, studio, cs.Subscription.ID, h, "checkout completed")
	case cs.Mode == stripe.CheckoutSessionModePayment && cs.Metadata[metaPurpose] == "unlock":
		return s.unlockPaid(ctx, ev, studio, &cs)
	}
	return s.inStudioFinish(ctx, ev.ID, studio, "not a Proofsheet checkout")
}

// unlockPaid grants a paid unlock and issues its invoice, once per
// session. A session paid later (a bank transfer) completes unpaid and
// comes back as checkout.session.async_payment_succeeded.
func (s *Service) unlockPaid(ctx context.Context, ev *stripe.Event, studio uuid.UUID, cs *stripe.CheckoutSession) error {
	if cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		return s.inStudioFinish(ctx, ev.ID, studio, "awaiting payment")
	}
	if err := inrOnly(string(cs.Currency), cs.ID); err != nil {
		return err
	}
	target, err := targetOf(cs.Metadata[metaTarget])
	if err != nil {
		return err
	}
	refs := stripeRefs{CheckoutSession: cs.ID}
	if cs.PaymentIntent != nil {
		refs.PaymentIntent = cs.PaymentIntent.ID
	}
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, ev.ID); err != nil {
			return err
		}
		p, err := productByCode(tx, cs.Metadata[metaProduct])
		if err != nil {
			return river.JobCancel(fmt.Errorf("product %q of session %s: %w", cs.Metadata[metaProduct], cs.ID, err))
		}
		inv, err := s.invoiceOnce(ctx, tx, issueRequest{studio: studio, gross: cs.AmountTotal,
			description: p.Name + ", one-time purchase", saleKind: p.Kind, refs: refs})
		if err != nil {
			return err
		}
		outcome, err := s.grantUnlock(ctx, tx, studio, p, target, inv, cs.ID)
		if err != nil {
			return err
		}
		return s.finish(tx, ev.ID, studio, outcome+"; invoice "+inv.Serial)
	})
}

// grantUnlock records the unlock a session paid for, unless it already is.
// A second payment for a collection already unlocked is invoiced (it was
// paid) and audited for the operator to refund; it unlocks nothing more.
func (s *Service) grantUnlock(ctx context.Context, tx *gorm.DB, studio uuid.UUID, p *Product, target *uuid.UUID, inv *Invoice, session string) (string, error) {
	var n int64
	if err := tx.Model(&Unlock{}).Where("stripe_checkout_session_id = ?", session).Count(&n).Error; err != nil || n > 0 {
		return "already granted", err
	}
	if p.Kind == KindFaceSearch && target != nil {
		err := tx.Model(&Unlock{}).Where("studio_id = ? AND kind = ? AND target_id = ? AND revoked_at IS NULL", studio, KindFaceSearch, *target).Count(&n).Error
		if err != nil {
			return "", err
		}
		if n > 0 {
			return "paid twice for one collection", s.record(ctx, tx, studio, Actor{}, "billing.unlock_duplicate", map[string]any{
				"product": p.Code, "target_id": target.String(), "session_id": session, "invoice_id": inv.ID.String(),
			})
		}
	} else if p.Kind != KindFaceSearch {
		target = nil
	}
	u := &Unlock{ID: uuid.Must(uuid.NewV7()), StudioID: studio, ProductCode: p.Code, Kind: p.Kind, Quantity: p.Quantity,
		TargetID: target, InvoiceID: &inv.ID, StripeCheckoutSessionID: session, CreatedAt: s.Now()}
	if err := tx.Create(u).Error; err != nil {
		return "", err
	}
	d := map[string]any{"unlock_id": u.ID.String(), "product": p.Code, "kind": p.Kind, "quantity": p.Quantity, "invoice_id": inv.ID.String()}
	if target != nil {
		d["target_id"] = target.String()
	}
	return "unlock granted", s.record(ctx, tx, studio, Actor{}, "billing.unlock_grant", d)
}

// onInvoicePaid issues the GST tax invoice for what a Stripe invoice (a
// subscription's period, a plan change) collected, once.
func (s *Service) onInvoicePaid(ctx context.Context, ev *stripe.Event) error {
	var in stripe.Invoice
	if err := decode(ev, &in); err != nil {
		return err
	}
	studio, err := s.studioFor(ctx, invoiceHints(&in))
	if err != nil {
		return err
	}
	if in.AmountPaid <= 0 {
		return s.inStudioFinish(ctx, ev.ID, studio, "nothing paid, nothing invoiced")
	}
	if err := inrOnly(string(in.Currency), in.ID); err != nil {
		return err
	}
	refs := stripeRefs{Invoice: in.ID}
	if in.PaymentIntent != nil {
		refs.PaymentIntent = in.PaymentIntent.ID
	}
	if in.Charge != nil {
		refs.Charge = in.Charge.ID
	}
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, ev.ID); err != nil {
			return err
		}
		desc, err := subscriptionDescription(tx, &in)
		if err != nil {
			return err
		}
		inv, err := s.invoiceOnce(ctx, tx, issueRequest{studio: studio, gross: in.AmountPaid, description: desc,
			saleKind: KindSubscription, refs: refs})
		if err != nil {
			return err
		}
		return s.finish(tx, ev.ID, studio, "invoice "+inv.Serial)
	})
}

// invoiceOnce returns the invoice already issued for the payment, or
// issues it.
func (s *Service) invoiceOnce(ctx context.Context, tx *gorm.DB, r issueRequest) (*Invoice, error) {
	inv, err := existingInvoice(tx, r.studio, r.refs)
	if !errors.Is(err, ErrNotFound) {
		return inv, err
	}
	return s.issue(ctx, tx, r)
}

// onPaymentFailed marks the subscription past due and tells the studio.
// It issues nothing, so it takes no invoice number. A stale event (a newer
// subscription state is applied) fetches the subscription instead: the
// payment may have gone through since.
func (s *Service) onPaymentFailed(ctx context.Context, ev *stripe.Event) error {
	var in stripe.Invoice
	if err := decode(ev, &in); err != nil {
		return err
	}
	studio, err := s.studioFor(ctx, invoiceHints(&in))
	if err != nil {
		return err
	}
	at, stale, subID := time.Unix(ev.Created, 0), false, ""
	if in.Subscription != nil {
		subID = in.Subscription.ID
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, ev.ID); err != nil {
			return err
		}
		a, err := lockAccount(tx, studio)
		if err != nil {
			return err
		}
		if stale = subID != "" && a.StripeObjectAt != nil && !at.After(*a.StripeObjectAt); stale {
			return nil
		}
		if err := s.markPastDue(ctx, tx, a, &in, subID, at); err != nil {
			return err
		}
		return s.finish(tx, ev.ID, studio, "payment failed; studio told")
	})
	if err != nil || !stale {
		return err
	}
	return s.refetchSubscription(ctx, ev.ID, studio, subID, planHint{}, "stale payment failure")
}

func (s *Service) markPastDue(ctx context.Context, tx *gorm.DB, a *account, in *stripe.Invoice, subID string, at time.Time) error {
	mine := subID != "" && a.SubscriptionID != nil && *a.SubscriptionID == subID
	if mine && a.SubscriptionStatus != "past_due" && liveStatuses[a.SubscriptionStatus] {
		err := tx.Model(a).Updates(map[string]any{"subscription_status": "past_due", "stripe_object_at": at, "updated_at": s.Now()}).Error
		if err != nil {
			return err
		}
	}
	d := map[string]any{"stripe_invoice_id": in.ID, "amount_due": in.AmountDue, "attempt": in.AttemptCount,
		"previous_status": a.SubscriptionStatus}
	if in.NextPaymentAttempt > 0 {
		d["next_attempt"] = time.Unix(in.NextPaymentAttempt, 0).UTC().Format(time.RFC3339)
	}
	if err := s.record(ctx, tx, a.StudioID, Actor{}, "billing.payment_failed", d); err != nil {
		return err
	}
	if a.BillingEmail == "" {
		return nil
	}
	return s.Mail.Queue(ctx, tx, a.StudioID, s.paymentFailedMail(a, in))
}

func (s *Service) paymentFailedMail(a *account, in *stripe.Invoice) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\nStripe could not collect Rs. %s for your Proofsheet plan.\n", a.LegalName, rupees(in.AmountDue))
	if in.NextPaymentAttempt > 0 {
		fmt.Fprintf(&b, "It will try again on %s.", istDate(time.Unix(in.NextPaymentAttempt, 0)))
	}
	fmt.Fprintf(&b, " Your plan stays in force meanwhile.\n\nTo use another card, open your billing page and choose "+
		"\"Manage payment\": %s\n", s.returnURL(""))
	return Message{To: a.BillingEmail, Subject: "Proofsheet: your payment did not go through", Body: b.String()}
}

func invoiceHints(in *stripe.Invoice) studioHints {
	h := studioHints{customer: customerID(in.Customer), metadata: in.Metadata[metaStudio]}
	if in.Subscription != nil {
		h.subscription = in.Subscription.ID
	}
	if d := in.SubscriptionDetails; d != nil && h.metadata == "" {
		h.metadata = d.Metadata[metaStudio]
	}
	return h
}

// subscriptionDescription is the invoice line for a Stripe invoice: the
// plan, how it is billed and the period, from its largest line.
func subscriptionDescription(tx *gorm.DB, in *stripe.Invoice) (string, error) {
	var best *stripe.InvoiceLineItem
	if in.Lines != nil {
		for _, l := range in.Lines.Data {
			if best == nil || l.Amount > best.Amount {
				best = l
			}
		}
	}
	if best == nil {
		return "Proofsheet subscription", nil
	}
	desc := "Proofsheet subscription"
	if best.Price != nil {
		code, iv, err := planByPrice(tx, best.Price.ID)
		if err != nil {
			return "", err
		}
		if p, err := planByCode(tx, code); code != "" && err == nil {
			desc = fmt.Sprintf("Proofsheet %s plan, billed %sly", p.Name, iv)
		}
	} else if best.Description != "" {
		desc = best.Description
	}
	if in.BillingReason == stripe.InvoiceBillingReasonSubscriptionUpdate {
		desc += ", change of plan (prorated)"
	}
	if pd := best.Period; pd != nil && pd.Start > 0 && pd.End > pd.Start {
		desc += fmt.Sprintf(", %s to %s", istDate(time.Unix(pd.Start, 0)), istDate(time.Unix(pd.End, 0)))
	}
	return desc, nil
}

func inrOnly(currency, object string) error {
	if !strings.EqualFold(currency, "inr") {
		return river.JobCancel(fmt.Errorf("%s was paid in %q: GST invoices are issued for INR payments only", object, currency))
	}
	return nil
}

func targetOf(s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return nil, river.JobCancel(fmt.Errorf("target %q is not an id", s))
	}
	return &id, nil
}

func (s *Service) inStudioFinish(ctx context.Context, eventID string, studio uuid.UUID, outcome string) error {
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, eventID); err != nil {
			return err
		}
		return s.finish(tx, eventID, studio, outcome)
	})
}
