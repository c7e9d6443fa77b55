package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

//go:embed catalogs/*.json
var catalogFS embed.FS

// catalogs maps locale → key → message. It is filled once at start-up and
// only read afterwards, so lookups need no locking.
var catalogs = mustLoadCatalogs()

// mustLoadCatalogs panics on a malformed catalog: the files are embedded, so a
// broken one is a build defect that every test run reports at once.
func mustLoadCatalogs() map[string]map[string]string {
	out, err := loadCatalogs(catalogFS, "catalogs")
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return out
}

// loadCatalogs merges the catalog files of dir. A file is named
// "<locale>.json" or "<area>.<locale>.json": each area of the product (chat,
// forum, ...) keeps its messages in its own files so its texts are reviewed
// together. A key defined twice, in one file or across two, is an error:
// encoding/json would silently keep the last.
func loadCatalogs(fsys fs.FS, dir string) (map[string]map[string]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		locale := name[strings.LastIndexByte(name, '.')+1:]
		data, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		if out[locale] == nil {
			out[locale] = map[string]string{}
		}
		if err := mergeCatalog(out[locale], data); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", dir, e.Name(), err)
		}
	}
	return out, nil
}

func mergeCatalog(into map[string]string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		var msg string
		if err := dec.Decode(&msg); err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
		if _, dup := into[key]; dup {
			return fmt.Errorf("key %q defined twice", key)
		}
		into[key] = msg
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	return nil
}

// T returns the message for key in locale with {name} placeholders filled
// from args, given as name/value pairs: T("fa", "reply.collision", "name", "Budi").
//
// A key missing from the locale's catalog falls back to English, then to the
// key itself, so a gap shows up in the page instead of an empty string.
// If key has no message but key+".one"/key+".other" exist, the form is chosen
// from the "count" argument (T(l, "ticket.count", "count", n)).
//
// Numbers (any integer or float kind) are written with Persian digits in fa.
// In right-to-left locales other values are wrapped in Unicode isolates
// (U+2068…U+2069), the plain-text equivalent of <bdi>, so a Latin name or an
// e-mail address cannot reorder the sentence around it. Placeholders without
// a matching argument are left as they are.
func T(locale, key string, args ...any) string {
	l := Normalize(locale)
	msg, ok := message(l, key, args)
	if !ok && l != Default {
		l = Default
		msg, ok = message(l, key, args)
	}
	if !ok {
		return key
	}
	return substitute(l, msg, args)
}

// Keys returns the sorted keys of locale's catalog, or nil if there is none.
func Keys(locale string) []string {
	l, ok := known(locale)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(catalogs[l]))
	for k := range catalogs[l] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func message(locale, key string, args []any) (string, bool) {
	cat := catalogs[locale]
	if msg, ok := cat[key]; ok {
		return msg, true
	}
	if n, ok := count(args); ok {
		msg, ok := cat[key+"."+pluralForm(locale, n)]
		return msg, ok
	}
	return "", false
}

// pluralForm picks the CLDR plural category. Indonesian has no grammatical
// plural; Persian keeps the noun singular after a number, so its two forms
// are the same text and the English rule is good enough.
func pluralForm(locale string, n float64) string {
	if locale != "id" && n == 1 {
		return "one"
	}
	return "other"
}

func count(args []any) (float64, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if name, _ := args[i].(string); name == "count" {
			rv := reflect.ValueOf(args[i+1])
			switch {
			case rv.CanInt():
				return float64(rv.Int()), true
			case rv.CanUint():
				return float64(rv.Uint()), true
			case rv.CanFloat():
				return rv.Float(), true
			}
			return 0, false
		}
	}
	return 0, false
}

// substitute replaces each {name} in msg with the formatted argument.
func substitute(locale, msg string, args []any) string {
	if len(args) < 2 || !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	b.Grow(len(msg) + 16)
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		end += open
		val, ok := arg(locale, msg[open+1:end], args)
		if !ok {
			b.WriteString(msg[:open+1])
			msg = msg[open+1:]
			continue
		}
		b.WriteString(msg[:open])
		b.WriteString(val)
		msg = msg[end+1:]
	}
	b.WriteString(msg)
	return b.String()
}

func arg(locale, name string, args []any) (string, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if k, _ := args[i].(string); k == name && name != "" {
			return formatArg(locale, args[i+1]), true
		}
	}
	return "", false
}

func formatArg(locale string, v any) string {
	switch v := v.(type) {
	case string:
		return isolate(locale, v)
	case fmt.Stringer: // before the numeric kinds: enums and durations print themselves
		return isolate(locale, v.String())
	case error:
		return isolate(locale, v.Error())
	}
	rv := reflect.ValueOf(v)
	var s string
	switch {
	case rv.CanInt():
		s = strconv.FormatInt(rv.Int(), 10)
	case rv.CanUint():
		s = strconv.FormatUint(rv.Uint(), 10)
	case rv.CanFloat():
		s = strconv.FormatFloat(rv.Float(), 'f', -1, rv.Type().Bits())
	default:
		return isolate(locale, fmt.Sprint(v))
	}
	if locale == "fa" {
		s = strings.Replace(s, ".", "٫", 1) // Persian decimal separator
		s = persianDigits(s)
	}
	return s
}

func isolate(locale, s string) string {
	if s == "" || Dir(locale) != "rtl" {
		return s
	}
	return "\u2068" + s + "\u2069"
}
