package kb

import (
	"strings"
	"testing"

	"layan/internal/search/analyze"
)

// snippetWord's ASCII shortcut must give what analysing the field gives.
func TestSnippetWordMatchesAnalyzer(t *testing.T) {
	fields := []string{"Hello,", "abc", "A-b_c", "(x)", "...", "x9Y", "don't", "e-mail", "ÄBC", "سلام", "a\u200cb", "123", "Z[a]", "**Bold**"}
	for c := 0; c < 128; c++ {
		fields = append(fields, "a"+string(rune(c))+"B")
	}
	for _, f := range fields {
		if got, want := snippetWord(f), strings.Join(analyze.Words(f), ""); got != want {
			t.Errorf("%q: %q, want %q", f, got, want)
		}
	}
}
