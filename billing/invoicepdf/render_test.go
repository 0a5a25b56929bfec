package invoicepdf

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var ist = time.FixedZone("IST", 5*3600+1800)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ist) }

func supplier() Party {
	return Party{
		LegalName: "Proofsheet Technologies Pvt Ltd",
		Address:   "3rd Floor, 42 Residency Road\nAshok Nagar, Bengaluru 560025",
		StateName: "Karnataka", StateCode: "29", GSTIN: "29AAGCP7351M1ZS",
	}
}

const (
	lutNote = "Supply meant for export under LUT without payment of IGST, LUT ARN AD290326000123A"
	footer  = "Proofsheet Technologies Pvt Ltd · CIN U72900KA2024PTC123456 · " +
		"Questions about this invoice: billing@proofsheet.in\nAmounts in ₹ (Indian Rupees)."
)

func base(kind Kind, serial string, rcpt Party, pos string) *Document {
	return &Document{
		Kind: kind, Serial: serial, Date: date(2026, time.March, 2),
		Supplier: supplier(), Recipient: rcpt, PlaceOfSupply: pos,
		Signatory: "For Proofsheet Technologies Pvt Ltd",
		Footer:    footer,
	}
}

func intraState() *Document {
	d := base(TaxInvoice, "INV/2026/0001", Party{
		LegalName: "Café Lumière Photography LLP",
		Address:   "12, 4th Cross, Indiranagar\nBengaluru 560038",
		StateName: "Karnataka", StateCode: "29", GSTIN: "29AAJFC4821K1Z7", Country: "India",
	}, "Karnataka (29)")
	d.Lines = []Line{
		{"Studio plan - annual subscription for one studio with five seats, " +
			"2 March 2026 to 1 March 2027", "998315", 1, 12000000},
		{"Extra storage, 500 GB for one year", "998315", 2, 1500000},
	}
	d.TaxableTotal = 13500000
	d.Taxes = []TaxLine{{"CGST", "9%", 1215000}, {"SGST", "9%", 1215000}}
	d.Total = 15930000
	d.TotalInWords = "Indian Rupees One Lakh Fifty-Nine Thousand Three Hundred Only"
	return d
}

func interState() *Document {
	d := base(TaxInvoice, "INV/2026/0002", Party{
		LegalName: "Frame & Focus Studios Pvt Ltd",
		Address:   "Unit 7, Kamala Mills\nLower Parel, Mumbai 400013",
		StateName: "Maharashtra", StateCode: "27", GSTIN: "27AACCF9034R1Z0",
	}, "Maharashtra (27)")
	d.Lines = []Line{{"Pro plan - monthly subscription, March 2026", "998315", 1, 249900}}
	d.TaxableTotal = 249900
	d.Taxes = []TaxLine{{"IGST", "18%", 44982}}
	d.Total = 294882
	d.TotalInWords = "Indian Rupees Two Thousand Nine Hundred Forty-Eight and Eighty-Two Paise Only"
	return d
}

func export() *Document {
	d := base(TaxInvoice, "EXP/2026/0001", Party{
		LegalName: "Zoë Müller Fotografie GmbH",
		Address:   "Torstraße 109\n10119 Berlin",
		Country:   "Germany",
	}, "Outside India (export)")
	d.Lines = []Line{{"Studio plan - annual subscription", "998315", 1, 21000000}}
	d.TaxableTotal = 21000000
	d.Total = 21000000
	d.TotalInWords = "Indian Rupees Two Lakh Ten Thousand Only"
	d.SupplyNote = lutNote
	return d
}

// creditNote carries ledger-style negative amounts; they must print positive.
func creditNote() *Document {
	d := intraState()
	d.Kind, d.Serial, d.Date = CreditNote, "CN/2026/0001", date(2026, time.March, 15)
	d.OriginalSerial, d.OriginalDate = "INV/2026/0001", date(2026, time.March, 2)
	d.Lines = []Line{{"Refund of unused extra storage (500 GB)", "998315", 1, -750000}}
	d.TaxableTotal = -750000
	d.Taxes = []TaxLine{{"CGST", "9%", -67500}, {"SGST", "9%", -67500}}
	d.Total = -885000
	d.TotalInWords = "Indian Rupees Eight Thousand Eight Hundred Fifty Only"
	return d
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s not found: install poppler-utils (apt-get install -y poppler-utils)", name)
	}
}

