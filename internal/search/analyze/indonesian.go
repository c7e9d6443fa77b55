package analyze

import (
	"slices"
	"strings"
)

// Indonesian stemming: our implementation of the published Snowball
// Indonesian algorithm (Tala's stemmer, snowballstem.org/algorithms/indonesian).
// CI checks it word for word against PostgreSQL's indonesian_stem dictionary.
//
// The algorithm counts vowels as a measure of syllables and stops when two or
// fewer remain. In order it removes a particle (-kah, -lah, -pun), a
// possessive (-ku, -mu, -nya), then either a first-order prefix (di-, ke-,
// me-, meng-, meny-, mem-, men-, pem-, pen-, peng-, peny-, ter-) followed by
// a suffix (-i, -an, -kan) and a second-order prefix (be-, ber-, pe-, per-),
// or a second-order prefix followed by a suffix. Which suffixes may go
// depends on the prefix removed ("ke...an" keeps -kan, "di...i" keeps -an).

// prefix kinds, as the algorithm numbers them.
const (
	idPrefixNone = 0
	idPrefixDi   = 1 // di-, meng-, me-, men-, mem-, meny-, ter-
	idPrefixPer  = 2 // pe-, per-
	idPrefixKe   = 3 // ke-, peng-, pen-, pem-, peny-
	idPrefixBer  = 4 // be-, ber-
)

func idVowel(r rune) bool { return r == 'a' || r == 'e' || r == 'i' || r == 'o' || r == 'u' }

func runesHasPrefix(w []rune, p string) bool {
	i := 0
	for _, r := range p {
		if i >= len(w) || w[i] != r {
			return false
		}
		i++
	}
	return true
}

func runesHasSuffix(w []rune, s string) bool {
	rs := []rune(s)
	if len(rs) > len(w) {
		return false
	}
	off := len(w) - len(rs)
	for i, r := range rs {
		if w[off+i] != r {
			return false
		}
	}
	return true
}

// StemIndonesian returns the Snowball Indonesian stem of a lower-case word.
func StemIndonesian(word string) string {
	st, _ := stemIndonesian(word)
	return st
}

// idFirstPrefix is the first-order prefix the stemmer removed, for the
// query-side variants that restore a dropped initial consonant.
type idFirstPrefix string

func stemIndonesian(word string) (string, idFirstPrefix) {
	w := []rune(word)
	measure := 0
	for _, r := range w {
		if idVowel(r) {
			measure++
		}
	}
	if measure <= 2 {
		return word, ""
	}
	// Particle.
	for _, p := range []string{"kah", "lah", "pun"} {
		if runesHasSuffix(w, p) {
			w = w[:len(w)-3]
			measure--
			break
		}
	}
	if measure <= 2 {
		return string(w), ""
	}
	// Possessive pronoun.
	switch {
	case runesHasSuffix(w, "nya"):
		w = w[:len(w)-3]
		measure--
	case runesHasSuffix(w, "ku"), runesHasSuffix(w, "mu"):
		w = w[:len(w)-2]
		measure--
	}
	if measure <= 2 {
		return string(w), ""
	}
	prefix := idPrefixNone
	if nw, kind, removed, ok := idRemoveFirstOrder(w); ok {
		w, prefix = nw, kind
		measure--
		if measure > 2 {
			if nw, ok := idRemoveSuffix(w, prefix); ok {
				w = nw
				measure--
				if measure > 2 {
					// After a replacement (meny- → s, mem- → p) the algorithm's
					// cursor sits after the new letter, so a second-order prefix
					// is looked for there (pemeriksaan → periksa, not iksa).
					off := 0
					if strings.HasSuffix(string(removed), "!") {
						off = 1
					}
					if nw, _, ok := idRemoveSecondOrder(w[off:], prefix); ok {
						w = append(append([]rune{}, w[:off]...), nw...)
					}
				}
			}
		}
		return string(w), idFirstPrefix(strings.TrimSuffix(string(removed), "!"))
	}
	if nw, kind, ok := idRemoveSecondOrder(w, prefix); ok {
		w, prefix = nw, kind
		measure--
	}
	if measure > 2 {
		if nw, ok := idRemoveSuffix(w, prefix); ok {
			w = nw
		}
	}
	return string(w), ""
}

