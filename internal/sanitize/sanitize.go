// Package sanitize is the one place untrusted HTML (email, chat, API comments,
// articles) is cleaned before it is stored or shown.
package sanitize

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

var (
	ugc    = newUGC()
	strict = bluemonday.StrictPolicy()
)

func newUGC() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("dir").Globally()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	return p
}

// HTML returns html with scripts, event handlers, styles and dangerous URLs removed.
func HTML(untrusted string) string { return ugc.Sanitize(untrusted) }

var blockEnd = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>|</h[1-6]>|</tr>`)
var blankLines = regexp.MustCompile(`\n{3,}`)
var paragraphBreak = regexp.MustCompile(`\n{2,}`)

// Text extracts readable plain text from HTML, keeping line breaks at block ends.
func Text(untrusted string) string {
	s := blockEnd.ReplaceAllString(untrusted, "$0\n")
	s = html.UnescapeString(strict.Sanitize(s))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// FromText renders plain text as safe HTML: escaped, paragraphs and line breaks kept.
func FromText(text string) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range paragraphBreak.Split(text, -1) {
		b.WriteString(`<p dir="auto">`)
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}
