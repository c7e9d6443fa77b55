package i18n

import (
	"strconv"
	"strings"
)

// Decimal writes v with places decimals in the locale's digits and decimal
// separator (1.5, 1,5, ۱٫۵); a value that rounds to zero has no minus sign.
func Decimal(locale string, v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" {
		s = s[1:]
	}
	switch Normalize(locale) {
	case "fa":
		s = strings.Replace(s, ".", "٫", 1)
	case "id":
		s = strings.Replace(s, ".", ",", 1)
	}
	return Digits(locale, s)
}

// Integer writes n with the locale's digits and thousands separator
// (1,234, 1.234, ۱٬۲۳۴).
func Integer(locale string, n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	switch Normalize(locale) {
	case "id":
		sep = "."
	case "fa":
		sep = "٬"
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return Digits(locale, b.String())
}
