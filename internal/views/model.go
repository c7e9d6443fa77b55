// Package views keeps the agents' saved inbox views: a name and a filter (the
// query string the inbox understands: status, assignee, group, sort, order),
// personal to their owner or shared with all staff.
package views

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/ticket"
)

// View is one saved view.
type View struct {
	ID        int64
	OwnerID   int64
	Name      string
	Filter    string // normalised query string, e.g. "assignee=me&status=open"
	Shared    bool
	CreatedAt time.Time
}

// Input is what Create takes.
type Input struct {
	Name   string
	Filter string
	Shared bool // admins only
}

// Sorts are the sort keys a filter may name.
var Sorts = []string{"updated_at", "created_at", "id", "subject"}

// MaxNameRunes bounds a view's name.
const MaxNameRunes = 80

const maxFilterBytes = 500

// ValidName trims a name and checks it.
func ValidName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return "", apperr.Invalid("name", "invalid_text", "is not valid text")
	case s == "":
		return "", apperr.Invalid("name", "required", "is required")
	case utf8.RuneCountInString(s) > MaxNameRunes:
		return "", apperr.Invalid("name", "too_long", "is longer than 80 characters")
	}
	return s, nil
}

// ValidFilter checks a filter query string and returns it normalised (known
// keys only, each once, empty values dropped, keys sorted). Unknown keys or
// bad values are an apperr.ValidationError on "filter".
func ValidFilter(s string) (string, error) {
	bad := func(msg string) (string, error) { return "", apperr.Invalid("filter", "invalid", msg) }
	if len(s) > maxFilterBytes {
		return bad("is too long")
	}
	qs, err := url.ParseQuery(s)
	if err != nil {
		return bad("is not a query string")
	}
	out := url.Values{}
	for k, vs := range qs {
		if len(vs) != 1 {
			return bad(k + " is given more than once")
		}
		v := vs[0]
		if v == "" {
			continue
		}
		ok := false
		switch k {
		case "status":
			ok = slices.Contains(ticket.Statuses, v)
		case "assignee":
			ok = v == "me" || v == "none" || positiveID(v)
		case "group":
			ok = positiveID(v)
		case "sort":
			ok = slices.Contains(Sorts, v)
		case "order":
			ok = v == "asc" || v == "desc"
		default:
			return bad("has an unknown key " + strconv.Quote(k))
		}
		if !ok {
			return bad(k + " has a bad value")
		}
		out.Set(k, v)
	}
	return out.Encode(), nil
}

func positiveID(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0 && strconv.FormatInt(n, 10) == s
}
