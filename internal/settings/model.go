// Package settings holds the workspace-wide settings an admin edits:
// branding (name, accent colour, logo) and the languages the workspace
// offers. They live as key/value rows in the settings table and are read on
// every page, so the service keeps them in a short-lived in-memory cache.
package settings

import (
	"math"
	"slices"
	"strconv"

	"layan/internal/i18n"
)

// Settings of the workspace. The zero value is not valid; start from
// Defaults or from Service.Get.
type Settings struct {
	Branding Branding
	// DefaultLocale is the language for visitors whose browser asks for none
	// of the offered ones: "en", "id" or "fa".
	DefaultLocale string
	// OfferedLocales are the languages of the switcher: a non-empty subset of
	// en, id, fa that contains DefaultLocale. Get returns them with the
	// default first, then in en, id, fa order, so that
	// i18n.Negotiate(acceptLanguage, OfferedLocales) falls back to the default.
	OfferedLocales []string
}

// Branding is how the portal and the mails present the workspace.
type Branding struct {
	Name string
	// AccentColor is "#rrggbb", lowercase.
	AccentColor string
	// LogoBlobKey is the blob.Store key of the uploaded logo, "" for none;
	// LogoContentType is its type (image/png, image/jpeg, image/gif or
	// image/webp; SVG is refused because it can carry script), "" for none.
	LogoBlobKey     string
	LogoContentType string
}

// Default values, used for every setting never saved.
const (
	DefaultName        = "Layan"
	DefaultAccentColor = "#0f766e"
	DefaultLocale      = "en"
)

// LogoContentTypes are the image types accepted for the logo.
var LogoContentTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// Defaults returns the settings of a new workspace: named Layan, teal, in
// English, offering English, Indonesian and Persian.
func Defaults() Settings {
	return Settings{
		Branding:       Branding{Name: DefaultName, AccentColor: DefaultAccentColor},
		DefaultLocale:  DefaultLocale,
		OfferedLocales: slices.Clone(i18n.Supported),
	}
}

// Clone returns a deep copy (the locale slice is not shared).
func (s Settings) Clone() Settings {
	s.OfferedLocales = slices.Clone(s.OfferedLocales)
	return s
}

// Offers reports whether locale is one of the offered languages.
func (s Settings) Offers(locale string) bool { return slices.Contains(s.OfferedLocales, locale) }

// ChooseLocale picks the page language: preferred (the user's setting or the
// switcher's cookie) when it is offered, else the best offered match of the
// Accept-Language header, else the default.
func (s Settings) ChooseLocale(preferred, acceptLanguage string) string {
	if preferred != "" && s.Offers(preferred) {
		return preferred
	}
	if len(s.OfferedLocales) == 0 {
		return s.DefaultLocale
	}
	return i18n.Negotiate(acceptLanguage, s.OfferedLocales)
}

// HasLogo reports whether a logo was uploaded.
func (b Branding) HasLogo() bool { return b.LogoBlobKey != "" }

// AccentTextColor is the colour for text on the accent colour, black or
// white, whichever contrasts more (WCAG relative luminance).
func (b Branding) AccentTextColor() string {
	l, ok := luminance(b.AccentColor)
	if !ok {
		return "#ffffff"
	}
	// Contrast with white: 1.05/(l+0.05); with black: (l+0.05)/0.05.
	if 1.05/(l+0.05) >= (l+0.05)/0.05 {
		return "#ffffff"
	}
	return "#000000"
}

// luminance of "#rrggbb" per WCAG 2.
func luminance(hex string) (float64, bool) {
	if !validColor(hex) {
		return 0, false
	}
	ch := func(i int) float64 {
		v, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(1) + 0.7152*ch(3) + 0.0722*ch(5), true
}
