// Package search parses Zendesk's search syntax. Each domain turns a parsed
// Query into its own SQL; text terms go through search/analyze.
package search

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Clause is one "field<op>value" condition, e.g. status<solved.
type Clause struct {
	Field  string
	Op     string // ":", "<", ">", "<=", ">="
	Value  string
	Negate bool
}

// Query is a parsed search: an optional type, field clauses, free words and phrases.
type Query struct {
	Type    string // "ticket", "user", "organization", "group" or "" for all
	Clauses []Clause
	Words   []string // free words (all must match)
	Phrases []string // quoted phrases
	Exclude []string // -word
}

// MaxQueryLength bounds the work a query can ask for.
const MaxQueryLength = 1000

// Parse reads Zendesk search syntax: `type:ticket status<solved assignee:me
// tags:vip created>2026-01-01 "exact phrase" -spam`.
func Parse(q string) (Query, error) {
	var out Query
	if !utf8.ValidString(q) {
		return out, fmt.Errorf("query is not valid UTF-8")
	}
	if len(q) > MaxQueryLength {
		return out, fmt.Errorf("query is longer than %d bytes", MaxQueryLength)
	}
	toks, err := tokenize(q)
	if err != nil {
		return out, err
	}
	for _, t := range toks {
		if t.quoted {
			if strings.TrimSpace(t.text) != "" {
				out.Phrases = append(out.Phrases, t.text)
			}
			continue
		}
		neg := false
		s := t.text
		if strings.HasPrefix(s, "-") && len(s) > 1 {
			neg, s = true, s[1:]
		}
		if c, ok := splitClause(s); ok {
			c.Negate = neg
			if c.Field == "type" && c.Op == ":" && !neg {
				out.Type = strings.ToLower(c.Value)
				continue
			}
			out.Clauses = append(out.Clauses, c)
			continue
		}
		if neg {
			out.Exclude = append(out.Exclude, s)
		} else {
			out.Words = append(out.Words, s)
		}
	}
	return out, nil
}

type token struct {
	text   string
	quoted bool
}

// tokenize splits on spaces, keeping "quoted phrases" and field:"quoted values".
func tokenize(q string) ([]token, error) {
	var toks []token
	var cur strings.Builder
	inQuote, valueQuote := false, false
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, token{text: cur.String()})
			cur.Reset()
		}
	}
	for _, r := range q {
		switch {
		case r == '"' && !inQuote:
			if cur.Len() > 0 && strings.ContainsAny(cur.String(), ":<>") {
				valueQuote = true // field:"some value"
			} else {
				flush()
			}
			inQuote = true
		case r == '"' && inQuote:
			inQuote = false
			if valueQuote {
				valueQuote = false
				flush()
			} else {
				toks = append(toks, token{text: cur.String(), quoted: true})
				cur.Reset()
			}
		case unicode.IsSpace(r) && !inQuote:
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quote in query")
	}
	flush()
	return toks, nil
}

func splitClause(s string) (Clause, bool) {
	i := strings.IndexAny(s, ":<>")
	if i <= 0 || i == len(s)-1 {
		return Clause{}, false
	}
	field := strings.ToLower(s[:i])
	for _, r := range field {
		if !(r >= 'a' && r <= 'z' || r == '_' || r == '.') {
			return Clause{}, false
		}
	}
	op := string(s[i])
	rest := s[i+1:]
	if op != ":" && strings.HasPrefix(rest, "=") {
		op += "="
		rest = rest[1:]
	}
	if rest == "" {
		return Clause{}, false
	}
	return Clause{Field: field, Op: op, Value: rest}, true
}

// ParseTime reads a search date: 2026-01-01, 2026-01-01T10:00:00Z, or a
// relative amount back from now such as 4hours, 2days, 3weeks, 1months.
func ParseTime(v string, now time.Time) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	units := []struct {
		suffix string
		d      time.Duration
	}{{"minutes", time.Minute}, {"minute", time.Minute}, {"hours", time.Hour}, {"hour", time.Hour},
		{"days", 24 * time.Hour}, {"day", 24 * time.Hour}, {"weeks", 7 * 24 * time.Hour}, {"week", 7 * 24 * time.Hour},
		{"months", 30 * 24 * time.Hour}, {"month", 30 * 24 * time.Hour}, {"years", 365 * 24 * time.Hour}, {"year", 365 * 24 * time.Hour}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			var k int
			if _, err := fmt.Sscanf(n, "%d", &k); err == nil && k >= 0 && k < 100000 {
				return now.Add(-time.Duration(k) * u.d), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD or e.g. 3days)", v)
}
