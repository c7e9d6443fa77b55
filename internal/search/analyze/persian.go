package analyze

// Persian light stemming. Letters are already normalised (Normalize) and
// ZWNJ-joined words arrive joined ("کتاب‌ها" → "کتابها"). The stemmer removes
// at most two suffixes from a short list (plural ها/های/ان/ات, possessives
// مان/تان/شان/ام/اش, the comparative تر/ترین, the adjectival/indefinite ی),
// then the verb prefix می/نمی, each only when enough of the word remains.
// It is deliberately light: documents and queries go through it alike, and
// the query side adds vocabulary-checked variants (single-letter endings م/ت/ش,
// verb endings) that would be too ambiguous to strip everywhere.

type faSuffix struct {
	s   string
	min int // letters that must remain
	n   int // len([]rune(s))
}

var faSuffixes = func() []faSuffix {
	list := []struct {
		s   string
		min int
	}{
		{"هایمان", 2}, {"هایتان", 2}, {"هایشان", 2},
		{"هایم", 2}, {"هایت", 2}, {"هایش", 2}, {"هایی", 2}, {"های", 2}, {"ها", 2},
		{"ترین", 3}, {"مان", 3}, {"تان", 3}, {"شان", 3},
		{"تر", 3}, {"ات", 3}, {"ان", 3}, {"ین", 3}, {"ام", 3}, {"اش", 3},
		{"ی", 4},
	}
	out := make([]faSuffix, len(list))
	for i, x := range list {
		out[i] = faSuffix{x.s, x.min, len([]rune(x.s))}
	}
	return out
}()

// StemPersian returns the light stem of a normalised Persian word.
func StemPersian(word string) string {
	r := []rune(word)
	for pass := 0; pass < 2; pass++ {
		stripped := false
		for _, s := range faSuffixes {
			if len(r)-s.n >= s.min && runesHasSuffix(r, s.s) {
				r = r[:len(r)-s.n]
				stripped = true
				break
			}
		}
		if !stripped {
			break
		}
	}
	for _, p := range []string{"نمی", "می"} {
		if n := len([]rune(p)); len(r)-n >= 3 && runesHasPrefix(r, p) {
			r = r[n:]
			break
		}
	}
	return string(r)
}

// persianVariants are query-side guesses: endings too ambiguous to strip at
// index time (سفارشم "my order", بفرستم "that I send"). The caller keeps only
// those the index knows.
func persianVariants(word string) []string {
	r := []rune(word)
	var out []string
	add := func(s []rune) {
		if len(s) >= 2 {
			out = append(out, StemPersian(string(s)))
		}
	}
	for _, s := range []string{"ید", "یم", "ند", "ست", "م", "ت", "ش", "ی", "ه"} {
		if n := len([]rune(s)); len(r)-n >= 3 && runesHasSuffix(r, s) {
			add(r[:len(r)-n])
		}
	}
	for _, p := range []string{"ب", "ن"} {
		if len(r) >= 4 && runesHasPrefix(r, p) {
			add(r[1:])
			if len(r) >= 5 && (runesHasSuffix(r, "م") || runesHasSuffix(r, "ی") || runesHasSuffix(r, "د")) {
				add(r[1 : len(r)-1])
			}
		}
	}
	return out
}
