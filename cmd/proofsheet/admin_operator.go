package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/proofsheet/proofsheet/billing"
)

// operatorSet enters the business printed on every invoice as supplier.
// The address takes "\n" for line breaks, so it fits in one argument.
func operatorSet(ctx context.Context, args []string, out io.Writer) error {
	var f billing.OperatorInput
	var sacSub, sacFace, sacStorage string
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&f.LegalName, "legal-name", "", "the business's legal `name`")
		fs.StringVar(&f.Address, "address", "", "registered `address`; \\n between lines")
		fs.StringVar(&f.State, "state", "", "GST `state` of the address: its code (29) or name (Karnataka)")
		fs.StringVar(&f.GSTIN, "gstin", "", "the business's `GSTIN`, registered in that state")
		fs.StringVar(&sacSub, "sac-subscription", "", "`SAC` of subscriptions, such as 998315")
		fs.StringVar(&sacFace, "sac-face-search", "", "`SAC` of face search unlocks")
		fs.StringVar(&sacStorage, "sac-storage-pack", "", "`SAC` of storage packs")
		fs.StringVar(&f.LUTReference, "lut", "", "ARN of the Letter of Undertaking, under which exports are zero-rated (a `reference`)")
		fs.StringVar(&f.InvoicePrefix, "invoice-prefix", "", "serial `prefix` of tax invoices, 1 to 4 letters (INV)")
		fs.StringVar(&f.CreditNotePrefix, "credit-note-prefix", "", "serial `prefix` of credit notes, 1 to 4 letters (CN)")
		fs.StringVar(&f.Signatory, "signatory", "", "the signature `line`; \"For <legal name>\" when empty")
		fs.StringVar(&f.Footer, "footer", "", "small print on every page (`text`)")
	}
	return billingCmd(ctx, "operator set", args, flags, func(b *billing.Service, given map[string]bool) error {
		f.Address = strings.ReplaceAll(f.Address, `\n`, "\n")
		f.SAC = map[string]string{billing.KindSubscription: sacSub, billing.KindFaceSearch: sacFace, billing.KindStoragePack: sacStorage}
		in, err := operatorMerge(ctx, b, f, given)
		if err != nil {
			return err
		}
		o, err := b.SetOperator(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "saved the operator profile: %s, GSTIN %s, state %s (%s)\n", o.LegalName, o.GSTIN, o.State().Name, o.StateCode)
		return nil
	})
}

// operatorMerge is the stored profile with the given flags applied, or
// the flags' profile when none is stored yet.
func operatorMerge(ctx context.Context, b *billing.Service, f billing.OperatorInput, given map[string]bool) (billing.OperatorInput, error) {
	old, err := b.Operator(ctx)
	if errors.Is(err, billing.ErrNotConfigured) {
		return f, nil // billing says what is missing
	}
	if err != nil {
		return f, err
	}
	in := billing.OperatorInput{LegalName: old.LegalName, Address: old.Address, State: old.StateCode, GSTIN: old.GSTIN,
		SAC: map[string]string{}, LUTReference: old.LUTReference, InvoicePrefix: old.InvoicePrefix,
		CreditNotePrefix: old.CreditNotePrefix, Signatory: old.Signatory, Footer: old.Footer}
	for k, v := range old.SAC {
		in.SAC[k] = v
	}
	merge{
		{"legal-name", func() { in.LegalName = f.LegalName }},
		{"address", func() { in.Address = f.Address }},
		{"state", func() { in.State = f.State }},
		{"gstin", func() { in.GSTIN = f.GSTIN }},
		{"sac-subscription", func() { in.SAC[billing.KindSubscription] = f.SAC[billing.KindSubscription] }},
		{"sac-face-search", func() { in.SAC[billing.KindFaceSearch] = f.SAC[billing.KindFaceSearch] }},
		{"sac-storage-pack", func() { in.SAC[billing.KindStoragePack] = f.SAC[billing.KindStoragePack] }},
		{"lut", func() { in.LUTReference = f.LUTReference }},
		{"invoice-prefix", func() { in.InvoicePrefix = f.InvoicePrefix }},
		{"credit-note-prefix", func() { in.CreditNotePrefix = f.CreditNotePrefix }},
		{"signatory", func() { in.Signatory = f.Signatory }},
		{"footer", func() { in.Footer = f.Footer }},
	}.onto(given)
	return in, nil
}

func operatorShow(ctx context.Context, b *billing.Service, out io.Writer) error {
	o, err := b.Operator(ctx)
	if errors.Is(err, billing.ErrNotConfigured) {
		return errors.New("admin operator show: no operator profile yet; enter it with `proofsheet admin operator set`")
	}
	if err != nil {
		return err
	}
	for _, l := range [][2]string{
		{"legal name", o.LegalName}, {"address", strings.ReplaceAll(o.Address, "\n", ", ")},
		{"state", o.State().Name + " (" + o.StateCode + ")"}, {"GSTIN", o.GSTIN},
		{"SAC subscription", o.SAC[billing.KindSubscription]}, {"SAC face search", o.SAC[billing.KindFaceSearch]},
		{"SAC storage pack", o.SAC[billing.KindStoragePack]}, {"LUT", o.LUTReference},
		{"invoice prefix", o.InvoicePrefix}, {"credit note prefix", o.CreditNotePrefix},
		{"signatory", o.Signatory}, {"footer", o.Footer},
	} {
		fmt.Fprintf(out, "%-19s %s\n", l[0]+":", l[1])
	}
	return nil
}
