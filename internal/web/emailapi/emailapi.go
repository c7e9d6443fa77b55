// Package emailapi serves Layan's own API for the email channel under
// /api/layan/v1/email: support addresses (admins change them, staff read them
// without secrets), the list of failed and held messages with retry,
// approval and rejection, and the download of a raw message. The email
// service checks every permission; these handlers only translate HTTP.
package emailapi

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/channel/email"
	"layan/internal/web/httpx"
)

// API holds the email service.
type API struct {
	Email   *email.Service
	MaxBody int64
}

// addressJSON is an address as the API shows it: passwords redacted.
type addressJSON struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	GroupID      *int64    `json:"group_id"`
	Locale       string    `json:"locale"`
	IMAPURL      string    `json:"imap_url"`
	SMTPURL      string    `json:"smtp_url"`
	UnknownReply string    `json:"unknown_reply"`
	DKIMSelector string    `json:"dkim_selector"`
	DKIMKeySet   bool      `json:"dkim_key_set"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func toJSON(a email.Address) addressJSON {
	r := a.Redacted()
	out := addressJSON{ID: r.ID, Email: r.Email, Name: r.Name, Locale: r.Locale, IMAPURL: r.IMAPURL, SMTPURL: r.SMTPURL,
		UnknownReply: r.UnknownReply, DKIMSelector: r.DKIMSelector, DKIMKeySet: a.DKIMKey != "", Active: r.Active,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.GroupID != 0 {
		out.GroupID = &r.GroupID
	}
	return out
}

// addressInput is the body of POST and PUT: {"address": {...}}.
type addressInput struct {
	Email        *string `json:"email"`
	Name         *string `json:"name"`
	GroupID      *int64  `json:"group_id"`
	Locale       *string `json:"locale"`
	IMAPURL      *string `json:"imap_url"`
	SMTPURL      *string `json:"smtp_url"`
	UnknownReply *string `json:"unknown_reply"`
	DKIMSelector *string `json:"dkim_selector"`
	DKIMKey      *string `json:"dkim_key"`
	Active       *bool   `json:"active"`
}

func (api *API) decodeAddress(w http.ResponseWriter, r *http.Request) (email.AddressInput, error) {
	var body struct {
		Address *addressInput `json:"address"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		return email.AddressInput{}, err
	}
	if body.Address == nil {
		return email.AddressInput{}, apperr.Invalid("address", "required", "the body needs an address object")
	}
	in := body.Address
	return email.AddressInput{Email: in.Email, Name: in.Name, GroupID: in.GroupID, Locale: in.Locale, IMAPURL: in.IMAPURL,
		SMTPURL: in.SMTPURL, UnknownReply: in.UnknownReply, DKIMSelector: in.DKIMSelector, DKIMKey: in.DKIMKey, Active: in.Active}, nil
}

// ListAddresses: GET /api/layan/v1/email/addresses (staff).
func (api *API) ListAddresses(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	list, err := api.Email.ListAddresses(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	out := make([]addressJSON, len(list))
	for i, ad := range list {
		out[i] = toJSON(ad)
	}
	return http.StatusOK, map[string]any{"addresses": out}, nil
}

// ShowAddress: GET /api/layan/v1/email/addresses/{id} (staff).
func (api *API) ShowAddress(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ad, err := api.Email.GetAddress(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"address": toJSON(ad)}, nil
}

// CreateAddress: POST /api/layan/v1/email/addresses (admins).
func (api *API) CreateAddress(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := api.decodeAddress(w, r)
	if err != nil {
		return 0, nil, err
	}
	ad, err := api.Email.AddAddress(r.Context(), a, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"address": toJSON(ad)}, nil
}

// UpdateAddress: PUT /api/layan/v1/email/addresses/{id} (admins).
func (api *API) UpdateAddress(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := api.decodeAddress(w, r)
	if err != nil {
		return 0, nil, err
	}
	ad, err := api.Email.UpdateAddress(r.Context(), a, id, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"address": toJSON(ad)}, nil
}

// DeleteAddress: DELETE /api/layan/v1/email/addresses/{id} (admins).
func (api *API) DeleteAddress(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Email.DeleteAddress(r.Context(), a, id)
}

type messageJSON struct {
	ID        int64     `json:"id"`
	MessageID string    `json:"message_id"`
	AddressID *int64    `json:"address_id"`
	Source    string    `json:"source"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason"`
	Size      int64     `json:"size"`
	From      string    `json:"from"`
	Subject   string    `json:"subject"`
	TicketID  *int64    `json:"ticket_id"`
	CommentID *int64    `json:"comment_id"`
	Attempts  int       `json:"attempts"`
	RawURL    *string   `json:"raw_url"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func messageToJSON(m email.Message) messageJSON {
	out := messageJSON{ID: m.ID, MessageID: m.MessageID, AddressID: idOrNil(m.AddressID), Source: m.Source, Status: m.Status,
		Reason: m.Reason, Size: m.Size, From: m.From, Subject: m.Subject, TicketID: idOrNil(m.TicketID), CommentID: idOrNil(m.CommentID),
		Attempts: m.Attempts, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	if m.HasRaw {
		u := "/api/layan/v1/email/messages/" + strconv.FormatInt(m.ID, 10) + "/raw"
		out.RawURL = &u
	}
	return out
}

// ListMessages: GET /api/layan/v1/email/messages?status=failed|held|...&ticket_id=N&before_id=N&limit=N (staff).
func (api *API) ListMessages(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q := r.URL.Query()
	f := email.MessageFilter{Status: q.Get("status")}
	for name, dst := range map[string]*int64{"ticket_id": &f.TicketID, "before_id": &f.BeforeID} {
		if s := q.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return 0, nil, &httpx.BadRequest{Msg: name + " must be a number"}
			}
			*dst = n
		}
	}
	limit, err := httpx.QueryInt(r, "limit", 100)
	if err != nil {
		return 0, nil, err
	}
	f.Limit = limit
	ms, err := api.Email.ListMessages(r.Context(), a, f)
	if err != nil {
		return 0, nil, err
	}
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = messageToJSON(m)
	}
	return http.StatusOK, map[string]any{"messages": out}, nil
}

// ShowMessage: GET /api/layan/v1/email/messages/{id} (staff who may see it).
func (api *API) ShowMessage(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	m, err := api.Email.GetMessage(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"message": messageToJSON(m)}, nil
}

func (api *API) result(res email.Result) map[string]any {
	return map[string]any{"result": map[string]any{"id": res.ID, "status": res.Status, "reason": res.Reason,
		"ticket_id": idOrNil(res.TicketID), "comment_id": idOrNil(res.CommentID)}}
}

// RetryMessage: POST /api/layan/v1/email/messages/{id}/retry (agents).
func (api *API) RetryMessage(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	res, err := api.Email.Retry(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.result(res), nil
}

// ApproveMessage: POST /api/layan/v1/email/messages/{id}/approve (agents).
func (api *API) ApproveMessage(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	res, err := api.Email.Approve(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.result(res), nil
}

// RejectMessage: POST /api/layan/v1/email/messages/{id}/reject (agents).
func (api *API) RejectMessage(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Email.Reject(r.Context(), a, id)
}

// RawMessage: GET /api/layan/v1/email/messages/{id}/raw (staff who may see
// it): the original bytes as a message/rfc822 download, never rendered.
func (api *API) RawMessage(w http.ResponseWriter, r *http.Request) {
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
	m, rc, err := api.Email.RawMessage(r.Context(), a, id)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "message-" + strconv.FormatInt(m.ID, 10) + ".eml"}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	_, _ = io.Copy(w, rc)
}
