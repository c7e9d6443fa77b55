package directory

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"layan/internal/apperr"
)

// Locales Layan speaks.
var Locales = []string{"en", "id", "fa"}

// NormalizeLocale maps "en-US", "fa_IR", "ID" to a supported locale, or "".
func NormalizeLocale(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	for _, l := range Locales {
		if s == l {
			return l
		}
	}
	return ""
}

// NormalizeEmail lowercases and checks an address; "" stays "".
func NormalizeEmail(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if len(s) > 254 {
		return "", apperr.Invalid(field, "too_long", "is longer than 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") && !strings.HasSuffix(s, "@localhost") {
		return "", apperr.Invalid(field, "invalid_email", "is not a valid email address")
	}
	return s, nil
}

// checkText validates a free-text field: valid UTF-8, no NUL, bounded length.
func checkText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return apperr.Invalid(field, "invalid_text", "is not valid UTF-8 text")
	}
	if required && strings.TrimSpace(s) == "" {
		return apperr.Invalid(field, "required", "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, "too_long", "is too long")
	}
	return nil
}

func checkTimeZone(tz string) error {
	if tz == "" {
		return nil
	}
	if _, err := time.LoadLocation(tz); err != nil || strings.Contains(tz, "..") {
		return apperr.Invalid("time_zone", "invalid_time_zone", "is not an IANA time zone")
	}
	return nil
}

// NormalizeTags lowercases, trims, drops empties and duplicates; tags have no spaces.
func NormalizeTags(tags []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		for _, part := range strings.Fields(t) {
			p := strings.ToLower(part)
			if err := checkText("tags", p, 80, false); err != nil {
				return nil, err
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(out) > 100 {
		return nil, apperr.Invalid("tags", "too_many", "has more than 100 tags")
	}
	return out, nil
}

// JoinTags is the stored form of a tag list.
func JoinTags(tags []string) string { return strings.Join(tags, " ") }

// SplitTags reads the stored form.
func SplitTags(s string) []string {
	f := strings.Fields(s)
	if f == nil {
		return []string{}
	}
	return f
}