func writePDF(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var spaces = regexp.MustCompile(`[ \t]+`)

// rawText extracts the text in drawing order with all white space collapsed,
// so a description wrapped over several lines of its cell reads as one.
func rawText(t *testing.T, path string) string {
	t.Helper()
	needTool(t, "pdftotext")
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -raw %s: %v", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// pdfText extracts the layout text of the given pages (all when none) with
// runs of spaces collapsed, so assertions do not depend on column positions.
func pdfText(t *testing.T, path string, pages ...int) string {
	t.Helper()
	needTool(t, "pdftotext")
	args := []string{"-layout", "-enc", "UTF-8"}
	if len(pages) == 2 {
		args = append(args, "-f", strconv.Itoa(pages[0]), "-l", strconv.Itoa(pages[1]))
	}
	out, err := exec.Command("pdftotext", append(args, path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return spaces.ReplaceAllString(string(out), " ")
}

func pdfInfo(t *testing.T, path string) map[string]string {
	t.Helper()
	needTool(t, "pdfinfo")
	out, err := exec.Command("pdfinfo", "-isodates", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

// particulars lists what rule 46 (and the brief) require on the face of the
// document, as it should read in the PDF's text.
func particulars(d *Document) []string {
	p := []string{
		d.Kind.Title(), d.Serial, d.Supplier.LegalName, "GSTIN: " + d.Supplier.GSTIN,
		"State: Karnataka, Code: 29", d.Recipient.LegalName,
		"Place of supply: " + d.PlaceOfSupply, "Reverse charge: " + yesNo(d.ReverseCharge),
		d.TotalInWords, d.Signatory, "Authorised Signatory",
	}
	for _, a := range []string{d.Supplier.Address, d.Recipient.Address} {
		p = append(p, strings.Split(a, "\n")...)
	}
	for _, l := range d.Lines {
		p = append(p, l.SAC)
	}
	for _, tx := range d.Taxes {
		p = append(p, tx.Head, tx.Rate, fmt.Sprintf("%s @ %s", tx.Head, tx.Rate))
	}
	if d.Recipient.GSTIN == "" {
		return append(p, "GSTIN: Unregistered")
	}
	return append(p, "GSTIN: "+d.Recipient.GSTIN,
		fmt.Sprintf("State: %s, Code: %s", d.Recipient.StateName, d.Recipient.StateCode))
}

func TestRenderParticulars(t *testing.T) {
	tests := []struct {
		name   string
		doc    *Document
		want   []string // literal figures, so the formatting itself is checked
		absent []string
	}{
		{"intra-state CGST and SGST", intraState(), []string{
			"Invoice no. INV/2026/0001", "Invoice date 2 March 2026",
			"Café Lumière Photography LLP", "1,20,000.00", "15,000.00", "1,35,000.00",
			"CGST 9% 1,35,000.00 12,150.00", "SGST 9% 1,35,000.00 12,150.00",
			"CGST @ 9% 12,150.00", "Total Rs. 1,59,300.00",
			"Karnataka (29)", "CIN U72900KA2024PTC123456 · Questions", "Amounts in Rs. (Indian Rupees)",
		}, []string{"IGST", "Page 1 of", "Credit Note", "Against invoice"}},
		{"inter-state IGST", interState(), []string{
			"Frame & Focus Studios Pvt Ltd", "2,499.00", "IGST 18% 2,499.00 449.82",
			"IGST @ 18% 449.82", "Total Rs. 2,948.82", "Maharashtra (27)",
		}, []string{"CGST", "SGST", "Page 1 of"}},
		{"reverse charge", func() *Document {
			d := interState()
			d.ReverseCharge = true
			return d
		}(), []string{"Reverse charge: Yes"}, []string{"Reverse charge: No"}},
		{"export under LUT", export(), []string{
			"Zoë Müller Fotografie GmbH", "Torstraße 109", "Germany", "GSTIN: Unregistered",
			"No tax charged", "Total Rs. 2,10,000.00", "Outside India (export)",
			"Supply meant for export under LUT without payment of IGST,", "AD290326000123A",
		}, []string{"GST @", "State: Germany", "Page 1 of"}},
		{"credit note", creditNote(), []string{
			"Credit Note", "Credit note no. CN/2026/0001", "Credit note date 15 March 2026",
			"Against invoice INV/2026/0001", "Invoice date 2 March 2026",
			"7,500.00", "CGST @ 9% 675.00", "Total Rs. 8,850.00",
		}, []string{"-7,500.00", "-675.00", "-8,850.00", "Tax Invoice", "Page 1 of"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := Render(tt.doc)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			path := writePDF(t, pdf)
			text := pdfText(t, path)
			for _, want := range append(particulars(normalized(tt.doc)), tt.want...) {
				if !strings.Contains(text, want) {
					t.Errorf("PDF text lacks %q", want)
				}
			}
			raw := rawText(t, path)
			for _, l := range tt.doc.Lines {
				if !strings.Contains(raw, l.Description) {
					t.Errorf("PDF text lacks description %q", l.Description)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(text, bad) {
					t.Errorf("PDF text has %q, which does not belong", bad)
				}
			}
			if n := pdfInfo(t, path)["Pages"]; n != "1" {
				t.Errorf("pages = %s, want 1", n)
			}
			if t.Failed() {
				t.Logf("PDF text:\n%s", text)
			}
		})
	}
}

func TestRenderLeavesCallerDocumentAlone(t *testing.T) {
	d := creditNote()
	if _, err := Render(d); err != nil {
		t.Fatal(err)
	}
	if d.Total != -885000 || d.Lines[0].Taxable != -750000 || d.Taxes[0].Amount != -67500 {
		t.Errorf("Render changed the caller's amounts: %+v", d)
	}
}

func TestRenderIsDeterministicWithMetadata(t *testing.T) {
	first, err := Render(intraState())
	if err != nil {
		t.Fatal(err)
	}
	second, err := Render(intraState())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("same document gave different PDFs (%d and %d bytes)", len(first), len(second))
	}
	other := intraState()
	other.Date = date(2026, time.March, 3)
	third, err := Render(other)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first, third) {
		t.Error("a different date gave the same bytes")
	}
	info := pdfInfo(t, writePDF(t, first))
	for key, want := range map[string]string{
		"Title":        "Tax Invoice INV/2026/0001",
		"Author":       "Proofsheet Technologies Pvt Ltd",
		"CreationDate": "2026-03-02T00:00:00",
		"Page size":    "595.28 x 841.89 pts (A4)",
	} {
		if got := info[key]; !strings.HasPrefix(got, want) {
			t.Errorf("pdfinfo %s = %q, want %q", key, got, want)
		}
	}
}

func TestRenderManyLinesRunsOntoMorePages(t *testing.T) {
	d := intraState()
	d.Lines = nil
	d.TaxableTotal = 0
	for i := range 60 {
		l := Line{fmt.Sprintf("Event gallery %d - hosting and guest face search for one month", i+1),
			"998315", 1, 100000 + int64(i)*100}
		d.Lines = append(d.Lines, l)
		d.TaxableTotal += l.Taxable
	}
	tax := d.TaxableTotal * 9 / 100
	d.Taxes = []TaxLine{{"CGST", "9%", tax}, {"SGST", "9%", tax}}
	d.Total = d.TaxableTotal + 2*tax
	pdf, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, pdf)
	pages, err := strconv.Atoi(pdfInfo(t, path)["Pages"])
	if err != nil || pages < 2 {
		t.Fatalf("pages = %d (%v), want 2 or more", pages, err)
	}
	total := "Total Rs. " + formatPaise(d.Total)
	last := pdfText(t, path, pages, pages)
	for _, want := range []string{total, "Event gallery 60 -", d.TotalInWords,
		"Authorised Signatory", fmt.Sprintf("Page %d of %d", pages, pages), "(continued)", "SAC"} {
		if !strings.Contains(last, want) {
			t.Errorf("last page lacks %q", want)
		}
	}
	first := pdfText(t, path, 1, 1)
	if strings.Contains(first, total) || !strings.Contains(first, fmt.Sprintf("Page 1 of %d", pages)) {
		t.Errorf("page 1 should have no total and be numbered 1 of %d:\n%s", pages, first)
	}
	all := pdfText(t, path)
	for i := range 60 {
		if want := fmt.Sprintf("Event gallery %d -", i+1); strings.Count(all, want) != 1 {
			t.Errorf("%q appears %d times, want once", want, strings.Count(all, want))
		}
	}
}

// TestRenderPreviewPNG leaves page 1 of a tax invoice as a PNG for a person to
// look at; only its size is checked.
func TestRenderPreviewPNG(t *testing.T) {
	needTool(t, "pdftoppm")
	pdf, err := Render(intraState())
	if err != nil {
		t.Fatal(err)
	}
	stem := filepath.Join(os.TempDir(), "invoicepdf-tax-invoice-page1")
	cmd := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
		writePDF(t, pdf), stem)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(stem + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s.png: %v", stem, err)
	}
	// A4 at 60 dpi is 496.06 x 701.57 pixels; poppler rounds either way.
	if cfg.Width < 496 || cfg.Width > 497 || cfg.Height < 701 || cfg.Height > 702 {
		t.Errorf("preview is %dx%d, want about 496x702", cfg.Width, cfg.Height)
	}
	t.Logf("preview of page 1: %s.png", stem)
}

func TestRenderRejectsInvalidDocuments(t *testing.T) {
	tests := []struct {
		name string
		doc  func() *Document
		want []string
	}{
		{"missing supplier GSTIN", func() *Document {
			d := intraState()
			d.Supplier.GSTIN = ""
			return d
		}, []string{"supplier GSTIN is required"}},
		{"serial over 16 characters", func() *Document {
			d := intraState()
			d.Serial = "INV/2026-27/00001"
			return d
		}, []string{`serial "INV/2026-27/00001" is 17 characters; GST allows at most 16`}},
		{"serial with other characters", func() *Document {
			d := intraState()
			d.Serial = "INV 2026#1"
			return d
		}, []string{`serial "INV 2026#1" may hold only letters, digits, "-" and "/"`}},
		{"missing serial and date", func() *Document {
			d := intraState()
			d.Serial, d.Date = "", time.Time{}
			return d
		}, []string{"serial is required", "date is required"}},
		{"no lines", func() *Document {
			d := intraState()
			d.Lines, d.TaxableTotal, d.Taxes, d.Total = nil, 0, nil, 0
			return d
		}, []string{"at least one line is required"}},
		{"lines do not add up to the taxable total", func() *Document {
			d := intraState()
			d.Lines[1].Taxable++
			return d
		}, []string{"lines add up to 1,35,000.01 but taxable total is 1,35,000.00"}},
		{"taxes do not add up to the total", func() *Document {
			d := intraState()
			d.Total -= 30000
			return d
		}, []string{"taxable total 1,35,000.00 plus taxes is 1,59,300.00 but total is 1,59,000.00"}},
		{"bad line and tax fields", func() *Document {
			d := intraState()
			d.Lines[0].SAC, d.Lines[1].Quantity, d.Lines[1].Description = "99831A", 0, " "
			d.Taxes[1].Rate = ""
			return d
		}, []string{`line 1 SAC "99831A" must be 4 to 8 digits`, "line 2 quantity 0 must be at least 1",
			"line 2 description is required", "tax 2 (SGST) rate is required"}},
		{"GSTIN with a wrong check character", func() *Document {
			d := intraState()
			d.Recipient.GSTIN = "29AAJFC4821K1Z8"
			return d
		}, []string{`recipient GSTIN "29AAJFC4821K1Z8" has a wrong check character`}},
		{"GSTIN of another state", func() *Document {
			d := interState()
			d.Recipient.StateCode = "29"
			return d
		}, []string{`recipient GSTIN "27AACCF9034R1Z0" does not start with its state code "29"`}},
		{"domestic recipient without a state", func() *Document {
			d := interState()
			d.Recipient.StateName, d.Recipient.StateCode, d.Recipient.GSTIN = "", "", ""
			return d
		}, []string{"recipient state name is required", `recipient state code "" must be two digits`}},
		{"missing parties, place of supply and words", func() *Document {
			d := intraState()
			d.Recipient = Party{}
			d.PlaceOfSupply, d.TotalInWords = "", ""
			return d
		}, []string{"recipient legal name is required", "recipient address is required",
			"place of supply is required", "total in words is required"}},
		{"text the fonts cannot print", func() *Document {
			d := intraState()
			d.Recipient.LegalName = "छाया स्टूडियो"
			return d
		}, []string{`recipient legal name "छाया स्टूडियो" has characters the PDF fonts cannot print`}},
		{"unknown kind", func() *Document {
			d := intraState()
			d.Kind = 0
			return d
		}, []string{"kind must be TaxInvoice or CreditNote, not 0"}},
		{"credit note without its invoice", func() *Document {
			d := creditNote()
			d.OriginalSerial, d.OriginalDate = "", time.Time{}
			return d
		}, []string{"original invoice serial is required", "original invoice date is required"}},
		{"credit note dated before its invoice", func() *Document {
			d := creditNote()
			d.OriginalDate = date(2026, time.April, 1)
			return d
		}, []string{"credit note date 15 March 2026 is before the original invoice date 1 April 2026"}},
		{"credit note with mixed signs", func() *Document {
			d := creditNote()
			d.Lines = append(d.Lines, Line{"Storage", "998315", 1, 100000})
			d.TaxableTotal += 100000
			d.Total += 100000
			return d
		}, []string{"line 2 taxable value -1,000.00 is negative"}},
		{"invoice naming an original invoice", func() *Document {
			d := intraState()
			d.OriginalSerial = "INV/2025/0099"
			return d
		}, []string{"original invoice serial and date belong only on a credit note"}},
		{"nil document", func() *Document { return nil }, []string{"document is nil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := Render(tt.doc())
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if pdf != nil {
				t.Error("an invalid document still produced a PDF")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nlacks %q", err, want)
				}
			}
		})
	}
}
