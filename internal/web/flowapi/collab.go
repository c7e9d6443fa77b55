package flowapi

import (
	"net/http"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/web/httpx"
	"layan/internal/web/zendesk"
)

// Collaboration under /api/layan/v1: a ticket's followers and CCs, the
// caller's notifications, and side conversations. Staff only; the collab
// service checks who may read the ticket and who may change the lists.
func (api *API) collabRoutes(v2 func(string, http.HandlerFunc)) {
	if api.Collab == nil {
		return
	}
	staff := zendesk.Staff
	const own = "/api/layan/v1"
	v2("GET "+own+"/tickets/{id}/followers", staff(api.participants))          // staff who may read the ticket
	v2("POST "+own+"/tickets/{id}/followers", staff(api.follow))               // themself, or agents for other staff
	v2("DELETE "+own+"/tickets/{id}/followers/{user_id}", staff(api.unfollow)) // themself, or agents
	v2("POST "+own+"/tickets/{id}/email_ccs", staff(api.addCC))                // agents who may edit the ticket
	v2("DELETE "+own+"/tickets/{id}/email_ccs/{user_id}", staff(api.removeCC)) // agents
	v2("GET "+own+"/tickets/{id}/side_conversations", staff(api.sideList))     // staff who may read the ticket
	v2("POST "+own+"/tickets/{id}/side_conversations", staff(api.sideStart))   // staff who may read the ticket
	v2("GET "+own+"/side_conversations/{id}", staff(api.sideShow))             // staff who may read its ticket
	v2("POST "+own+"/side_conversations/{id}/messages", staff(api.sideReply))  // staff who may read its ticket
	v2("POST "+own+"/side_conversations/{id}/close", staff(api.sideClose))     // staff who may read its ticket
	v2("GET "+own+"/notifications", staff(api.notifications))                  // the caller's own
	v2("POST "+own+"/notifications/{id}/read", staff(api.markRead))            // the caller's own
	v2("POST "+own+"/notifications/read", staff(api.markAllRead))              // the caller's own
}

func (api *API) participants(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := api.Collab.Participants(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

type personRef struct {
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
}

func (api *API) follow(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in personRef
	if err := api.decodeObject(w, r, "follower", &in); err != nil {
		return 0, nil, err
	}
	if in.UserID == 0 {
		in.UserID = a.UserID // follow it myself
	}
	if err := api.Collab.Follow(r.Context(), a, id, in.UserID); err != nil {
		return 0, nil, err
	}
	return api.participants(w, r, a)
}

func (api *API) unfollow(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	uid, err := httpx.PathID(r, "user_id")
	if err != nil {
		return 0, nil, err
	}
	if err := api.Collab.Unfollow(r.Context(), a, id, uid); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (api *API) addCC(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in personRef
	if err := api.decodeObject(w, r, "email_cc", &in); err != nil {
		return 0, nil, err
	}
	if in.UserID == 0 && in.Email == "" {
		return 0, nil, apperr.Invalid("user_id", "required", "user_id or email is required")
	}
	p, err := api.Collab.AddCC(r.Context(), a, id, in.UserID, in.Email)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"email_cc": p}, nil
}

func (api *API) removeCC(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	uid, err := httpx.PathID(r, "user_id")
	if err != nil {
		return 0, nil, err
	}
	if err := api.Collab.RemoveCC(r.Context(), a, id, uid); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (api *API) sideList(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	cs, err := api.Collab.SideConversations(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"side_conversations": cs}, nil
}

type sideIn struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

func (api *API) sideStart(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in sideIn
	if err := api.decodeObject(w, r, "side_conversation", &in); err != nil {
		return 0, nil, err
	}
	c, err := api.Collab.StartSide(r.Context(), a, id, in.To, in.Subject, in.Body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"side_conversation": c}, nil
}

func (api *API) sideShow(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	c, err := api.Collab.SideConversation(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"side_conversation": c}, nil
}

func (api *API) sideReply(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in sideIn
	if err := api.decodeObject(w, r, "message", &in); err != nil {
		return 0, nil, err
	}
	m, err := api.Collab.ReplySide(r.Context(), a, id, in.Body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"message": m}, nil
}

func (api *API) sideClose(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := api.Collab.CloseSide(r.Context(), a, id); err != nil {
		return 0, nil, err
	}
	return api.sideShow(w, r, a)
}

func (api *API) notifications(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	n, err := httpx.QueryInt(r, "limit", 50)
	if err != nil {
		return 0, nil, err
	}
	ns, err := api.Collab.Notifications(r.Context(), a, r.URL.Query().Get("unread") == "true", n)
	if err != nil {
		return 0, nil, err
	}
	unread, err := api.Collab.Unread(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"notifications": ns, "unread_count": unread}, nil
}

func (api *API) markRead(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := api.Collab.MarkRead(r.Context(), a, id); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (api *API) markAllRead(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	if err := api.Collab.MarkRead(r.Context(), a, 0); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
