// Package billing holds plans, Stripe checkout/subscriptions/unlocks, webhooks, GST tax
// invoices, invoice numbering and PDFs. It has no HTTP in it; the app wires it (Deps).
//
// The flow: the studio enters its billing profile (SetProfile) and starts a Stripe
// Checkout (StartSubscription, StartUnlock); Stripe's webhook deliveries are verified and
// stored with a job (ReceiveWebhook); the job (EventWorker, ProcessEvent) applies each
// event once and in any order: subscription state, unlocks, and for every payment a GST
// tax invoice (a credit note for every refund) numbered without gaps, whose PDF a second
// job (DocumentWorker) stores encrypted and e-mails to the billing address.
package billing
