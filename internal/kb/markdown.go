package kb

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// md renders CommonMark with GitHub tables, strikethrough and autolinks. Raw
// HTML in the source is kept (Zendesk clients send HTML bodies), and the
// result always goes through sanitize.HTML, which removes anything active.
var md = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))

func markdownToHTML(src string) string {
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		return ""
	}
	return b.String()
}
