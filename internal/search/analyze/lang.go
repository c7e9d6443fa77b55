package analyze

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// Lang is a language the analyser knows.
type Lang string

// The three first-class languages.
const (
	English    Lang = "en"
	Indonesian Lang = "id"
	Persian    Lang = "fa"
)

// Langs lists them.
var Langs = []Lang{English, Indonesian, Persian}

// ParseLang reads a locale ("id", "id-ID", "fa_IR", "EN") into a Lang; ok is
// false for a language the analyser does not know.
func ParseLang(locale string) (Lang, bool) {
	base := strings.ToLower(locale)
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	switch Lang(base) {
	case English, Indonesian, Persian:
		return Lang(base), true
	case "in": // the old ISO code for Indonesian
		return Indonesian, true
	}
	return "", false
}

// StemEnglish returns the Snowball English (Porter2) stem of a lower-case word.
func StemEnglish(word string) string {
	env := snowballstem.NewEnv(word)
	english.Stem(env)
	return env.Current()
}

// Stem returns the index term of a normalised word in language l.
func Stem(l Lang, word string) string {
	if !isLatinWord(word) {
		if l == Persian || hasArabicScript(word) {
			return StemPersian(word)
		}
		return word
	}
	switch l {
	case English:
		return StemEnglish(word)
	case Indonesian:
		return StemIndonesian(word)
	}
	return word
}

func isLatinWord(w string) bool {
	for _, r := range w {
		if r > unicode.MaxLatin1 && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

func hasArabicScript(w string) bool {
	for _, r := range w {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

func allDigits(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Words splits text into normalised surface words; a ZWNJ-joined word comes
// out joined, so every spelling of it is one word.
func Words(text string) []string { return QueryTerms(text) }

// keep reports whether a normalised word carries meaning in language l: not a
// stop word, and not a lone Latin letter.
func keep(l Lang, w string) bool {
	if IsStop(l, w) {
		return false
	}
	if len(w) == 1 && w[0] < 0x80 && !allDigits(w) {
		return false
	}
	return true
}

var hyphenated = regexp.MustCompile(`[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+`)

// Token is one word of a document with its index terms: the stem in the
// document's language first, then readings the stemmer alone would miss
// (Indonesian: the consonant a nasal prefix swallowed, the base a pe-/ber-
// prefix hid).
type Token struct {
	Word  string   // the normalised surface word
	Terms []string // Terms[0] is the stem
}

// Tokens analyses a document in language l: normalised words, stop words
// removed, each stemmed. Persian words split by a space from their affix
// (می توانم, کتاب ها) are joined first, as a ZWNJ would have.
func Tokens(l Lang, text string) []Token {
	words := Words(text)
	if l == Persian || hasArabicScript(text) {
		// Terms gives a ZWNJ word joined and in parts (علاقه‌مندی‌ها:
		// علاقهمندیها, علاقه, مندی, ها), so either spelling finds it.
		words = joinPersianAffixes(Terms(text))
	}
	// Hyphenated compounds also count joined: pre-order, e-mail, check-in.
	for _, m := range hyphenated.FindAllString(Normalize(text), -1) {
		words = append(words, strings.ReplaceAll(m, "-", ""))
	}
	out := make([]Token, 0, len(words))
	for _, w := range words {
		if !keep(l, w) {
			continue
		}
		out = append(out, Token{Word: w, Terms: terms(l, w)})
	}
	return out
}

// terms are the index terms of one kept word.
func terms(l Lang, w string) []string {
	if l == Indonesian && isLatinWord(w) && !allDigits(w) {
		return IndonesianTerms(w)
	}
	return []string{Stem(l, w)}
}

// DocTerms lists every index term of a document, in order.
func DocTerms(l Lang, text string) []string {
	var out []string
	for _, t := range Tokens(l, text) {
		out = append(out, t.Terms...)
	}
	return out
}

var faDetached = struct{ prefix, suffix map[string]bool }{
	prefix: set("می نمی"),
	suffix: set("ها های هایی هایم هایت هایش هایمان هایتان هایشان ام ات اش ای ایم اید اند تر ترین"),
}

// joinPersianAffixes joins a verb prefix written apart from its verb and a
// plural or possessive ending written apart from its noun.
func joinPersianAffixes(words []string) []string {
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if faDetached.prefix[w] && i+1 < len(words) && hasArabicScript(words[i+1]) {
			w += words[i+1]
			i++
		}
		for i+1 < len(words) && faDetached.suffix[words[i+1]] && hasArabicScript(w) {
			w += words[i+1]
			i++
		}
		out = append(out, w)
	}
	return out
}

// Detect guesses the language of a short text: Persian for Arabic script,
// otherwise English or Indonesian by their stop words and affixes; hint
// breaks ties.
func Detect(text string, hint Lang) Lang {
	words := Words(text)
	var en, id, fa int
	for _, w := range words {
		if hasArabicScript(w) {
			fa++
			continue
		}
		if stopWords[English][w] {
			en++
		}
		if stopWords[Indonesian][w] {
			id++
		}
		if _, removed := stemIndonesian(w); removed != "" {
			id++
		}
		if strings.HasSuffix(w, "nya") || strings.HasSuffix(w, "kan") {
			id++
		}
		if strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "tion") {
			en++
		}
	}
	switch {
	case fa > 0 && fa >= en+id:
		return Persian
	case en > id:
		return English
	case id > en:
		return Indonesian
	}
	if hint != "" {
		return hint
	}
	return English
}

// WordTerms are the index terms of one normalised word in language l (none
// for a stop word), for marking matches in a snippet.
func WordTerms(l Lang, w string) []string {
	// A struct key: a snippet looks up every word of a page's bodies, and
	// building a string key allocated each time.
	wordCache.RLock()
	ts, ok := wordCache.m[wordKey{l, w}]
	wordCache.RUnlock()
	if ok {
		return ts
	}
	if keep(l, w) {
		ts = terms(l, w)
	}
	wordCache.Lock()
	if len(wordCache.m) > 200_000 {
		wordCache.m = map[wordKey][]string{}
	}
	wordCache.m[wordKey{l, strings.Clone(w)}] = ts // w may be a slice of a whole body
	wordCache.Unlock()
	return ts
}

type wordKey struct {
	l Lang
	w string
}

var wordCache = struct {
	sync.RWMutex
	m map[wordKey][]string
}{m: map[wordKey][]string{}}
