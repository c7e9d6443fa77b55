package ui

import (
	"net/http"
	"slices"
	"time"

	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/web/httpx"
)

// langCookie keeps an anonymous visitor's choice of language.
const langCookie = "layan_lang"

// locale picks the page language among those the workspace offers: the
// signed-in user's setting, else the visitor's cookie, else the browser's
// Accept-Language, else the workspace's default language.
func (p *Pages) locale(r *http.Request) string {
	preferred := ""
	if a, ok := httpx.ActorFrom(r.Context()); ok && a.Locale != "" {
		preferred = i18n.Normalize(a.Locale)
	} else if c, err := r.Cookie(langCookie); err == nil && slices.Contains(i18n.Supported, c.Value) {
		preferred = c.Value
	}
	return p.settings(r.Context()).ChooseLocale(preferred, r.Header.Get("Accept-Language"))
}

// setLanguage: POST /lang (lang, next). A signed-in user's profile changes;
// everyone gets the cookie, so the sign-in page keeps the language too.
func (p *Pages) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	next := localPath(r.PostFormValue("next"), "/")
	if !slices.Contains(i18n.Supported, lang) || !p.settings(r.Context()).Offers(lang) {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if a, ok := httpx.ActorFrom(r.Context()); ok {
		if _, err := p.d.Dir.UpdateUser(r.Context(), a, a.UserID, directory.UserPatch{Locale: &lang}); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(365 * 24 * time.Hour / time.Second)})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// languages lists the switcher's choices, each in its own language.
func languages() []langChoice {
	out := make([]langChoice, len(i18n.Supported))
	for i, l := range i18n.Supported {
		out[i] = langChoice{Code: l, Name: i18n.T(l, "lang."+l), Dir: i18n.Dir(l)}
	}
	return out
}

type langChoice struct{ Code, Name, Dir string }
