package invoicepdf

import (
	"strconv"
	"strings"
	"time"
)

// formatPaise prints paise in the Indian grouping: the last three rupee digits,
// then groups of two ("12,34,567.89").
func formatPaise(p int64) string {
	neg := p < 0
	u := uint64(p)
	if neg {
		u = -u // two's complement keeps math.MinInt64 exact
	}
	rupees := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	head := len(rupees) - 3
	if head > 0 {
		first := head % 2
		if first == 0 {
			first = 2
		}
		b.WriteString(rupees[:first])
		for i := first; i < head; i += 2 {
			b.WriteByte(',')
			b.WriteString(rupees[i : i+2])
		}
		b.WriteByte(',')
		b.WriteString(rupees[head:])
	} else {
		b.WriteString(rupees)
	}
	b.WriteByte('.')
	paise := u % 100
	b.WriteByte(byte('0' + paise/10))
	b.WriteByte(byte('0' + paise%10))
	return b.String()
}

func formatDate(t time.Time) string {
	return t.Format("2 January 2006")
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// FormatPaise prints paise as rupees in the Indian grouping, as the
// invoice does ("12,34,567.89"), for e-mails and pages about an invoice.
func FormatPaise(p int64) string { return formatPaise(p) }
