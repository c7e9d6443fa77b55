// Package analyze turns text in English, Indonesian or Persian into index
// terms. Documents and queries go through the same functions, so "مي‌توانم",
// "میتوانم" and "می توانم" meet, and so do "KIRIM" and "kirim".
package analyze

import (
	"strings"
	"unicode"
)

const zwnj = '\u200c'

// foldRune maps letter variants to one form: Arabic yeh/kaf/teh marbuta to
// Persian, Persian/Arabic digits to ASCII. It returns -1 for runes to drop
// (diacritics, tatweel).
func foldRune(r rune) rune {
	switch {
	case r == 'ي' || r == 'ى' || r == 'ئ':
		return 'ی'
	case r == 'ك':
		return 'ک'
	case r == 'ة' || r == 'ۀ':
		return 'ه'
	case r == 'أ' || r == 'إ' || r == 'ٱ' || r == 'آ':
		return 'ا'
	case r == 'ؤ':
		return 'و'
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰')
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠')
	case r == 'ـ', r >= 0x064B && r <= 0x065F, r == 0x0670:
		return -1
	}
	return unicode.ToLower(r)
}

// Normalize folds case, letter variants and digits, and drops diacritics.
// ZWNJ is kept so Terms can index both the joined and split forms.
func Normalize(s string) string {
	return strings.Map(foldRune, s)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == zwnj || unicode.Is(unicode.Mn, r)
}

// Terms splits text into normalised terms. A ZWNJ-joined word yields the
// joined form and each part, so every spelling of it matches.
func Terms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(Normalize(text), func(r rune) bool { return !isWordRune(r) }) {
		if !strings.ContainsRune(w, zwnj) {
			out = append(out, w)
			continue
		}
		parts := strings.FieldsFunc(w, func(r rune) bool { return r == zwnj })
		if len(parts) > 1 {
			out = append(out, strings.Join(parts, ""))
		}
		out = append(out, parts...)
	}
	return out
}

// QueryTerms splits a query: like Terms, but a ZWNJ word gives only its joined
// form, which the index holds for every spelling.
func QueryTerms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(Normalize(text), func(r rune) bool { return !isWordRune(r) }) {
		if j := strings.ReplaceAll(w, string(zwnj), ""); j != "" {
			out = append(out, j)
		}
	}
	return out
}

// JoinedWord is strings.Join(Words(s), ""): the normalised word characters
// of s, without ZWNJ, in one pass and one allocation. A snippet calls it for
// every word of a body.
func JoinedWord(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r = foldRune(r); r >= 0 && r != zwnj && isWordRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IndexText is the stored form of a document for the full-text index.
func IndexText(text string) string { return strings.Join(Terms(text), " ") }
