package kb

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// md renders CommonMark with GitHub tables, strikethrough and autolinks. Raw
// HTML in the source is not passed through (goldmark's default); the result
// still goes through sanitize.HTML.
var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

func markdownToHTML(src string) string {
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		return ""
	}
	return b.String()
}
