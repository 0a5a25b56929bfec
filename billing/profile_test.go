package billing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/billing"
)

func TestProfileIsCheckedAndNothingSavedOnError(t *testing.T) {
	e := newEnv(t)
	mh := gstinIn(t, "27", "AACCF9034R")
	good := billing.ProfileInput{LegalName: "Lumen Photography LLP", Address: "Unit 7, Kamala Mills\nMumbai 400013",
		State: "Maharashtra", GSTIN: mh, BillingEmail: "Accounts@Lumen.example"}
	with := func(f func(*billing.ProfileInput)) billing.ProfileInput {
		in := good
		f(&in)
		return in
	}
	bad := mh[:14] + string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", mh[14])+1)%36])
	tests := []struct {
		name, field, says string
		in                billing.ProfileInput
	}{
		{"no legal name", "legal_name", "legal name", with(func(in *billing.ProfileInput) { in.LegalName = "  " })},
		{"unprintable name", "legal_name", "Latin letters", with(func(in *billing.ProfileInput) { in.LegalName = "लुमेन फ़ोटोग्राफ़ी" })},
		{"no address", "address", "address", with(func(in *billing.ProfileInput) { in.Address = "\n \n" })},
		{"India without a state", "state", "CGST and SGST or IGST", with(func(in *billing.ProfileInput) { in.State, in.GSTIN = "", "" })},
		{"unknown state", "state", "not an Indian state", with(func(in *billing.ProfileInput) { in.State = "Bombay" })},
		{"GSTIN too short", "gstin", "15 characters", with(func(in *billing.ProfileInput) { in.GSTIN = mh[:14] })},
		{"GSTIN check character", "gstin", "last character", with(func(in *billing.ProfileInput) { in.GSTIN = bad })},
		{"GSTIN of another state", "gstin", "registered in Maharashtra (27) but the billing address is in Karnataka (29)", with(func(in *billing.ProfileInput) { in.State = "29" })},
		{"GSTIN abroad", "gstin", "registered in India", with(func(in *billing.ProfileInput) { in.Country = "DE" })},
		{"unknown country", "country", "country", with(func(in *billing.ProfileInput) { in.Country = "XX" })},
		{"no e-mail", "billing_email", "e-mail", with(func(in *billing.ProfileInput) { in.BillingEmail = "" })},
		{"bad e-mail", "billing_email", "e-mail", with(func(in *billing.ProfileInput) { in.BillingEmail = "accounts at lumen" })},
	}
	for _, tt := range tests {
		_, err := e.svc.SetProfile(e.ctx, e.studio, tt.in, billing.Actor{})
		var ie *billing.InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || !strings.Contains(ie.Message, tt.says) || !errors.Is(err, billing.ErrInvalidInput) {
			t.Errorf("%s: %v, want an input error on %s saying %q", tt.name, err, tt.field, tt.says)
		}
	}
	if p, err := e.svc.Profile(e.ctx, e.studio); err != nil || p.Complete() || p.LegalName != "" {
		t.Fatalf("after refusals: %+v, %v", p, err)
	}
	if n := e.count("SELECT count(*) FROM audit_log"); n != 0 {
		t.Errorf("%d audit entries after refusals", n)
	}

	p, err := e.svc.SetProfile(e.ctx, e.studio, good, billing.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	want := billing.Profile{LegalName: "Lumen Photography LLP", Address: "Unit 7, Kamala Mills\nMumbai 400013",
		StateCode: "27", Country: "IN", GSTIN: mh, BillingEmail: "accounts@lumen.example"}
	if got, _ := e.svc.Profile(e.ctx, e.studio); p != want || got != want || !got.Complete() {
		t.Errorf("saved %+v, read %+v, want %+v", p, got, want)
	}
	// Abroad: no state, no GSTIN; the state a form sent along is dropped.
	p, err = e.svc.SetProfile(e.ctx, e.studio, billing.ProfileInput{LegalName: "Zoe Mueller Fotografie GmbH",
		Address: "Torstrasse 109, 10119 Berlin", Country: "de", State: "29", BillingEmail: "zoe@example.de"}, billing.Actor{})
	if err != nil || p.Country != "DE" || p.StateCode != "" || p.GSTIN != "" || !p.Complete() {
		t.Errorf("abroad: %+v, %v", p, err)
	}
	if kinds := e.audits(e.studio); len(kinds) != 2 || kinds[0] != "billing.profile_update" {
		t.Errorf("audit %v", kinds)
	}
}

func TestAnotherStudiosProfileIsNotSeen(t *testing.T) {
	e := newEnv(t)
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	other := e.newStudio("Other")
	if p, err := e.svc.Profile(e.ctx, other); err != nil || p.LegalName != "" {
		t.Errorf("other studio sees %+v, %v", p, err)
	}
}

func TestOperatorProfileIsChecked(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Operator(e.ctx); !errors.Is(err, billing.ErrNotConfigured) {
		t.Fatalf("unset operator: %v", err)
	}
	good := billing.OperatorInput{
		LegalName: "Proofsheet Technologies Pvt Ltd", Address: "42 Residency Road, Bengaluru", State: "Karnataka",
		GSTIN: karnatakaGST, LUTReference: "AD290326000123A", InvoicePrefix: "inv", CreditNotePrefix: "CN",
		SAC: map[string]string{billing.KindSubscription: "998315", billing.KindFaceSearch: "998314", billing.KindStoragePack: "998315"},
	}
	with := func(f func(*billing.OperatorInput)) billing.OperatorInput {
		in := good
		in.SAC = map[string]string{}
		for k, v := range good.SAC {
			in.SAC[k] = v
		}
		f(&in)
		return in
	}
	tests := []struct {
		name, field string
		in          billing.OperatorInput
	}{
		{"GSTIN of another state", "gstin", with(func(in *billing.OperatorInput) { in.State = "27" })},
		{"no GSTIN", "gstin", with(func(in *billing.OperatorInput) { in.GSTIN = "" })},
		{"missing SAC", "sac", with(func(in *billing.OperatorInput) { delete(in.SAC, billing.KindStoragePack) })},
		{"goods code for SAC", "sac", with(func(in *billing.OperatorInput) { in.SAC[billing.KindFaceSearch] = "8471" })},
		{"unknown kind of sale", "sac", with(func(in *billing.OperatorInput) { in.SAC["prints"] = "998315" })},
		{"no LUT", "lut_reference", with(func(in *billing.OperatorInput) { in.LUTReference = "" })},
		{"long prefix", "invoice_prefix", with(func(in *billing.OperatorInput) { in.InvoicePrefix = "INVOI" })},
		{"one series for both", "credit_note_prefix", with(func(in *billing.OperatorInput) { in.CreditNotePrefix = "INV" })},
	}
	for _, tt := range tests {
		_, err := e.svc.SetOperator(e.ctx, tt.in)
		var ie *billing.InputError
		if !errors.As(err, &ie) || ie.Field != tt.field || ie.Message == "" {
			t.Errorf("%s: %v, want an input error on %s", tt.name, err, tt.field)
		}
	}
	if _, err := e.svc.Operator(e.ctx); !errors.Is(err, billing.ErrNotConfigured) {
		t.Fatalf("refused profile was saved: %v", err)
	}
	if _, err := e.svc.SetOperator(e.ctx, good); err != nil {
		t.Fatal(err)
	}
	o, err := e.svc.Operator(e.ctx)
	if err != nil || o.StateCode != "29" || o.InvoicePrefix != "INV" || o.SAC[billing.KindFaceSearch] != "998314" {
		t.Fatalf("operator %+v, %v", o, err)
	}
}
