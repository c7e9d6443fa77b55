package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/i18n"
	"layan/internal/settings"
)

// The workspace's face: its name, logo and accent colour in every page's
// header, and the languages it offers. Admins edit them on
// /admin/branding and /admin/languages; every page reads them through the
// settings service's short cache.

// brandView is what the layout shows of the branding.
type brandView struct {
	Name     string
	LogoURL  string // "" without a logo
	ThemeURL string // "" with the default colours
}

// settings reads the workspace settings; without a settings service, or when
// they cannot be read, the defaults keep every page working.
func (p *Pages) settings(ctx context.Context) settings.Settings {
	if p.d.Settings == nil {
		return settings.Defaults()
	}
	st, err := p.d.Settings.Get(ctx)
	if err != nil {
		p.d.Log.Warn("ui: settings unavailable, using defaults", "err", err)
		return settings.Defaults()
	}
	return st
}

// chrome is the branding and language switcher of every page.
func (p *Pages) chrome(ctx context.Context) (brandView, []langChoice) {
	st := p.settings(ctx)
	b := brandView{Name: st.Branding.Name}
	if b.Name == "" {
		b.Name = settings.DefaultName
	}
	if st.Branding.HasLogo() {
		b.LogoURL = "/branding/logo?v=" + url.QueryEscape(st.Branding.LogoBlobKey)
	}
	if c := st.Branding.AccentColor; len(c) == 7 && c != settings.DefaultAccentColor {
		b.ThemeURL = "/branding/theme.css?v=" + c[1:]
	}
	offered := st.OfferedLocales
	if len(offered) == 0 {
		offered = i18n.Supported
	}
	langs := make([]langChoice, 0, len(offered))
	for _, l := range i18n.Supported { // a stable order in the switcher
		if slices.Contains(offered, l) {
			langs = append(langs, langChoice{Code: l, Name: i18n.T(l, "lang."+l), Dir: i18n.Dir(l)})
		}
	}
	return b, langs
}

// theme: GET /branding/theme.css?v=RRGGBB, the accent colour as CSS custom
// properties (a stylesheet, since the CSP forbids inline styles). Text on
// the accent is black or white, whichever contrasts more; links get a
// darker shade when the accent itself is too light to read on white.
func (p *Pages) theme(w http.ResponseWriter, r *http.Request) {
	b := p.settings(r.Context()).Branding
	css := themeCSS(b)
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == strings.TrimPrefix(b.AccentColor, "#") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=60")
	}
	_, _ = io.WriteString(w, css)
}

func themeCSS(b settings.Branding) string {
	rgb, ok := parseHex(b.AccentColor)
	if !ok {
		return "/* default colours */\n"
	}
	strong := scale(rgb, 0.8)
	weak := [3]float64{}
	for i, c := range rgb {
		weak[i] = c + (255-c)*0.88
	}
	link := rgb
	for i := 0; i < 30 && contrast(link, [3]float64{255, 255, 255}) < 4.5; i++ {
		link = scale(link, 0.9)
	}
	text := b.AccentTextColor()
	return fmt.Sprintf(`:root { --accent: %s; --accent-strong: %s; --accent-weak: %s; --accent-link: %s; --accent-text: %s; }
a { color: var(--accent-link); }
a:hover { color: var(--accent-strong); }
.btn-primary, .btn-primary:hover, .segmented input:checked + label { color: var(--accent-text); }
`, hexOf(rgb), hexOf(strong), hexOf(weak), hexOf(link), text)
}

func parseHex(s string) ([3]float64, bool) {
	var out [3]float64
	if len(s) != 7 || s[0] != '#' {
		return out, false
	}
	for i := 0; i < 3; i++ {
		n, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return out, false
		}
		out[i] = float64(n)
	}
	return out, true
}

func scale(c [3]float64, f float64) [3]float64 {
	return [3]float64{c[0] * f, c[1] * f, c[2] * f}
}

