package analyze

import (
	"slices"
	"strings"
)

// Alt is one index term a query word may match, with the weight of that
// reading (the word's own stem 1; a guess such as a restored prefix lower).
type Alt struct {
	Term   string
	Weight float64
}

// QueryWord is a meaningful word of a query and the terms it may match. The
// search layer keeps only the alternatives the index knows, and looks for
// near spellings of words it does not know at all.
type QueryWord struct {
	Word string // normalised surface word
	Alts []Alt
}

// Query analyses a search query. The language is detected (hint, usually the
// visitor's locale, breaks ties); Latin words also get their stem in the other
// Latin language, so an English word typed in the Indonesian portal still
// finds English articles.
func Query(text string, hint Lang) (Lang, []QueryWord) {
	l := Detect(text, hint)
	words := Words(text)
	persian := l == Persian || hasArabicScript(text)
	if persian {
		words = joinPersianAffixes(words)
	}
	syn := synonymAlts(words)
	var out []QueryWord
	seen := map[string]int{}
	var orphan []string // synonyms reached through stop words only ("where is")
	for i, w := range words {
		qw, ok := queryWord(l, w)
		if !ok {
			orphan = append(orphan, syn[i]...)
			continue
		}
		if j, dup := seen[w]; dup {
			for _, t := range syn[i] {
				out[j].add(t, 0.85)
			}
			continue
		}
		for _, t := range syn[i] {
			qw.add(t, 0.85)
		}
		// A Persian compound may be written apart (علاقه مندی, دو مرحله ای)
		// where the article joins it.
		if persian && i+1 < len(words) && hasArabicScript(w) && hasArabicScript(words[i+1]) {
			qw.add(StemPersian(w+words[i+1]), 0.9)
		}
		if persian && i > 0 && hasArabicScript(w) && hasArabicScript(words[i-1]) {
			qw.add(StemPersian(words[i-1]+w), 0.9)
		}
		seen[w] = len(out)
		out = append(out, qw)
	}
	if len(orphan) > 0 {
		qw := QueryWord{Word: "~"}
		for _, t := range orphan {
			qw.add(t, 0.85)
		}
		out = append(out, qw)
	}
	return l, out
}

func (qw *QueryWord) add(term string, weight float64) {
	if term == "" {
		return
	}
	for i, a := range qw.Alts {
		if a.Term == term {
			qw.Alts[i].Weight = max(a.Weight, weight)
			return
		}
	}
	qw.Alts = append(qw.Alts, Alt{term, weight})
}

func queryWord(l Lang, w string) (QueryWord, bool) {
	qw := QueryWord{Word: w}
	add := qw.add
	if hasArabicScript(w) {
		if !keep(Persian, w) {
			return qw, false
		}
		add(StemPersian(w), 1)
		for _, v := range persianVariants(w) {
			add(v, 0.8)
		}
		return qw, len(qw.Alts) > 0
	}
	if !isLatinWord(w) || allDigits(w) {
		if !keep(l, w) {
			return qw, false
		}
		add(w, 1)
		return qw, true
	}
	if l != English && l != Indonesian {
		l = English
	}
	if !keep(l, w) {
		return qw, false
	}
	en, id := 1.0, 0.9
	if l == Indonesian {
		en, id = 0.9, 1.0
	}
	if l == English || keep(English, w) {
		add(StemEnglish(w), en)
	}
	if l == Indonesian || keep(Indonesian, w) {
		for i, t := range IndonesianTerms(w) {
			if i > 0 {
				add(t, id*0.95)
			} else {
				add(t, id)
			}
		}
	}
	for _, v := range colloquialIndonesian(w) {
		for _, t := range IndonesianTerms(v) {
			add(t, 0.8)
		}
	}
	add(w, 0.7) // a term indexed unstemmed (a product name in a Persian article)
	return qw, true
}

// colloquialIndonesian rewrites Jakarta forms to standard ones: the bare
// nasal prefix (ngirim, nyari, ngecek), -in for -kan/-i (kirimin), -e for
// -ai (sampe, pake).
func colloquialIndonesian(w string) []string {
	var raw []string
	switch {
	case strings.HasPrefix(w, "nge") && len(w) > 5:
		raw = append(raw, w[3:])
	case strings.HasPrefix(w, "ng") && len(w) > 4 && idVowel(rune(w[2])):
		raw = append(raw, w[2:], "k"+w[2:])
	case strings.HasPrefix(w, "ny") && len(w) > 4 && idVowel(rune(w[2])):
		raw = append(raw, "s"+w[2:], "c"+w[2:])
	}
	for _, base := range append([]string{w}, raw...) {
		if strings.HasSuffix(base, "in") && len(base) > 5 {
			raw = append(raw, base[:len(base)-2])
		}
		if strings.HasSuffix(base, "e") && len(base) > 3 {
			raw = append(raw, base[:len(base)-1]+"ai")
		}
	}
	var out []string
	for _, r := range raw {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
