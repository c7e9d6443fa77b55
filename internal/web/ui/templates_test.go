package ui_test

import "testing"

// Pages parse on first use. All must parse in every locale, or a first
// visitor to that page in that language would get an error page.
func TestEveryPageParsesInEveryLocale(t *testing.T) {
	e := newEnv(t)
	if missing := e.pages.AllTemplatesParse(); missing != "" {
		t.Fatalf("template set %s does not parse", missing)
	}
}
