package ui

import (
	"net/http"
	"strings"

	"layan/internal/apperr"
	"layan/internal/web/httpx"
)

// home: "/" sends staff to their workspace, customers to the portal and
// everyone else to sign in. Any other unmatched GET is a 404 page (JSON under
// /api/, where clients expect it).
func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			httpx.Fail(w, r, apperr.NotFound("resource"))
			return
		}
		p.notFound(w, r)
		return
	}
	a, ok := httpx.ActorFrom(r.Context())
	switch {
	case !ok:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case a.IsStaff():
		http.Redirect(w, r, "/agent", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
	}
}
