package web

import (
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/web/httpx"
)

// statusRecorder remembers the status code for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe logs each request and records metrics by route pattern (never by
// raw path, which would let clients create unbounded label values).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		s.metrics.InFlight.Inc()
		defer s.metrics.InFlight.Dec()
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		d := time.Since(start)
		s.metrics.Requests.WithLabelValues(route, strconv.Itoa(rec.status/100)+"xx").Inc()
		s.metrics.Duration.WithLabelValues(route).Observe(d.Seconds())
		if s.log.Enabled(r.Context(), slog.LevelDebug) || rec.status >= 500 {
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", rec.status), slog.Duration("took", d))
		}
	})
}

// recoverPanics turns a panic into a JSON 500; the stack goes to the log only.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				httpx.WriteJSON(w, http.StatusInternalServerError, httpx.APIError{Error: "InternalError", Description: "Something went wrong on our side"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders applies to every response.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves API tokens (Basic "email/token:SECRET" or Bearer) and
// session cookies. Wrong credentials are a 401; none means anonymous.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		h := r.Header.Get("Authorization")
		switch {
		case h != "":
			a, err := s.actorFromHeader(r, h)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Basic realm="Layan API"`)
				httpx.Fail(w, r, err)
				return
			}
			ctx = httpx.WithActor(ctx, a)
		default:
			if c, err := r.Cookie(httpx.SessionCookie); err == nil && c.Value != "" {
				if a, csrf, err := s.dir.ActorForSession(ctx, c.Value); err == nil {
					ctx = httpx.WithCSRF(httpx.WithActor(ctx, a), csrf)
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) actorFromHeader(r *http.Request, h string) (auth.Actor, error) {
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "bearer":
		return s.dir.ActorForToken(r.Context(), "", strings.TrimSpace(cred))
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return auth.Actor{}, apperr.ErrUnauthorized
		}
		user, secret, ok := strings.Cut(string(raw), ":")
		email, isToken := strings.CutSuffix(user, "/token")
		if !ok || !isToken {
			// Password authentication over the API is off: tokens only.
			return auth.Actor{}, apperr.ErrUnauthorized
		}
		return s.dir.ActorForToken(r.Context(), email, secret)
	}
	return auth.Actor{}, apperr.ErrUnauthorized
}

// rateLimit applies the per-user limit (per IP for anonymous callers) to the API
// and sets Zendesk's X-Rate-Limit headers.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limiter == nil || s.limiter.Limit <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		key := "ip:" + clientIP(r)
		if a, ok := httpx.ActorFrom(r.Context()); ok {
			key = "user:" + strconv.FormatInt(a.UserID, 10)
		}
		res := s.limiter.Allow(key)
		w.Header().Set("X-Rate-Limit", strconv.Itoa(s.limiter.Limit))
		w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(res.Remaining))
		if !res.Allowed {
			secs := int(res.RetryAfter.Seconds()) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			httpx.WriteJSON(w, http.StatusTooManyRequests, httpx.APIError{Error: "TooManyRequests",
				Description: "Rate limit exceeded; retry after " + strconv.Itoa(secs) + " seconds"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address. X-Forwarded-For is not trusted: an operator
// behind a proxy should set the proxy to overwrite RemoteAddr.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requireCSRF protects cookie-authenticated unsafe requests: a browser form or
// script must echo the session's CSRF token. Token-authenticated API calls
// carry no ambient credentials and need none.
func requireCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		want := httpx.CSRFFrom(r.Context())
		if want == "" || r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = r.PostFormValue("csrf_token")
		}
		if got != want {
			httpx.WriteJSON(w, http.StatusForbidden, httpx.APIError{Error: "InvalidCSRFToken", Description: "missing or wrong CSRF token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
