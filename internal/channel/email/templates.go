package email

import (
	"bytes"
	"html/template"
	"strings"

	"layan/internal/i18n"
	"layan/internal/sanitize"
)

// rendered is a notification ready to wrap in MIME.
type rendered struct {
	Subject string
	Text    string
	HTML    string
	Locale  string
}

// convItem is one message of the conversation shown in a mail.
type convItem struct {
	Author string
	At     string // formatted in the reader's language and time zone
	Text   string
	Source string        // the comment's stored HTML
	HTML   template.HTML // Source sanitised again, for the template
}

// mailView is what every template gets.
type mailView struct {
	Locale, Dir string
	Brand       string
	Greeting    string
	Marker      string // "type your reply above this line", for replies
	Intro       string
	Latest      *convItem
	Earlier     []convItem
	EarlierHead string
	LinkText    string
	Link        string
	Footer      string
}

var htmlTmpl = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Locale}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Brand}}</title></head>
<body dir="{{.Dir}}" style="font-family: Tahoma, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2937; direction: {{.Dir}}; text-align: {{if eq .Dir "rtl"}}right{{else}}left{{end}};">
{{if .Marker}}<p style="color: #6b7280; font-size: 12px;">{{.Marker}}</p>{{end}}
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
{{with .Latest}}<div style="border-inline-start: 3px solid #0f766e; padding-inline-start: 12px; margin: 12px 0;">
<p style="color: #6b7280; font-size: 13px;"><bdi>{{.Author}}</bdi> · {{.At}}</p>
<div dir="auto">{{.HTML}}</div></div>{{end}}
{{if .Earlier}}<div class="layan-quote"><p style="color: #6b7280; font-size: 13px;">{{.EarlierHead}}</p>
{{range .Earlier}}<div style="border-inline-start: 3px solid #d1d5db; padding-inline-start: 12px; margin: 8px 0; color: #4b5563;">
<p style="font-size: 13px;"><bdi>{{.Author}}</bdi> · {{.At}}</p><div dir="auto">{{.HTML}}</div></div>
{{end}}</div>{{end}}
{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>{{end}}
<p style="color: #9ca3af; font-size: 12px;">{{.Footer}}</p>
</body>
</html>
`))

func renderMail(v mailView) (rendered, error) {
	v.Dir = i18n.Dir(v.Locale)
	if v.Latest != nil {
		v.Latest.HTML = safeHTML(v.Latest)
	}
	for i := range v.Earlier {
		v.Earlier[i].HTML = safeHTML(&v.Earlier[i])
	}
	var h bytes.Buffer
	if err := htmlTmpl.Execute(&h, v); err != nil {
		return rendered{}, err
	}
	var t strings.Builder
	line := func(s string) {
		t.WriteString(s)
		t.WriteString("\n")
	}
	if v.Marker != "" {
		line(v.Marker)
		line("")
	}
	line(v.Greeting)
	line("")
	line(v.Intro)
	if v.Latest != nil {
		line("")
		line(v.Latest.Author + " · " + v.Latest.At)
		line(v.Latest.Text)
	}
	if len(v.Earlier) > 0 {
		line("")
		line("---- " + v.EarlierHead + " ----")
		for _, e := range v.Earlier {
			line("")
			line(e.Author + " · " + e.At)
			line(e.Text)
		}
	}
	if v.Link != "" {
		line("")
		line(v.LinkText + ": " + v.Link)
	}
	line("")
	line("-- ")
	line(v.Footer)
	return rendered{Text: t.String(), HTML: h.String(), Locale: v.Locale}, nil
}

// safeHTML is the comment's HTML, sanitised again for the mail.
func safeHTML(c *convItem) template.HTML {
	src := c.Source
	if strings.TrimSpace(src) == "" {
		src = sanitize.FromText(c.Text)
	}
	return template.HTML(sanitize.HTML(src)) //nolint:gosec // sanitised by bluemonday
}
