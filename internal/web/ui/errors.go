package ui

import (
	"context"
	"errors"
	"net/http"

	"layan/internal/apperr"
)

type errorPage struct {
	Message string
	Portal  bool // offer the portal (a customer who opened a staff page)
}

// errorKey maps a domain error to a status and the catalog key shown.
func errorKey(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound, "error.not_found"
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden, "error.forbidden"
	case errors.Is(err, apperr.ErrUnauthorized):
		return http.StatusUnauthorized, "error.unauthorized"
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict, "error.conflict"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "error.internal"
	}
	if _, ok := apperr.AsValidation(err); ok {
		return http.StatusUnprocessableEntity, "error.invalid_input"
	}
	return http.StatusInternalServerError, "error.internal"
}

// fail renders the error page for err; the cause of a 500 goes to the log only.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, key := errorKey(err)
	if status == http.StatusUnauthorized {
		p.toLogin(w, r)
		return
	}
	if status == http.StatusInternalServerError {
		p.d.Log.Error("ui: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.errorPage(w, r, status, key)
}

func (p *Pages) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	v := p.view(r)
	v.Title = v.T("error.page_title")
	v.Data = errorPage{Message: v.T(key), Portal: v.SignedIn && !v.Staff && status == http.StatusForbidden}
	p.render(w, r, status, "error", v)
}

func (p *Pages) forbidden(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusForbidden, "error.forbidden")
}

func (p *Pages) notFound(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusNotFound, "error.not_found")
}
