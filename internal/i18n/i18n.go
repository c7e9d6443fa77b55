// Package i18n translates UI and email strings and formats dates, times and
// numbers for the three locales Layan speaks: English (en), Indonesian (id)
// and Persian (fa, right-to-left, Solar Hijri calendar, Persian digits).
//
// Functions take the locale as a plain string so that values from cookies,
// headers and templates pass straight through; anything unknown falls back to
// English. Everything returned is plain text: html/template escapes it, and it
// must never be marked as template.HTML because arguments are user data.
package i18n

import "strings"

// Locale names a catalog ("en", "id", "fa"), for struct fields and config
// that hold a user's or a brand's language.
type Locale string

// Default is the locale used when nothing better is known, and the catalog
// every other catalog falls back to.
const Default = "en"

// Supported lists the locales with a catalog, Default first (Negotiate falls
// back to the first offered locale, so callers can pass Supported as is).
var Supported = []string{"en", "id", "fa"}

// Normalize maps a locale or language tag ("fa-IR", "ID", "en_US") to a
// supported locale, or Default.
func Normalize(locale string) string {
	if l, ok := known(locale); ok {
		return l
	}
	return Default
}

// known reduces a tag to its language subtag and reports whether a catalog
// exists for it.
func known(locale string) (string, bool) {
	base, _, _ := strings.Cut(strings.TrimSpace(locale), "-")
	base, _, _ = strings.Cut(base, "_")
	base = strings.ToLower(base)
	_, ok := catalogs[base]
	return base, ok
}

// Dir returns the text direction for the <html dir> attribute.
func Dir(locale string) string {
	if Normalize(locale) == "fa" {
		return "rtl"
	}
	return "ltr"
}
