package ui

import (
	"net/http"
	"sync"
	"time"

	"layan/internal/auth"
	"layan/internal/i18n"
	"layan/internal/web/httpx"
)

// View is what every page template receives: the page's language and
// direction, who is signed in, the CSRF token, and the page's own Data.
type View struct {
	Locale   string
	Dir      string
	Title    string // translated
	Actor    auth.Actor
	SignedIn bool
	Staff    bool
	CSRF     string
	// Path is the current address, for "come back here" links and forms.
	Path string
	// Page names the script module the page loads (body data-page).
	Page string
	// Nav marks the active navigation entry.
	Nav       string
	Flash     string // translated notice shown at the top
	FlashKind string // "ok" or "error"
	Data      any
	// Brand is the workspace's name, logo and colour; Langs the languages
	// the switcher offers (admin settings, admin_branding.go).
	Brand brandView
	Langs []langChoice

	Now    time.Time
	Loc    *time.Location
	assets *assets
}

// view builds the common part of a page for this request.
func (p *Pages) view(r *http.Request) *View {
	a, signedIn := httpx.ActorFrom(r.Context())
	v := &View{Actor: a, SignedIn: signedIn, Staff: signedIn && a.IsStaff(), CSRF: httpx.CSRFFrom(r.Context()),
		Path: r.URL.RequestURI(), Now: p.d.Now(), Loc: time.UTC, assets: p.assets}
	v.Locale = p.locale(r)
	v.Dir = i18n.Dir(v.Locale)
	v.Brand, v.Langs = p.chrome(r.Context())
	if signedIn {
		v.Loc = p.userLocation(r, a)
	}
	return v
}

// T translates key in the page's language.
func (v *View) T(key string, args ...any) string { return i18n.T(v.Locale, key, args...) }

// Asset is the fingerprinted URL of a static file.
func (v *View) Asset(name string) string { return v.assets.URL(name) }

// When is a moment shown three ways: machine-readable, absolute and relative.
type When struct {
	ISO, Abs, Rel string
	Zero          bool
}

// When formats t for the viewer: their time zone, their calendar (Solar
// Hijri and Persian digits in fa) and a relative phrase.
func (v *View) When(t time.Time) When {
	if t.IsZero() {
		return When{Zero: true}
	}
	return When{ISO: t.UTC().Format(time.RFC3339), Abs: i18n.FormatDateTime(v.Locale, t, v.Loc),
		Rel: i18n.Relative(v.Locale, t, v.Now)}
}

// Num writes an integer in the page's digits with grouping: 25,000 · 25.000 · ۲۵٬۰۰۰.
func (v *View) Num(n int) string { return i18n.Integer(v.Locale, n) }

// userLocation is the signed-in user's time zone (UTC when unknown).
func (p *Pages) userLocation(r *http.Request, a auth.Actor) *time.Location {
	loc, err := p.zones.get(a.UserID, func() (*time.Location, error) {
		u, err := p.d.Dir.GetUser(r.Context(), a, a.UserID)
		if err != nil {
			return nil, err
		}
		return loadLocation(u.TimeZone), nil
	})
	if err != nil {
		return time.UTC
	}
	return loc
}

var locations sync.Map // time zone name → *time.Location

// loadLocation reads a time zone once; unknown names are UTC.
func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	locations.Store(name, l)
	return l
}

// formatClock writes the wall-clock time, "14:05" (in Persian digits for fa).
func formatClock(locale string, t time.Time) string { return i18n.Digits(locale, t.Format("15:04")) }
