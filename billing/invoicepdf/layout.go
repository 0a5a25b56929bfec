package invoicepdf

import (
	"fmt"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// A4 in millimetres. Everything below the break line belongs to the footer.
const (
	pageW     = 210.0
	pageH     = 297.0
	marginX   = 15.0
	marginTop = 14.0
	contentW  = pageW - 2*marginX
	breakAt   = pageH - 24.0
	rightX    = 120.0 // the right-hand column of the header and totals
	rightW    = pageW - marginX - rightX
	bodyH     = 4.6 // line height of 9 pt body text
	rowPad    = 1.8
	rowH      = bodyH + 2*rowPad
	headH     = 7.0
)

type rgb struct{ r, g, b int }

var (
	ink       = rgb{33, 37, 41}
	muted     = rgb{108, 117, 125}
	accent    = rgb{30, 58, 110}
	hairline  = rgb{215, 220, 226}
	headFill  = rgb{238, 241, 245}
	totalFill = rgb{228, 235, 246}
	noteFill  = rgb{247, 248, 250}
)

type column struct {
	title string
	w     float64
	align string
}

var lineCols = []column{
	{"#", 9, "C"}, {"Description of service", 103, "L"}, {"SAC", 20, "C"},
	{"Qty", 14, "R"}, {"Taxable value (Rs.)", 34, "R"},
}

var taxCols = []column{
	{"Tax", 22, "L"}, {"Rate", 16, "R"}, {"Taxable (Rs.)", 28, "R"}, {"Tax (Rs.)", 28, "R"},
}

type renderer struct {
	pdf *fpdf.Fpdf
	d   *Document
	tr  func(string) string // UTF-8 to the core fonts' cp1252
}

func (r *renderer) draw() {
	pdf := r.pdf
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(true, pageH-breakAt)
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFunc(r.continuationHeader)
	pdf.SetFooterFuncLpi(r.footer)
	pdf.AddPage()
	r.header()
	r.parties()
	r.linesTable()
	r.summary()
	r.closing()
}

func (r *renderer) font(style string, size float64, c rgb) {
	r.pdf.SetFont("Helvetica", style, size)
	r.pdf.SetTextColor(c.r, c.g, c.b)
}

// cell prints already-translated text; text translates first.
func (r *renderer) cell(x, y, w, h float64, s, align string) {
	r.pdf.SetXY(x, y)
	r.pdf.CellFormat(w, h, s, "", 0, align, false, 0, "")
}

func (r *renderer) text(x, y, w, h float64, s, align string) {
	r.cell(x, y, w, h, r.tr(s), align)
}

// split translates s and wraps it to width w, keeping the caller's line
// breaks and dropping blank lines.
func (r *renderer) split(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		for _, b := range r.pdf.SplitLines([]byte(r.tr(para)), w) {
			out = append(out, string(b))
		}
	}
	return out
}

// lines prints s wrapped to w from the current y and moves y below it.
func (r *renderer) lines(x, w, lh float64, s, align string) {
	for _, l := range r.split(s, w) {
		y := r.pdf.GetY()
		r.cell(x, y, w, lh, l, align)
		r.pdf.SetY(y + lh)
	}
}

func (r *renderer) rule(x, w, y float64, c rgb, width float64) {
	r.pdf.SetDrawColor(c.r, c.g, c.b)
	r.pdf.SetLineWidth(width)
	r.pdf.Line(x, y, x+w, y)
}

func (r *renderer) band(x, y, w, h float64, c rgb) {
	r.pdf.SetFillColor(c.r, c.g, c.b)
	r.pdf.Rect(x, y, w, h, "F")
}

// ensure starts a new page unless h millimetres fit above the footer, so a
// table row or the totals block is never cut in two.
func (r *renderer) ensure(h float64) bool {
	if r.pdf.GetY()+h <= breakAt {
		return false
	}
	r.pdf.AddPage()
	return true
}

func stateLine(p Party) string {
	switch {
	case p.StateName != "" && p.StateCode != "":
		return fmt.Sprintf("State: %s, Code: %s", p.StateName, p.StateCode)
	case p.StateName != "":
		return "State: " + p.StateName
	}
	return ""
}

func (r *renderer) continuationHeader() {
	if r.pdf.PageNo() == 1 {
		return
	}
	r.band(0, 0, pageW, 3, accent)
	r.font("B", 9, ink)
	r.text(marginX, marginTop, 100, 5, r.d.Supplier.LegalName, "L")
	r.font("", 9, muted)
	r.text(marginX+100, marginTop, contentW-100, 5,
		fmt.Sprintf("%s %s (continued)", r.d.Kind.Title(), r.d.Serial), "R")
	r.rule(marginX, contentW, marginTop+7, hairline, 0.2)
	r.pdf.SetY(marginTop + 11)
}

