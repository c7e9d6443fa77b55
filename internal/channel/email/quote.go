package email

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"layan/internal/i18n"
)

// Quoted history and signatures are cut from what the ticket shows; the full
// text stays on the stored message and in the raw message.

var (
	// Attribution lines that start a quoted reply, in the languages we serve
	// and the clients that write them.
	attributionRE = regexp.MustCompile(`(?i)^\s*(` +
		`on\s.{1,200}\bwrote:?` + // Gmail, Apple Mail, Thunderbird (en)
		`|pada\s.{1,200}\bmenulis:?` + // Indonesian
		`|.{0,200}\s(نوشت|نوشته است)\s*:?` + // Persian
		`|-{2,}\s*original message\s*-{2,}` +
		`|-{2,}\s*pesan asli\s*-{2,}` +
		`|_{10,}` + // Outlook's rule
		`|from:\s.+` + // Outlook header block
		`|dari:\s.+` +
		`|از:\s.+` +
		`)\s*$`)
	signatureRE  = regexp.MustCompile(`(?i)^\s*(sent from my .{1,40}|dikirim dari .{1,40}|ارسال شده از .{1,40}|get outlook for .{1,40})\s*$`)
	replyMarkers = func() []string {
		var out []string
		for _, l := range i18n.Supported {
			out = append(out, i18n.T(l, "email.reply_above"))
		}
		return out
	}()
)

// stripQuotes returns the new part of a plain-text reply: everything before
// our reply marker, an attribution line, trailing ">" quotes or a "-- "
// signature. When nothing would be left it returns the text unchanged.
func stripQuotes(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if isReplyMarker(t) {
			cut = i
			break
		}
		if l == "-- " || t == "--" && i > 0 {
			cut = i
			break
		}
		if attributionRE.MatchString(l) && i > 0 {
			// An Outlook "From:" block counts only when a "Sent:"/"To:" line follows.
			if strings.HasPrefix(strings.ToLower(t), "from:") || strings.HasPrefix(strings.ToLower(t), "dari:") || strings.HasPrefix(t, "از:") {
				if !headerBlockFollows(lines[i+1:]) {
					continue
				}
			}
			cut = i
			break
		}
		if strings.HasPrefix(t, ">") && allQuoted(lines[i:]) {
			cut = i
			break
		}
		if signatureRE.MatchString(l) {
			cut = i
			break
		}
	}
	out := strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	if out == "" {
		return strings.TrimSpace(text)
	}
	return out
}

func isReplyMarker(t string) bool {
	for _, m := range replyMarkers {
		if strings.Contains(t, m) {
			return true
		}
	}
	return false
}

func headerBlockFollows(lines []string) bool {
	for i, l := range lines {
		if i >= 4 {
			break
		}
		ll := strings.ToLower(strings.TrimSpace(l))
		for _, p := range []string{"sent:", "to:", "date:", "subject:", "dikirim:", "kepada:", "tanggal:", "ارسال:", "به:", "تاریخ:"} {
			if strings.HasPrefix(ll, p) {
				return true
			}
		}
	}
	return false
}

// allQuoted: every non-blank line from here on is quoted.
func allQuoted(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}

// stripHTMLQuotes removes the quoted history that mail clients mark in HTML
// (Gmail's gmail_quote, Apple's and Thunderbird's cite blockquotes, Outlook's
// divRplyFwdMsg and what follows it, our own reply marker). It returns the
// input when it cannot parse it or when nothing would remain.
func stripHTMLQuotes(in string) string {
	doc, err := html.Parse(strings.NewReader(in))
	if err != nil {
		return in
	}
	var remove []*html.Node
	var cutAfter *html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			cls, id, typ := attr(n, "class"), attr(n, "id"), attr(n, "type")
			switch {
			case strings.Contains(cls, "gmail_quote"), strings.Contains(cls, "moz-cite-prefix"),
				strings.Contains(cls, "yahoo_quoted"), n.Data == "blockquote" && typ == "cite",
				id == "appendonsend", strings.Contains(cls, "layan-quote"):
				remove = append(remove, n)
				return
			case id == "divRplyFwdMsg" && cutAfter == nil:
				cutAfter = n
				return
			}
		}
		if n.Type == html.TextNode && isReplyMarker(strings.TrimSpace(n.Data)) && cutAfter == nil {
			cutAfter = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(remove) == 0 && cutAfter == nil {
		return in
	}
	for _, n := range remove {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	if cutAfter != nil {
		// Remove the marker and everything after it, at every level up to the body.
		for n := cutAfter; n != nil && n.Parent != nil && n.Data != "body"; n = n.Parent {
			for s := n.NextSibling; s != nil; {
				next := s.NextSibling
				n.Parent.RemoveChild(s)
				s = next
			}
		}
		if cutAfter.Parent != nil {
			cutAfter.Parent.RemoveChild(cutAfter)
		}
	}
	var b bytes.Buffer
	body := find(doc, "body")
	if body == nil {
		return in
	}
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return in
		}
	}
	if strings.TrimSpace(textOf(body)) == "" && !strings.Contains(b.String(), "<img") {
		return in
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func find(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, tag); f != nil {
			return f
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