// idRemoveFirstOrder tries the longest matching first-order prefix whose
// condition holds, falling back to shorter ones (meny- before a consonant is
// taken as men-).
func idRemoveFirstOrder(w []rune) ([]rune, int, idFirstPrefix, bool) {
	after := func(n int) (rune, bool) {
		if n < len(w) {
			return w[n], true
		}
		return 0, false
	}
	vowelAt := func(n int) bool { r, ok := after(n); return ok && idVowel(r) }
	replace := func(n int, with string) []rune {
		out := make([]rune, 0, len(w)-n+len(with))
		out = append(out, []rune(with)...)
		return append(out, w[n:]...)
	}
	type rule struct {
		p    string
		kind int
	}
	for _, r := range []rule{
		{"meng", idPrefixDi}, {"meny", idPrefixDi}, {"peng", idPrefixKe}, {"peny", idPrefixKe},
		{"mem", idPrefixDi}, {"men", idPrefixDi}, {"pem", idPrefixKe}, {"pen", idPrefixKe}, {"ter", idPrefixDi},
		{"di", idPrefixDi}, {"ke", idPrefixKe}, {"me", idPrefixDi},
	} {
		if !runesHasPrefix(w, r.p) {
			continue
		}
		n := len(r.p)
		switch r.p {
		case "meny", "peny":
			if !vowelAt(n) {
				continue // falls back to men-/pen-
			}
			return replace(n, "s"), r.kind, idFirstPrefix(r.p + "!"), true
		case "mem", "pem":
			if vowelAt(n) {
				return replace(n, "p"), r.kind, idFirstPrefix(r.p + "!"), true
			}
			return replace(n, ""), r.kind, idFirstPrefix(r.p + "+c"), true
		}
		return replace(n, ""), r.kind, idFirstPrefix(r.p), true
	}
	return w, 0, "", false
}

// idRemoveSecondOrder removes be-/ber-/pe-/per- (and turns belajar/pelajar
// into ajar).
func idRemoveSecondOrder(w []rune, prefix int) ([]rune, int, bool) {
	switch {
	case runesHasPrefix(w, "belajar"):
		return append([]rune("ajar"), w[7:]...), idPrefixBer, true
	case runesHasPrefix(w, "ber"):
		return w[3:], idPrefixBer, true
	case runesHasPrefix(w, "be"):
		// be- only before consonant + "er" (bekerja → kerja).
		if len(w) >= 5 && !idVowel(w[2]) && w[3] == 'e' && w[4] == 'r' {
			return w[2:], idPrefixBer, true
		}
		return w, prefix, false
	case runesHasPrefix(w, "pelajar"):
		return append([]rune("ajar"), w[7:]...), prefix, true
	case runesHasPrefix(w, "per"):
		return w[3:], idPrefixPer, true
	case runesHasPrefix(w, "pe"):
		return w[2:], idPrefixPer, true
	}
	return w, prefix, false
}

// idRemoveSuffix removes -kan, -an or -i when the prefix allows it.
func idRemoveSuffix(w []rune, prefix int) ([]rune, bool) {
	if runesHasSuffix(w, "kan") && prefix != idPrefixKe && prefix != idPrefixPer {
		return w[:len(w)-3], true
	}
	if runesHasSuffix(w, "an") && prefix != idPrefixDi {
		return w[:len(w)-2], true
	}
	if runesHasSuffix(w, "i") && prefix <= idPrefixPer && !(len(w) >= 2 && w[len(w)-2] == 's') {
		return w[:len(w)-1], true
	}
	return w, false
}

// IndonesianTerms are the index terms of an Indonesian word: the Snowball
// stem first, then what the algorithm alone loses. A nasal prefix swallows
// the root's first consonant (mengirim → irim, but kirim; menulis → ulis, but
// tulis; memasak → pasak, but masak; mengecek → ecek, but cek), and a
// second-order prefix can take a syllable that belongs to the root
// (pesanan → sanan, but pesan; kembali → mbali). The word itself comes last,
// so an exact form scores too. Documents and queries both get every term, so
// "mengirim", "pengiriman", "dikirimkan" and "kirim" meet.
func IndonesianTerms(word string) []string {
	stem, removed := stemIndonesian(word)
	out := []string{stem}
	add := func(s string) {
		if len(s) >= 3 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if stem != "" && idVowel(rune(stem[0])) {
		switch removed {
		case "meng", "peng":
			add("k" + stem)
			if stem[0] == 'e' && len(stem) > 3 {
				add(stem[1:]) // menge-/penge- before a one-syllable root
			}
		case "men", "pen":
			add("t" + stem)
		}
	}
	if (removed == "mem" || removed == "pem") && strings.HasPrefix(stem, "p") {
		add("m" + stem[1:])
	}
	add(idLightStem(word))
	if stem == word && strings.HasPrefix(word, "di") {
		add(word[2:]) // too short for the algorithm: dicek → cek
	}
	add(word)
	return out
}

// idLightStem removes only endings (particle, possessive, -kan/-an/-i) while
// at least two vowels remain.
func idLightStem(word string) string {
	w := []rune(word)
	vowels := func() int {
		n := 0
		for _, r := range w {
			if idVowel(r) {
				n++
			}
		}
		return n
	}
	for _, group := range [][]string{{"kah", "lah", "pun"}, {"nya", "ku", "mu"}, {"kan", "an", "i"}} {
		for _, s := range group {
			if runesHasSuffix(w, s) {
				rest := w[:len(w)-len(s)]
				save := w
				w = rest
				if vowels() < 2 {
					w = save
				}
				break
			}
		}
	}
	return string(w)
}
