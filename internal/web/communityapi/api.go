// Package communityapi serves the community forum in the shapes of
// Zendesk's Community API (/api/v2/community/topics, posts, comments,
// votes), plus Layan's own endpoints for what Zendesk's API has no word for
// (accepting an answer, following, reports, moderation, metrics) under
// /api/layan/v1/community. Anonymous callers read what is published; the
// forum service decides who sees and changes what.
package communityapi

import (
	"net/http"
	"strconv"
	"time"

	"layan/internal/forum"
	"layan/internal/web/httpx"
	"layan/internal/web/zendesk"
)

// API holds what the handlers call.
type API struct {
	Forum   *forum.Service
	MaxBody int64
}

// Routes registers the endpoints with v2 (authentication, CSRF and rate
// limits are the caller's). anyone(...) also serves anonymous readers.
func (api *API) Routes(v2 func(string, http.HandlerFunc)) {
	staff, member, anyone := zendesk.Staff, zendesk.SignedIn, Anyone
	const c = "/api/v2/community"
	// Topics: everyone reads; moderators change.
	v2("GET "+c+"/topics", anyone(api.ListTopics))
	v2("POST "+c+"/topics", staff(api.CreateTopic))
	v2("GET "+c+"/topics/{id}", anyone(api.ShowTopic))
	v2("PUT "+c+"/topics/{id}", staff(api.UpdateTopic))
	v2("DELETE "+c+"/topics/{id}", staff(api.DeleteTopic))
	v2("GET "+c+"/topics/{id}/posts", anyone(api.ListPosts("topic")))
	// Posts: everyone reads the published ones; members write; authors and
	// moderators edit and delete.
	v2("GET "+c+"/posts", anyone(api.ListPosts("")))
	v2("POST "+c+"/posts", member(api.CreatePost))
	v2("GET "+c+"/posts/{id}", anyone(api.ShowPost))
	v2("PUT "+c+"/posts/{id}", member(api.UpdatePost))
	v2("DELETE "+c+"/posts/{id}", member(api.DeletePost))
	v2("GET "+c+"/users/{id}/posts", anyone(api.ListPosts("user")))
	// Comments (answers, and comments on answers with parent_id).
	v2("GET "+c+"/posts/{id}/comments", anyone(api.ListComments))
	v2("POST "+c+"/posts/{id}/comments", member(api.CreateComment))
	v2("GET "+c+"/posts/{post}/comments/{id}", anyone(api.ShowComment))
	v2("PUT "+c+"/posts/{post}/comments/{id}", member(api.UpdateComment))
	// Votes: members, not on their own content.
	v2("POST "+c+"/posts/{id}/up", member(api.Vote("post", 1)))
	v2("POST "+c+"/posts/{id}/down", member(api.Vote("post", -1)))
	v2("POST "+c+"/posts/{post}/comments/{id}/up", member(api.Vote("answer", 1)))
	v2("POST "+c+"/posts/{post}/comments/{id}/down", member(api.Vote("answer", -1)))
	// Layan's own: accepting (the asker or a moderator), following, reports
	// (members); the queue, moderation, log, metrics and candidates (staff;
	// only admins and agents act).
	const l = "/api/layan/v1/community"
	v2("POST "+l+"/posts/{id}/accept", member(api.Accept))
	v2("POST "+l+"/posts/{id}/follow", member(api.Follow(true)))
	v2("DELETE "+l+"/posts/{id}/follow", member(api.Follow(false)))
	v2("POST "+l+"/topics/{id}/follow", member(api.FollowTopic(true)))
	v2("DELETE "+l+"/topics/{id}/follow", member(api.FollowTopic(false)))
	v2("POST "+l+"/reports", member(api.CreateReport))
	v2("GET "+l+"/reports", staff(api.ListReports))
	v2("GET "+l+"/queue", staff(api.Queue))
	v2("POST "+l+"/moderation", staff(api.Moderate))
	v2("POST "+l+"/posts/{id}/merge", staff(api.Merge))
	v2("POST "+l+"/posts/{id}/ticket", staff(api.ToTicket))
	v2("POST "+l+"/posts/{id}/article", staff(api.Promote))
	v2("POST "+l+"/tickets/{id}/reply", staff(api.ReplyFromTicket))
	v2("GET "+l+"/log", staff(api.Log))
	v2("GET "+l+"/metrics", staff(api.Metrics))
	v2("GET "+l+"/candidates", staff(api.Candidates))
	v2("GET "+l+"/search", anyone(api.Search))
	v2("GET "+l+"/users/{id}", anyone(api.ShowMember))
}

// Anyone serves e to every caller, signed in or not (the zero Actor reads
// what is public).
func Anyone(e zendesk.Endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, _ := httpx.ActorFrom(r.Context())
		status, body, err := e(w, r, a)
		switch {
		case err != nil:
			httpx.Fail(w, r, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			httpx.WriteJSON(w, status, body)
		}
	}
}

func decode[T any](w http.ResponseWriter, r *http.Request, limit int64, key string) (*T, error) {
	v := new(T)
	if err := httpx.DecodeObject(w, r, limit, key, v, httpx.ObjectRules{Strict: true, Siblings: []string{"notify_subscribers"}}); err != nil {
		return nil, err
	}
	return v, nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func tsPtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := ts(t)
	return &s
}
