package billing_test

import (
	"time"

	"github.com/google/uuid"
)

// Stripe objects as events carry them, with only the fields billing reads.

func subscriptionObj(id, customer, status, price string, periodEnd time.Time, meta map[string]string) map[string]any {
	interval := "month"
	if price == "price_1ProYearly" || price == "price_1MaxYearly" {
		interval = "year"
	}
	return map[string]any{
		"id": id, "object": "subscription", "customer": customer, "status": status,
		"cancel_at_period_end": false, "current_period_end": periodEnd.Unix(), "metadata": meta,
		"items": map[string]any{"object": "list", "data": []any{map[string]any{
			"id": "si_" + id, "object": "subscription_item",
			"price": map[string]any{"id": price, "object": "price", "recurring": map[string]any{"interval": interval}},
		}}},
	}
}

// paidInvoiceObj is a paid Stripe invoice of a monthly Pro period.
func paidInvoiceObj(id, customer, sub string, paise int64, studio uuid.UUID, start time.Time) map[string]any {
	meta := map[string]string{}
	if studio != uuid.Nil {
		meta["studio_id"] = studio.String()
	}
	return map[string]any{
		"id": id, "object": "invoice", "customer": customer, "subscription": sub, "currency": "inr",
		"amount_paid": paise, "amount_due": paise, "payment_intent": "pi_" + id, "charge": "ch_" + id,
		"billing_reason": "subscription_cycle", "status": "paid", "metadata": meta,
		"lines": map[string]any{"object": "list", "data": []any{map[string]any{
			"id": "il_" + id, "object": "line_item", "amount": paise, "description": "1 × Pro (at ₹1,180.00 / month)",
			"price":  map[string]any{"id": "price_1ProMonthly", "object": "price"},
			"period": map[string]any{"start": start.Unix(), "end": start.AddDate(0, 1, 0).Unix()},
		}}},
	}
}

func failedInvoiceObj(id, customer, sub string, paise int64, next time.Time) map[string]any {
	return map[string]any{
		"id": id, "object": "invoice", "customer": customer, "subscription": sub, "currency": "inr",
		"amount_paid": 0, "amount_due": paise, "attempt_count": 1, "next_payment_attempt": next.Unix(),
		"billing_reason": "subscription_cycle", "status": "open",
	}
}

func chargeObj(id, paymentIntent, invoice string, amount, refunded int64) map[string]any {
	c := map[string]any{"id": id, "object": "charge", "amount": amount, "amount_refunded": refunded,
		"currency": "inr", "refunded": refunded == amount, "payment_intent": paymentIntent}
	if invoice != "" {
		c["invoice"] = invoice
	}
	return c
}

func unlockSessionObj(id, customer string, studio uuid.UUID, product string, target *uuid.UUID, paise int64, paid bool) map[string]any {
	meta := map[string]string{"studio_id": studio.String(), "purpose": "unlock", "product": product}
	if target != nil {
		meta["target_id"] = target.String()
	}
	status := "unpaid"
	if paid {
		status = "paid"
	}
	return map[string]any{
		"id": id, "object": "checkout.session", "mode": "payment", "payment_status": status, "status": "complete",
		"amount_total": paise, "currency": "inr", "customer": customer, "client_reference_id": studio.String(),
		"payment_intent": "pi_" + id, "metadata": meta,
	}
}