func hexOf(c [3]float64) string {
	b := func(x float64) int { return int(math.Max(0, math.Min(255, math.Round(x)))) }
	return fmt.Sprintf("#%02x%02x%02x", b(c[0]), b(c[1]), b(c[2]))
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		ch := func(v float64) float64 {
			v /= 255
			if v <= 0.04045 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(c[0]) + 0.7152*ch(c[1]) + 0.0722*ch(c[2])
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// logo: GET /branding/logo?v=KEY serves the uploaded logo to anyone (it is
// in every page's header), with its checked image type and nosniff, so it is
// only ever an image.
func (p *Pages) logo(w http.ResponseWriter, r *http.Request) {
	b := p.settings(r.Context()).Branding
	if !b.HasLogo() || !slices.Contains(settings.LogoContentTypes, b.LogoContentType) {
		http.NotFound(w, r)
		return
	}
	f, err := p.d.Blobs.Open(r.Context(), b.LogoBlobKey)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", b.LogoContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Disposition", "inline; filename=logo")
	if r.URL.Query().Get("v") == b.LogoBlobKey {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=60")
	}
	_, _ = io.Copy(w, f)
}

// maxLogoBytes bounds the logo upload.
const maxLogoBytes = 1 << 20

type brandingPage struct {
	Form    *formState
	LogoURL string
	Default string // the default accent colour
}

// brandingForm: GET /admin/branding.
func (p *Pages) brandingForm(w http.ResponseWriter, r *http.Request) {
	st := p.settings(r.Context())
	f := newForm()
	f.Values.Set("name", st.Branding.Name)
	f.Values.Set("accent_color", st.Branding.AccentColor)
	v := p.adminView(r, "admin.branding")
	p.renderBranding(w, r, v, http.StatusOK, f)
}

func (p *Pages) renderBranding(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	v.Data = &brandingPage{Form: f, LogoURL: v.Brand.LogoURL, Default: settings.DefaultAccentColor}
	p.render(w, r, status, "admin_branding", v)
}

var brandingFields = map[string][2]string{
	"name":              {"name", "admin.brand_name"},
	"accent_color":      {"accent_color", "admin.primary_color"},
	"logo_blob_key":     {"logo", "admin.logo"},
	"logo_content_type": {"logo", "admin.logo"},
}

// saveBranding: POST /admin/branding (multipart: name, accent_color, logo,
// remove_logo). The logo must really be a PNG, JPEG, GIF or WebP image: the
// type is read from its bytes, never from the browser's claim.
func (p *Pages) saveBranding(w http.ResponseWriter, r *http.Request) {
	if err := parseUploadForm(r); err != nil {
		p.fail(w, r, err)
		return
	}
	ctx := r.Context()
	a := currentActor(r)
	v := p.adminView(r, "admin.branding")
	f := formFrom(r, "name", "accent_color", "remove_logo")
	in := p.settings(ctx)
	in.Branding.Name = f.V("name")
	in.Branding.AccentColor = strings.ToLower(f.V("accent_color"))
	if f.On("remove_logo") {
		in.Branding.LogoBlobKey, in.Branding.LogoContentType = "", ""
	}
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["logo"]; len(fhs) > 0 && fhs[0].Size > 0 {
			key, ctype, err := p.storeLogo(r, fhs[0])
			switch {
			case err == errNotAnImage:
				f.Set("logo", v.T("form.logo_type"))
			case err == blob.ErrTooLarge:
				f.Set("logo", v.T("error.file_too_large", "file", fhs[0].Filename, "max", formatSize(v.Locale, maxLogoBytes)))
			case err != nil:
				p.fail(w, r, err)
				return
			default:
				in.Branding.LogoBlobKey, in.Branding.LogoContentType = key, ctype
			}
		}
	}
	if !f.Failed(v) {
		err := p.saveSettings(ctx, a, in)
		if err == nil {
			// The old logo stays in the blob store: blobs are shared by
			// content, so another file may use the same bytes.
			http.Redirect(w, r, "/admin/branding?done=saved", http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, brandingFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.renderBranding(w, r, v, http.StatusUnprocessableEntity, f)
}

var errNotAnImage = fmt.Errorf("not a PNG, JPEG, GIF or WebP image")

// storeLogo checks the file's first bytes and stores it.
func (p *Pages) storeLogo(r *http.Request, fh *multipart.FileHeader) (key, ctype string, err error) {
	f, err := fh.Open()
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", "", err
	}
	head = head[:n]
	ctype = http.DetectContentType(head)
	if !slices.Contains(settings.LogoContentTypes, ctype) {
		return "", "", errNotAnImage
	}
	key, _, err = p.d.Blobs.Put(r.Context(), io.MultiReader(bytes.NewReader(head), f), maxLogoBytes)
	return key, ctype, err
}

func (p *Pages) saveSettings(ctx context.Context, a auth.Actor, in settings.Settings) error {
	if p.d.Settings == nil {
		return errNoSettings
	}
	return p.d.Settings.Save(ctx, a, in)
}

var errNoSettings = fmt.Errorf("ui: no settings service")

type languagesPage struct {
	Form  *formState
	Langs []string
}

// languagesForm: GET /admin/languages, the default language and those offered.
func (p *Pages) languagesForm(w http.ResponseWriter, r *http.Request) {
	st := p.settings(r.Context())
	f := newForm()
	f.Values.Set("default_locale", st.DefaultLocale)
	f.Values["offered"] = st.OfferedLocales
	v := p.adminView(r, "admin.languages")
	v.Data = &languagesPage{Form: f, Langs: i18n.Supported}
	p.render(w, r, http.StatusOK, "admin_languages", v)
}

// saveLanguages: POST /admin/languages.
func (p *Pages) saveLanguages(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := p.adminView(r, "admin.languages")
	f := formFrom(r, "default_locale", "offered")
	in := p.settings(ctx)
	in.DefaultLocale = f.V("default_locale")
	in.OfferedLocales = f.Values["offered"]
	err := p.saveSettings(ctx, currentActor(r), in)
	if err == nil {
		http.Redirect(w, r, "/admin/languages?done=saved", http.StatusSeeOther)
		return
	}
	fields := map[string][2]string{"default_locale": {"default_locale", "admin.default_language"},
		"offered_locales": {"offered", "admin.offered_languages"}}
	if !applyError(v, f, err, fields) {
		p.fail(w, r, err)
		return
	}
	f.Failed(v)
	v.Data = &languagesPage{Form: f, Langs: i18n.Supported}
	p.render(w, r, http.StatusUnprocessableEntity, "admin_languages", v)
}
