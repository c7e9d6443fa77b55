package chatapi

import (
	"net/http"
	"strconv"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/channel/chat"
	"layan/internal/web/httpx"
)

type endpoint func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error)

// staff serves e to staff (401 anonymous, 403 customers); every call counts
// as the agent's activity for presence.
func (a *API) staff(e endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, ok := httpx.ActorFrom(r.Context())
		if !ok {
			a.fail(w, r, apperr.ErrUnauthorized)
			return
		}
		if !actor.IsStaff() {
			a.fail(w, r, apperr.Forbidden("use agent chat"))
			return
		}
		a.Chat.Touch(r.Context(), actor, true)
		status, body, err := e(w, r, actor)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if body == nil {
			w.WriteHeader(status)
			return
		}
		httpx.WriteJSON(w, status, body)
	}
}

func (a *API) queue(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	q, err := a.Chat.Queue(r.Context(), actor)
	return http.StatusOK, map[string]any{"queue": q}, err
}

func (a *API) listConversations(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	cs, err := a.Chat.Conversations(r.Context(), actor, r.URL.Query().Get("status"), r.URL.Query().Get("mine") == "true")
	return http.StatusOK, map[string]any{"conversations": cs}, err
}

func (a *API) showConversation(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	c, err := a.Chat.Conversation(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if r.URL.Query().Get("after") == "" {
		after, err = 0, nil
	}
	if err != nil || after < 0 {
		return 0, nil, apperr.Invalid("after", "invalid", "must be a sequence number")
	}
	ms, err := a.Chat.Messages(r.Context(), c, after, 500)
	return http.StatusOK, map[string]any{"conversation": c, "messages": ms}, err
}

func (a *API) accept(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	c, err := a.Chat.Accept(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, map[string]any{"conversation": c}, err
}

func (a *API) postMessage(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		Text string `json:"text"`
		Ref  string `json:"ref"`
	}
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if len(in.Ref) > chat.MaxRefLen {
		return 0, nil, apperr.Invalid("ref", "too_long", "at most 64 characters")
	}
	m, dup, err := a.Chat.AgentSend(r.Context(), actor, r.PathValue("id"), in.Ref, in.Text)
	status := http.StatusCreated
	if dup {
		status = http.StatusOK
	}
	return status, map[string]any{"message": m}, err
}

func (a *API) transfer(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		AgentID int64 `json:"agent_id"`
		GroupID int64 `json:"group_id"`
	}
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.Chat.Transfer(r.Context(), actor, r.PathValue("id"), in.AgentID, in.GroupID)
	return http.StatusOK, map[string]any{"conversation": c}, err
}

func (a *API) end(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	c, err := a.Chat.End(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, map[string]any{"conversation": c}, err
}

func (a *API) transcript(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		Email string `json:"email"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
			return 0, nil, err
		}
	}
	c, err := a.Chat.Conversation(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if err := a.Chat.EmailTranscript(r.Context(), c, true, in.Email); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]any{"sent": true}, nil
}

func (a *API) read(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		Seq int64 `json:"seq"`
	}
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.Chat.Conversation(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	if in.Seq < 0 {
		return 0, nil, apperr.Invalid("seq", "invalid", "must not be negative")
	}
	return http.StatusNoContent, nil, a.Chat.MarkRead(r.Context(), c, "agent", in.Seq)
}

func (a *API) typing(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		On bool `json:"on"`
	}
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.Chat.Conversation(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	a.Chat.Typing(c.UUID, "agent", in.On)
	return http.StatusNoContent, nil, nil
}

func (a *API) history(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	cust, h, err := a.Chat.History(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, map[string]any{"customer": cust, "tickets": h}, err
}

func (a *API) presence(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	p, err := a.Chat.PresenceList(r.Context(), actor)
	return http.StatusOK, map[string]any{"agents": p}, err
}

func (a *API) setPresence(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		Status string `json:"status"`
	}
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if err := a.Chat.SetPresence(r.Context(), actor, in.Status); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"status": in.Status}, nil
}

func (a *API) listCanned(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	c, err := a.Chat.CannedList(r.Context(), actor, r.URL.Query().Get("q"))
	return http.StatusOK, map[string]any{"canned": c}, err
}

func (a *API) createCanned(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.Chat.CannedCreate(r.Context(), actor, in.Title, in.Body)
	return http.StatusCreated, map[string]any{"canned": c}, err
}

func (a *API) deleteCanned(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, a.Chat.CannedDelete(r.Context(), actor, id)
}

func (a *API) settings(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	st, err := a.Chat.AdminSettings(r.Context(), actor)
	return http.StatusOK, map[string]any{"settings": st}, err
}

func (a *API) updateSettings(w http.ResponseWriter, r *http.Request, actor auth.Actor) (int, any, error) {
	var in chat.SettingsPatch
	if err := httpx.DecodeJSON(w, r, a.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	st, err := a.Chat.UpdateSettings(r.Context(), actor, in)
	return http.StatusOK, map[string]any{"settings": st}, err
}
