package i18n

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Accept-Language is client-controlled; these bound the work per request.
const (
	maxAcceptLanguageLen     = 1024
	maxAcceptLanguageEntries = 16
)

// Negotiate returns the entry of offered that best matches an Accept-Language
// header ("fa-IR,fa;q=0.9,en;q=0.8"), honouring q-values; with no acceptable
// match, or an empty header, it returns offered[0] (Default if offered is
// empty). Matching uses golang.org/x/text/language, so "in-ID" finds "id",
// "pes" finds "fa" and "ms" finds "id".
//
// Unlike language.ParseAcceptLanguage, one malformed entry does not discard
// the whole header: each entry is parsed on its own and bad ones are skipped.
func Negotiate(acceptLanguage string, offered []string) string {
	if len(offered) == 0 {
		return Default
	}
	desired := parseAcceptLanguage(acceptLanguage)
	if len(desired) == 0 {
		return offered[0]
	}
	_, i, conf := matcherFor(offered).Match(desired...)
	// The matcher still names a tag at confidence No (for "ar" it picks "fa"
	// because both use the Arabic script), so check the confidence.
	if conf == language.No || i < 0 || i >= len(offered) {
		return offered[0]
	}
	return offered[i]
}

// parseAcceptLanguage returns the acceptable tags, best first (stable for
// equal q-values); entries with q=0 are excluded.
func parseAcceptLanguage(h string) []language.Tag {
	if len(h) > maxAcceptLanguageLen {
		h = h[:maxAcceptLanguageLen]
	}
	type entry struct {
		tag language.Tag
		q   float32
	}
	var entries []entry
	for part := range strings.SplitSeq(h, ",") {
		if len(entries) == maxAcceptLanguageEntries {
			break
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tags, qs, err := language.ParseAcceptLanguage(part)
		if err != nil || len(tags) != 1 || qs[0] > 1 {
			continue
		}
		entries = append(entries, entry{tags[0], qs[0]})
	}
	// Insertion sort keeps it stable and allocation-free for a handful of entries.
	for i := 1; i < len(entries); i++ {
		for j := i; j > 0 && entries[j].q > entries[j-1].q; j-- {
			entries[j], entries[j-1] = entries[j-1], entries[j]
		}
	}
	tags := make([]language.Tag, len(entries))
	for i, e := range entries {
		tags[i] = e.tag
	}
	return tags
}

// Building a matcher is far costlier than matching, and callers pass the
// same short list on every request, so matchers are cached by that list. The
// cache is bounded in case some caller builds lists from request data.
var matchers struct {
	sync.RWMutex
	m map[string]language.Matcher // strings.Join(offered, ",") → matcher
}

const maxCachedMatchers = 64

func matcherFor(offered []string) language.Matcher {
	key := strings.Join(offered, ",")
	matchers.RLock()
	m, ok := matchers.m[key]
	matchers.RUnlock()
	if ok {
		return m
	}
	tags := make([]language.Tag, len(offered))
	for i, o := range offered {
		tags[i] = language.Make(o) // an unparsable entry becomes "und" and never matches
	}
	m = language.NewMatcher(tags)
	matchers.Lock()
	if matchers.m == nil {
		matchers.m = make(map[string]language.Matcher)
	}
	if len(matchers.m) < maxCachedMatchers {
		matchers.m[key] = m
	}
	matchers.Unlock()
	return m
}