// footer numbers the pages only when there is more than one.
func (r *renderer) footer(last bool) {
	y := pageH - 17
	r.rule(marginX, contentW, y, hairline, 0.2)
	r.font("", 7.5, muted)
	r.pdf.SetY(y + 1.5)
	if r.d.Footer != "" {
		r.lines(marginX, contentW-40, 3.6, r.d.Footer, "L")
	}
	if !last || r.pdf.PageNo() > 1 {
		r.text(pageW-marginX-40, y+1.5, 40, 3.6,
			fmt.Sprintf("Page %d of {nb}", r.pdf.PageNo()), "R")
	}
}

func (r *renderer) header() {
	d := r.d
	r.band(0, 0, pageW, 3, accent)
	top := marginTop + 2
	r.pdf.SetY(top)
	r.font("B", 15, ink)
	r.lines(marginX, 100, 6.5, d.Supplier.LegalName, "L")
	r.font("", 9, ink)
	r.lines(marginX, 100, 4.4, d.Supplier.Address, "L")
	r.lines(marginX, 100, 4.4, stateLine(d.Supplier), "L")
	r.font("B", 9, ink)
	r.lines(marginX, 100, bodyH, "GSTIN: "+d.Supplier.GSTIN, "L")
	leftEnd := r.pdf.GetY()

	r.pdf.SetY(top - 1)
	r.font("B", 20, accent)
	r.lines(rightX, rightW, 9, d.Kind.Title(), "R")
	r.pdf.SetY(r.pdf.GetY() + 1.5)
	for _, f := range r.headerFacts() {
		y := r.pdf.GetY()
		r.font("", 9, muted)
		r.text(rightX, y, 33, 5, f[0], "L")
		r.font("B", 9, ink)
		r.text(rightX+33, y, rightW-33, 5, f[1], "R")
		r.pdf.SetY(y + 5)
	}
	y := max(leftEnd, r.pdf.GetY()) + 4
	r.rule(marginX, contentW, y, accent, 0.5)
	r.pdf.SetY(y + 5)
}

func (r *renderer) headerFacts() [][2]string {
	d := r.d
	if d.Kind == CreditNote {
		return [][2]string{
			{"Credit note no.", d.Serial}, {"Credit note date", formatDate(d.Date)},
			{"Against invoice", d.OriginalSerial}, {"Invoice date", formatDate(d.OriginalDate)},
		}
	}
	return [][2]string{{"Invoice no.", d.Serial}, {"Invoice date", formatDate(d.Date)}}
}

func (r *renderer) parties() {
	d, rc := r.d, r.d.Recipient
	top := r.pdf.GetY()
	r.font("B", 7.5, muted)
	r.lines(marginX, 100, 4, "RECIPIENT", "L")
	r.font("B", 10.5, ink)
	r.lines(marginX, 100, 5.4, rc.LegalName, "L")
	r.font("", 9, ink)
	r.lines(marginX, 100, 4.4, rc.Address, "L")
	r.lines(marginX, 100, 4.4, rc.Country, "L")
	r.lines(marginX, 100, 4.4, stateLine(rc), "L")
	gstin := rc.GSTIN
	if gstin == "" {
		gstin = "Unregistered"
	}
	r.font("B", 9, ink)
	r.lines(marginX, 100, bodyH, "GSTIN: "+gstin, "L")
	leftEnd := r.pdf.GetY()

	r.pdf.SetY(top)
	r.font("B", 7.5, muted)
	r.lines(rightX, rightW, 4, "SUPPLY DETAILS", "L")
	r.pdf.SetY(r.pdf.GetY() + 1.4)
	r.labelled("Place of supply:", d.PlaceOfSupply)
	r.labelled("Reverse charge:", yesNo(d.ReverseCharge))
	r.pdf.SetY(max(leftEnd, r.pdf.GetY()) + 7)
}

// labelled prints a bold label with its value wrapped beside it.
func (r *renderer) labelled(label, value string) {
	y := r.pdf.GetY()
	r.font("B", 9, ink)
	lw := r.pdf.GetStringWidth(r.tr(label)) + 1.5
	r.text(rightX, y, lw, bodyH, label, "L")
	r.font("", 9, ink)
	r.pdf.SetY(y)
	r.lines(rightX+lw, rightW-lw, bodyH, value, "L")
}

func (r *renderer) tableHead(cols []column, x float64) {
	y := r.pdf.GetY()
	r.band(x, y, colsWidth(cols), headH, headFill)
	r.font("B", 8.5, ink)
	for _, c := range cols {
		r.text(x, y, c.w, headH, c.title, c.align)
		x += c.w
	}
	r.pdf.SetY(y + headH)
}

func colsWidth(cols []column) float64 {
	var w float64
	for _, c := range cols {
		w += c.w
	}
	return w
}

func (r *renderer) linesTable() {
	r.ensure(headH + rowH)
	r.tableHead(lineCols, marginX)
	for i, l := range r.d.Lines {
		r.lineRow(i+1, l)
	}
	r.pdf.SetY(r.pdf.GetY() + 5)
}

