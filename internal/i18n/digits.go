package i18n

import "strings"

// Digits replaces ASCII digits with Persian digits (۰-۹) for fa and returns s
// unchanged for other locales. Only digits change, so it is safe on dates,
// ticket numbers and already-translated text.
func Digits(locale, s string) string {
	if Normalize(locale) != "fa" {
		return s
	}
	return persianDigits(s)
}

func persianDigits(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '۰' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}
