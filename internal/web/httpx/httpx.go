// Package httpx holds what every web package shares: the actor in the
// request context, JSON reading and writing, and the one mapping from domain
// errors to HTTP status codes.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	csrfKey
)

// WithActor stores the authenticated actor.
func WithActor(ctx context.Context, a auth.Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the actor; ok is false for anonymous requests.
func ActorFrom(ctx context.Context) (auth.Actor, bool) {
	a, ok := ctx.Value(actorKey).(auth.Actor)
	return a, ok && a.UserID != 0
}

// WithCSRF stores the session's CSRF token.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey, token)
}

// CSRFFrom returns the session's CSRF token ("" without a session).
func CSRFFrom(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey).(string)
	return s
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// APIError is Zendesk's error body: {"error": "...", "description": "...", "details": {...}}.
type APIError struct {
	Error       string                   `json:"error"`
	Description string                   `json:"description,omitempty"`
	Details     map[string][]ErrorDetail `json:"details,omitempty"`
}

// ErrorDetail describes one invalid field.
type ErrorDetail struct {
	Error       string `json:"error"`
	Description string `json:"description"`
}

// BadRequest is an error in the request itself (malformed JSON, wrong types).
type BadRequest struct{ Msg string }

func (e *BadRequest) Error() string { return e.Msg }

// TooLarge is a body over the limit.
type TooLarge struct{ Limit int64 }

func (e *TooLarge) Error() string {
	return fmt.Sprintf("request body is larger than %d bytes", e.Limit)
}

// Status maps an error to its HTTP status and API body. Unknown errors are
// 500 with a generic message; the cause goes to the log, never to the client.
func Status(err error) (int, APIError) {
	var v *apperr.ValidationError
	var br *BadRequest
	var tl *TooLarge
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &v):
		return http.StatusUnprocessableEntity, APIError{Error: "RecordInvalid", Description: "Record validation errors",
			Details: map[string][]ErrorDetail{v.Field: {{Error: v.Key, Description: v.Error()}}}}
	case errors.As(err, &tl), errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, APIError{Error: "RequestTooLarge", Description: "The request body is too large"}
	case errors.As(err, &br):
		return http.StatusBadRequest, APIError{Error: "InvalidRequest", Description: br.Msg}
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound, APIError{Error: "RecordNotFound", Description: "Not found"}
	case errors.Is(err, apperr.ErrUnauthorized):
		return http.StatusUnauthorized, APIError{Error: "Couldn't authenticate you"}
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden, APIError{Error: "Forbidden", Description: "You do not have access to this resource"}
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict, APIError{Error: "UpdateConflict", Description: err.Error()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, APIError{Error: "ServiceUnavailable", Description: "The request was cancelled"}
	}
	return http.StatusInternalServerError, APIError{Error: "InternalError", Description: "Something went wrong on our side"}
}

// Fail writes err as a JSON error, logging the cause of server errors.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := Status(err)
	if status >= 500 && status != http.StatusServiceUnavailable {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	WriteJSON(w, status, body)
}

// DecodeJSON reads one JSON object into dst: unknown fields, trailing data,
// invalid UTF-8 and bodies over limit are errors.
func DecodeJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &BadRequest{Msg: "Content-Type must be application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &TooLarge{Limit: limit}
		}
		return &BadRequest{Msg: "could not read the request body"}
	}
	if !utf8.Valid(body) {
		return &BadRequest{Msg: "the request body is not valid UTF-8"}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return &BadRequest{Msg: DescribeJSONError(err)}
	}
	if dec.More() {
		return &BadRequest{Msg: "the request body has data after the JSON object"}
	}
	return nil
}

// DescribeJSONError says in plain words what is wrong with a JSON body.
func DescribeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type.String(), typ.Value)
	case errors.Is(err, io.EOF):
		return "the request body is empty"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "malformed JSON"
}

// PathID reads an int64 path value, accepting a ".json" suffix ("12.json").
func PathID(r *http.Request, name string) (int64, error) {
	s := strings.TrimSuffix(r.PathValue(name), ".json")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound(name)
	}
	return id, nil
}

// QueryInt reads an integer query parameter with a default.
func QueryInt(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, &BadRequest{Msg: fmt.Sprintf("query parameter %s must be a positive number", name)}
	}
	return n, nil
}

// IDList reads "1,2,3" into ids.
func IDList(s string, max int) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return nil, &BadRequest{Msg: "ids must be a comma-separated list of numbers"}
		}
		out = append(out, id)
	}
	if len(out) > max {
		return nil, &BadRequest{Msg: fmt.Sprintf("at most %d ids", max)}
	}
	return out, nil
}

// ObjectRules say how DecodeObject reads the inner object.
type ObjectRules struct {
	Strict    bool     // unknown fields inside the object are errors
	UseNumber bool     // numbers in `any` fields stay json.Number
	Siblings  []string // top-level fields accepted next to the object and ignored
}

// DecodeObject reads a body of the form {"<key>": {...}} (Zendesk's envelope)
// into v: the object is required, and top-level fields other than key and
// the allowed siblings are errors.
func DecodeObject(w http.ResponseWriter, r *http.Request, limit int64, key string, v any, rules ObjectRules) error {
	var top map[string]json.RawMessage
	if err := DecodeJSON(w, r, limit, &top); err != nil {
		return err
	}
	for k := range top {
		if k != key && !slices.Contains(rules.Siblings, k) {
			return &BadRequest{Msg: "unknown field \"" + k + "\""}
		}
	}
	raw, ok := top[key]
	if !ok || string(raw) == "null" {
		return apperr.Invalid(key, "required", "the body needs a "+key+" object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if rules.Strict {
		dec.DisallowUnknownFields()
	}
	if rules.UseNumber {
		dec.UseNumber()
	}
	if err := dec.Decode(v); err != nil {
		return &BadRequest{Msg: DescribeJSONError(err)}
	}
	return nil
}
