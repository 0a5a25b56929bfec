package billing

import "strings"

var (
	smallNumbers = [...]string{"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven",
		"Eight", "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen",
		"Sixteen", "Seventeen", "Eighteen", "Nineteen"}
	tens = [...]string{"", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy",
		"Eighty", "Ninety"}
)

// RupeesInWords writes an amount in paise the way Indian invoices state the total, in
// lakh and crore: "Rupees Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven and
// Eighty-Nine Paise Only". Negative amounts (credit notes) begin with "Minus ".
func RupeesInWords(paise int64) string {
	var b strings.Builder
	// uint64 so that the most negative int64 has an absolute value too.
	abs := uint64(paise)
	if paise < 0 {
		b.WriteString("Minus ")
		abs = -abs
	}
	b.WriteString("Rupees ")
	b.WriteString(indianWords(abs / 100))
	if p := abs % 100; p != 0 {
		b.WriteString(" and ")
		b.WriteString(indianWords(p))
		if p == 1 {
			b.WriteString(" Paisa")
		} else {
			b.WriteString(" Paise")
		}
	}
	b.WriteString(" Only")
	return b.String()
}

// indianWords spells n with crore (10⁷), lakh (10⁵), thousand and hundred; a count of crores
// above 99 is itself spelt the same way ("One Lakh Crore"), as Indian usage does.
func indianWords(n uint64) string {
	if n == 0 {
		return smallNumbers[0]
	}
	var parts []string
	if c := n / 10_000_000; c > 0 {
		parts = append(parts, indianWords(c), "Crore")
		n %= 10_000_000
	}
	for _, u := range []struct {
		size uint64
		name string
	}{{100_000, "Lakh"}, {1000, "Thousand"}, {100, "Hundred"}} {
		if q := n / u.size; q > 0 {
			parts = append(parts, belowHundred(q), u.name)
			n %= u.size
		}
	}
	if n > 0 {
		parts = append(parts, belowHundred(n))
	}
	return strings.Join(parts, " ")
}

func belowHundred(n uint64) string {
	if n < 20 {
		return smallNumbers[n]
	}
	if n%10 == 0 {
		return tens[n/10]
	}
	return tens[n/10] + "-" + smallNumbers[n%10]
}
