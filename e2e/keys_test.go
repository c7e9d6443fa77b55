package e2e_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The keyboard shortcuts work: "?" shows the help, j/o open a ticket from a
// list, r starts a reply and "/" goes to the search box.
func TestKeyboardShortcuts(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, "tom@layan.test")
	waitFor(t, ctx, "scripts loaded", `document.documentElement.classList.contains('js')`)
	step(t, ctx, "press ?", chromedp.KeyEvent("?"))
	waitFor(t, ctx, "the help dialog opens", `document.getElementById('shortcuts-dialog').open`)
	screenshot(t, ctx, "shortcuts-help")
	step(t, ctx, "close it", chromedp.KeyEvent("\x1b")) // Escape
	waitFor(t, ctx, "the help dialog closes", `!document.getElementById('shortcuts-dialog').open`)

	step(t, ctx, "press j", chromedp.KeyEvent("j"))
	waitFor(t, ctx, "the first row is highlighted", `document.querySelector('tr.is-cursor') !== null`)
	value(t, ctx, "press o", chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent("o")))
	if loc := value(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/agent/tickets/"+strconv.FormatInt(s.Ticket.ID, 10)) {
		t.Fatalf("o opened %s", loc)
	}
	waitFor(t, ctx, "ticket scripts loaded", `document.querySelector('.ticket-page').dataset.live === 'open'`)
	step(t, ctx, "press n", chromedp.KeyEvent("n"))
	waitFor(t, ctx, "the reply box is focused as an internal note",
		`document.activeElement.id === 'reply-body' && document.getElementById('ticket-form').classList.contains('is-internal')`)
	step(t, ctx, "leave the box", chromedp.KeyEvent("\x1b"), chromedp.KeyEvent("/"))
	waitFor(t, ctx, "the search box is focused", `document.activeElement.id === 'topsearch-q'`)
}
