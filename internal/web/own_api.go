package web

import (
	"net/http"
	"strconv"

	"layan/internal/apperr"
	"layan/internal/directory"
	"layan/internal/ratelimit"
	"layan/internal/web/httpx"
)

// ownAPI serves Layan's own endpoints (/api/layan/v1): sessions and tokens.
type ownAPI struct {
	dir          *directory.Service
	maxBody      int64
	loginLimiter *ratelimit.Limiter
}

// login: POST /api/layan/v1/session {"email", "password"} sets the session
// cookie. Throttled per account and per IP against password guessing.
func (o *ownAPI) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, o.maxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	for _, key := range []string{"ip:" + clientIP(r), "acct:" + body.Email} {
		if res := o.loginLimiter.Allow(key); !res.Allowed {
			w.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter.Seconds())+1))
			httpx.WriteJSON(w, http.StatusTooManyRequests, httpx.APIError{Error: "TooManyRequests", Description: "Too many sign-in attempts; wait a minute"})
			return
		}
	}
	u, err := o.dir.Authenticate(r.Context(), body.Email, body.Password)
	if err != nil {
		httpx.WriteJSON(w, http.StatusUnauthorized, httpx.APIError{Error: "InvalidCredentials", Description: "Invalid email or password"})
		return
	}
	sess, err := o.dir.CreateSession(r.Context(), u.ID)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.SetSessionCookie(w, r, sess.Secret)
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"user_id": u.ID, "csrf_token": sess.CSRF})
}

func (o *ownAPI) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(httpx.SessionCookie); err == nil {
		_ = o.dir.DeleteSession(r.Context(), c.Value)
	}
	httpx.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

func (o *ownAPI) tokenUser(r *http.Request) (int64, error) {
	a, ok := httpx.ActorFrom(r.Context())
	if !ok {
		return 0, apperr.ErrUnauthorized
	}
	if s := r.URL.Query().Get("user_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, &httpx.BadRequest{Msg: "user_id must be a number"}
		}
		return id, nil
	}
	return a.UserID, nil
}

func (o *ownAPI) createToken(w http.ResponseWriter, r *http.Request) {
	a, ok := httpx.ActorFrom(r.Context())
	if !ok {
		httpx.Fail(w, r, apperr.ErrUnauthorized)
		return
	}
	var body struct {
		Name   string `json:"name"`
		UserID int64  `json:"user_id"`
	}
	if err := httpx.DecodeJSON(w, r, o.maxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if body.UserID == 0 {
		body.UserID = a.UserID
	}
	secret, err := o.dir.CreateToken(r.Context(), a, body.UserID, body.Name)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": secret, "user_id": body.UserID, "name": body.Name})
}

func (o *ownAPI) listTokens(w http.ResponseWriter, r *http.Request) {
	a, ok := httpx.ActorFrom(r.Context())
	if !ok {
		httpx.Fail(w, r, apperr.ErrUnauthorized)
		return
	}
	uid, err := o.tokenUser(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	ts, err := o.dir.ListTokens(r.Context(), a, uid)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	out := make([]map[string]any, len(ts))
	for i, t := range ts {
		var last any
		if !t.LastUsed.IsZero() {
			last = t.LastUsed
		}
		out[i] = map[string]any{"id": t.ID, "user_id": t.UserID, "name": t.Name, "created_at": t.CreatedAt, "last_used_at": last}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (o *ownAPI) revokeToken(w http.ResponseWriter, r *http.Request) {
	a, ok := httpx.ActorFrom(r.Context())
	if !ok {
		httpx.Fail(w, r, apperr.ErrUnauthorized)
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if err := o.dir.RevokeToken(r.Context(), a, id); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
