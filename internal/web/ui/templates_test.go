package ui_test

import "testing"

// English templates parse at start; Indonesian and Persian on first use. All
// must parse, or a first visitor in that language would get an error page.
func TestEveryPageParsesInEveryLocale(t *testing.T) {
	e := newEnv(t)
	if missing := e.pages.AllTemplatesParse(); missing != "" {
		t.Fatalf("template set %s does not parse", missing)
	}
}
