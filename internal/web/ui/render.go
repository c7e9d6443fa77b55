package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"layan/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

// templates holds one template set per page and locale: the shared files
// (templates/shared: layout, partials) plus the page's own file, with
// template functions bound to the locale, so templates say {{t "key"}}.
// Each set is parsed on its first use: every set repeats the shared files'
// parse trees, and all pages in three locales would keep ~70 MB in an idle
// server that renders a handful of pages. The templates are embedded, so a
// test (TestEveryPageParsesInEveryLocale) proves every set parses.
type templates struct {
	mu    sync.RWMutex
	sets  map[string]*template.Template // locale + "/" + page → set
	files map[string]string             // page → its file
}

func mustParseTemplates(*assets) *templates {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(pages) == 0 {
		panic(fmt.Sprintf("ui: templates: %v", err))
	}
	ts := &templates{sets: map[string]*template.Template{}, files: map[string]string{}}
	for _, page := range pages {
		ts.files[strings.TrimSuffix(path.Base(page), ".html")] = page
	}
	return ts
}

// get returns a page's set in locale (English when the locale is unknown),
// parsing it on its first use; nil when the page does not exist or does not
// parse (the error is returned by parse, which tests call).
func (ts *templates) get(locale, page string) *template.Template {
	t, _ := ts.parse(locale, page)
	return t
}

func (ts *templates) parse(locale, page string) (*template.Template, error) {
	if !slices.Contains(i18n.Supported, locale) {
		locale = i18n.Default
	}
	key := locale + "/" + page
	ts.mu.RLock()
	t, ok := ts.sets[key]
	ts.mu.RUnlock()
	if ok {
		return t, nil
	}
	file, ok := ts.files[page]
	if !ok {
		return nil, fmt.Errorf("ui: no page %q", page)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.sets[key]; ok {
		return t, nil
	}
	t, err := template.New(page).Funcs(funcs(locale)).ParseFS(templateFS, "templates/shared/*.html", file)
	if err != nil {
		return nil, fmt.Errorf("ui: template %s: %w", file, err)
	}
	ts.sets[key] = t
	return t, nil
}

// funcs are the template functions for one locale. Everything they return
// is plain text that html/template escapes, except sanitized, which marks
// comment HTML that package sanitize has already cleaned.
func funcs(locale string) template.FuncMap {
	tr := func(prefix string) func(string) string {
		return func(v string) string {
			if v == "" {
				return i18n.T(locale, "common.none")
			}
			return i18n.T(locale, prefix+v)
		}
	}
	return template.FuncMap{
		"t":        func(key string, args ...any) string { return i18n.T(locale, key, args...) },
		"digits":   func(s string) string { return i18n.Digits(locale, s) },
		"status":   tr("status."),
		"priority": tr("priority."),
		"ttype":    tr("type."),
		"role":     tr("role."),
		"lang":     tr("lang."),
		"channel":  func(v string) string { return i18n.T(locale, channelKey(v)) },
		"size":     func(n int64) string { return formatSize(locale, n) },
		"langs":    languages,
		"sanitized": func(s string) template.HTML {
			return template.HTML(s) // #nosec: comment HTML is stored sanitised (package sanitize)
		},
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
		"has": func(list []string, s string) bool { return slices.Contains(list, s) },
		"join": func(list []string, sep string) string {
			return strings.Join(list, sep)
		},
	}
}

// channelKey maps a ticket channel to its catalog key.
func channelKey(v string) string {
	switch v {
	case "voice":
		return "channel.phone"
	case "walk_in":
		return "channel.walk_in"
	case "email", "web", "api", "chat", "social":
		return "channel." + v
	}
	return "channel.api"
}

// formatSize writes a file size with unit symbols, which are not words to
// translate (Indonesian writes KB and MB too); Persian spells them out.
func formatSize(locale string, n int64) string {
	units := [3]string{"B", "KB", "MB"}
	dec := "."
	switch i18n.Normalize(locale) {
	case "fa":
		units, dec = [3]string{"بایت", "کیلوبایت", "مگابایت"}, "٫"
	case "id":
		dec = ","
	}
	var s string
	switch {
	case n >= 1<<20:
		tenths := n * 10 / (1 << 20)
		s = strconv.FormatInt(tenths/10, 10) + dec + strconv.FormatInt(tenths%10, 10) + " " + units[2]
	case n >= 1<<10:
		s = strconv.FormatInt(n/(1<<10), 10) + " " + units[1]
	default:
		s = strconv.FormatInt(n, 10) + " " + units[0]
	}
	return i18n.Digits(locale, s)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a whole page: the page's template set executed through the
// shared layout. Rendering goes to a buffer first, so a template error
// becomes a clean 500 rather than half a page.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, page string, v *View) {
	p.renderTo(w, r, status, page, "layout", v)
}

// renderTo executes one named template of a page's set (a fragment for live
// updates, or "layout" for the whole page).
func (p *Pages) renderTo(w http.ResponseWriter, r *http.Request, status int, page, name string, v *View) {
	t := p.tmpl.get(v.Locale, page)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if t == nil {
		p.d.Log.Error("ui: no such page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(buf, name, v); err != nil {
		p.d.Log.Error("ui: render", "page", page, "template", name, "err", err)
		http.Error(w, v.T("error.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