// lineRow draws one service, repeating the table head when it has to move
// to a new page.
func (r *renderer) lineRow(n int, l Line) {
	r.font("", 9, ink)
	desc := r.split(l.Description, lineCols[1].w)
	h := float64(max(len(desc), 1))*bodyH + 2*rowPad
	if r.ensure(h) {
		r.tableHead(lineCols, marginX)
		r.font("", 9, ink)
	}
	y := r.pdf.GetY()
	cells := []string{strconv.Itoa(n), "", l.SAC, strconv.Itoa(l.Quantity), formatPaise(l.Taxable)}
	x := marginX
	for i, c := range lineCols {
		if i == 1 {
			for j, s := range desc {
				r.cell(x, y+rowPad+float64(j)*bodyH, c.w, bodyH, s, "L")
			}
		} else {
			r.text(x, y+rowPad, c.w, bodyH, cells[i], c.align)
		}
		x += c.w
	}
	r.rule(marginX, contentW, y+h, hairline, 0.2)
	r.pdf.SetY(y + h)
}

// summary keeps the per-head tax table and the totals together on one page.
func (r *renderer) summary() {
	taxH := headH + float64(max(len(r.d.Taxes), 1))*rowH
	totH := float64(len(r.d.Taxes)+1)*rowH + 10
	r.ensure(max(taxH, totH) + 2)
	top := r.pdf.GetY()
	r.taxTable()
	left := r.pdf.GetY()
	r.pdf.SetY(top)
	r.totals()
	r.pdf.SetY(max(left, r.pdf.GetY()) + 7)
}

func (r *renderer) taxTable() {
	d := r.d
	r.tableHead(taxCols, marginX)
	r.font("", 9, ink)
	rows := make([][]string, 0, len(d.Taxes))
	for _, t := range d.Taxes {
		rows = append(rows, []string{t.Head, t.Rate, formatPaise(d.TaxableTotal), formatPaise(t.Amount)})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{"No tax charged", "", formatPaise(d.TaxableTotal), formatPaise(0)})
	}
	for _, row := range rows {
		y, x := r.pdf.GetY(), marginX
		for i, c := range taxCols {
			r.text(x, y+rowPad, c.w, bodyH, row[i], c.align)
			x += c.w
		}
		r.rule(marginX, colsWidth(taxCols), y+rowH, hairline, 0.2)
		r.pdf.SetY(y + rowH)
	}
}

func (r *renderer) totals() {
	d := r.d
	const labelW = 33.0
	row := func(label, value string) {
		y := r.pdf.GetY()
		r.font("", 9, muted)
		r.text(rightX, y+rowPad, labelW, bodyH, label, "L")
		r.font("", 9, ink)
		r.text(rightX+labelW, y+rowPad, rightW-labelW, bodyH, value, "R")
		r.pdf.SetY(y + rowH)
	}
	row("Taxable value", formatPaise(d.TaxableTotal))
	for _, t := range d.Taxes {
		row(fmt.Sprintf("%s @ %s", t.Head, t.Rate), formatPaise(t.Amount))
	}
	y := r.pdf.GetY() + 1
	r.band(rightX, y, rightW, 9, totalFill)
	r.rule(rightX, rightW, y, accent, 0.5)
	r.font("B", 11, accent)
	r.text(rightX, y, labelW, 9, "Total", "L")
	r.text(rightX+labelW, y, rightW-labelW, 9, "Rs. "+formatPaise(d.Total), "R")
	r.pdf.SetY(y + 9)
}

func (r *renderer) closing() {
	d := r.d
	r.font("B", 9.5, ink)
	words := r.split(d.TotalInWords, contentW)
	r.ensure(5 + float64(len(words))*5)
	r.font("B", 7.5, muted)
	r.lines(marginX, contentW, 4.5, "AMOUNT IN WORDS", "L")
	r.font("B", 9.5, ink)
	r.lines(marginX, contentW, 5, d.TotalInWords, "L")
	if d.SupplyNote != "" {
		r.supplyNote()
	}
	r.signature()
}

func (r *renderer) supplyNote() {
	r.font("I", 8.5, ink)
	note := r.split(r.d.SupplyNote, contentW-6)
	h := float64(len(note))*4.2 + 4
	r.ensure(h + 5)
	y := r.pdf.GetY() + 4
	r.band(marginX, y, contentW, h, noteFill)
	r.band(marginX, y, 0.8, h, accent)
	r.pdf.SetY(y + 2)
	r.lines(marginX+3, contentW-6, 4.2, r.d.SupplyNote, "L")
	r.pdf.SetY(y + h)
}

// signature sits at the foot of the last page, where a reader looks for it.
func (r *renderer) signature() {
	sig := r.d.Signatory
	r.font("B", 9, ink)
	sigLines := r.split(sig, rightW)
	blockH := float64(len(sigLines))*bodyH + 20
	r.ensure(blockH + 6)
	r.pdf.SetY(max(r.pdf.GetY()+6, breakAt-blockH))
	r.lines(rightX, rightW, bodyH, sig, "R")
	if strings.Contains(strings.ToLower(sig), "authorised signatory") {
		return // the caller already wrote the caption
	}
	y := r.pdf.GetY() + 14
	r.rule(pageW-marginX-55, 55, y, ink, 0.3)
	r.font("", 8.5, muted)
	r.text(rightX, y+1, rightW, bodyH, "Authorised Signatory", "R")
}
