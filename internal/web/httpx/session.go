package httpx

import (
	"net/http"
	"time"

	"layan/internal/directory"
)

// SessionCookie names the browser session cookie.
const SessionCookie = "layan_session"

// SetSessionCookie writes the session cookie: HttpOnly, SameSite=Lax, Secure on TLS.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(directory.SessionTTL / time.Second)})
}

// ClearSessionCookie removes it.
func ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
