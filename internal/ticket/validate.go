package ticket

import (
	"slices"
	"strings"
	"unicode/utf8"

	"layan/internal/apperr"
)

func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return apperr.Invalid(field, "invalid_text", "is not valid UTF-8 text")
	}
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, "too_long", "is too long")
	}
	return nil
}

func checkEnum(field, v string, allowed []string, emptyOK bool) error {
	if v == "" && emptyOK {
		return nil
	}
	if !slices.Contains(allowed, v) {
		return apperr.Invalid(field, "invalid", "must be one of: "+strings.Join(allowed, ", "))
	}
	return nil
}

// statusRank orders statuses for "status<solved".
func statusRank(s string) int { return slices.Index(Statuses, s) }

// Limits on what one ticket or comment can hold.
const (
	MaxSubject     = 500
	MaxCommentBody = 64 * 1024
	MaxUploads     = 20
)

// Languages a ticket may be in ("" is unknown).
var Languages = []string{"en", "id", "fa"}

func checkLanguage(l string) error {
	if l != "" && !slices.Contains(Languages, l) {
		return apperr.Invalid("language", "invalid", "must be en, id or fa")
	}
	return nil
}
