package communityapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"layan/internal/testkit"
)

// call makes an API request as the user with the given id (0: anonymous).
func call(t *testing.T, s *testkit.Server, userID int64, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if userID != 0 {
		req.Header.Set("Authorization", "Bearer "+s.Tokens[userID])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: status %d, body is not JSON: %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

func obj(t *testing.T, body map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := body[key].(map[string]any)
	if !ok {
		t.Fatalf("no %s in %v", key, body)
	}
	return o
}

func num(o map[string]any, key string) int64 { f, _ := o[key].(float64); return int64(f) }

func expect(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d", what, got, want)
	}
}

func TestCommunityAPIFlowAndPermissions(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		admin, agent, alice, bob, carol := s.Admin.UserID, s.Agent.UserID, s.Alice.UserID, s.Bob.UserID, s.Carol.UserID
		st, _ := call(t, s, alice, "POST", "/api/v2/community/topics", map[string]any{"topic": map[string]any{"name": "Billing"}})
		expect(t, "a customer creates a topic", st, 403)
		st, body := call(t, s, admin, "POST", "/api/v2/community/topics.json", map[string]any{"topic": map[string]any{"name": "Tagihan"}})
		expect(t, "create topic", st, 201)
		topic := num(obj(t, body, "topic"), "id")

		// Carol follows the topic (a visitor may not; an unknown topic is a 404).
		follow := fmt.Sprintf("/api/layan/v1/community/topics/%d/follow", topic)
		st, _ = call(t, s, 0, "POST", follow, nil)
		expect(t, "anonymous follows a topic", st, 401)
		st, _ = call(t, s, carol, "POST", "/api/layan/v1/community/topics/999999/follow", nil)
		expect(t, "follow an unknown topic", st, 404)
		st, _ = call(t, s, carol, "POST", follow, nil)
		expect(t, "follow a topic", st, 204)
		if !s.App.Forum.FollowingTopic(t.Context(), s.Carol, topic) {
			t.Fatal("the topic follow was not recorded")
		}

		// Alice is new: her first post is queued, invisible to others.
		st, body = call(t, s, alice, "POST", "/api/v2/community/posts.json", map[string]any{"post": map[string]any{
			"title": "Bagaimana cara mengunduh faktur?", "details": "Saya tidak menemukan tombol **unduh** faktur.", "topic_id": topic}})
		expect(t, "create post", st, 201)
		post := obj(t, body, "post")
		pid := num(post, "id")
		if post["moderation_status"] != "queued" || !strings.Contains(post["details"].(string), "<strong>unduh</strong>") || post["locale"] != "id" {
			t.Fatalf("new post: %v", post)
		}
		path := fmt.Sprintf("/api/v2/community/posts/%d", pid)
		for who, uid := range map[string]int64{"anonymous": 0, "Bob": bob} {
			st, _ = call(t, s, uid, "GET", path, nil)
			expect(t, who+" reads a queued post", st, 404)
			st, _ = call(t, s, uid, "GET", path+"/comments", nil)
			expect(t, who+" reads a queued post's comments", st, 404)
		}
		st, _ = call(t, s, bob, "GET", "/api/v2/community/posts?moderation_status=queued", nil)
		expect(t, "a customer lists the queue", st, 403)
		st, body = call(t, s, agent, "GET", "/api/layan/v1/community/queue", nil)
		if expect(t, "queue", st, 200); len(body["queue"].([]any)) != 1 {
			t.Fatalf("queue: %v", body)
		}
		st, _ = call(t, s, s.Light.UserID, "POST", "/api/layan/v1/community/moderation", map[string]any{"moderation": map[string]any{"target": "post", "id": pid, "action": "approve"}})
		expect(t, "a light agent approves", st, 403)
		st, _ = call(t, s, agent, "POST", "/api/layan/v1/community/moderation", map[string]any{"moderation": map[string]any{"target": "post", "id": pid, "action": "approve"}})
		expect(t, "approve", st, 204)
		st, _ = call(t, s, 0, "GET", path+".json", nil)
		expect(t, "anonymous reads the approved post", st, 200)

		// Bob answers (an agent trusted him), Carol may not accept, Alice does.
		s.App.Forum.SetTrusted(t.Context(), s.Agent, bob, true)
		st, body = call(t, s, bob, "POST", path+"/comments.json", map[string]any{"comment": map[string]any{"body": "Buka menu Tagihan lalu pilih Unduh PDF."}})
		expect(t, "answer", st, 201)
		cid := num(obj(t, body, "comment"), "id")
		st, _ = call(t, s, 0, "POST", path+"/comments.json", map[string]any{"comment": map[string]any{"body": "anon"}})
		expect(t, "anonymous comment", st, 401)
		accept := fmt.Sprintf("/api/layan/v1/community/posts/%d/accept", pid)
		st, _ = call(t, s, carol, "POST", accept, map[string]any{"accept": map[string]any{"comment_id": cid}})
		expect(t, "Carol accepts on Alice's question", st, 403)
		st, _ = call(t, s, bob, "POST", accept, map[string]any{"accept": map[string]any{"comment_id": cid}})
		expect(t, "the answerer accepts his own answer", st, 403)
		st, body = call(t, s, alice, "POST", accept, map[string]any{"accept": map[string]any{"comment_id": cid}})
		expect(t, "the asker accepts", st, 200)
		if p := obj(t, body, "post"); p["status"] != "answered" || p["solved"] != true || num(p, "accepted_comment_id") != cid {
			t.Fatalf("accepted post: %v", p)
		}
		// Votes, in Zendesk's paths.
		st, _ = call(t, s, alice, "POST", path+"/up.json", nil)
		expect(t, "vote on one's own post", st, 422)
		st, _ = call(t, s, carol, "POST", fmt.Sprintf("%s/comments/%d/up.json", path, cid), nil)
		expect(t, "up vote", st, 200)
		st, body = call(t, s, 0, "GET", fmt.Sprintf("%s/comments/%d", path, cid), nil)
		if c := obj(t, body, "comment"); num(c, "vote_sum") != 1 || c["accepted"] != true {
			t.Fatalf("comment after vote: %v", c)
		}
		st, _ = call(t, s, carol, "POST", fmt.Sprintf("/api/v2/community/posts/%d/comments/%d/up", pid+1000, cid), nil)
		expect(t, "a comment under another post's path", st, 404)

		// Solved: found by the community search and by the chatbot.
		st, body = call(t, s, 0, "GET", "/api/layan/v1/community/search?locale=id&query="+url.QueryEscape("unduh faktur"), nil)
		if expect(t, "search", st, 200); num(body, "count") != 1 {
			t.Fatalf("search: %v", body)
		}
		st, body = call(t, s, 0, "POST", "/api/layan/v1/bot/messages", map[string]any{"message": map[string]any{
			"text": "bagaimana mengunduh faktur tagihan", "locale": "id"}})
		expect(t, "bot", st, 200)
		if body["answered"] != true || obj(t, body, "answer")["kind"] != "forum" ||
			!strings.HasSuffix(obj(t, body, "answer")["html_url"].(string), fmt.Sprintf("/community/posts/%d", pid)) {
			t.Fatalf("the bot did not answer from the solved thread: %v", body)
		}

		// "That solved it" on the bot's forum answer is a deflection the
		// community's metrics count; the request form's suggestions (the
		// Help Center search with include=forum) offer the thread too.
		st, _ = call(t, s, 0, "POST", "/api/layan/v1/bot/resolved", map[string]any{"resolution": map[string]any{
			"kind": "forum", "id": pid, "question": "bagaimana mengunduh faktur tagihan"}})
		expect(t, "bot resolved with a forum answer", st, 204)
		st, body = call(t, s, 0, "GET", "/api/v2/help_center/articles/search.json?source=request_form&include=faq,forum&query="+
			url.QueryEscape("unduh faktur"), nil)
		expect(t, "request-form suggestions", st, 200)
		if rs, _ := body["results"].([]any); len(rs) != 1 || rs[0].(map[string]any)["result_type"] != "community_post" {
			t.Fatalf("suggestions: %v", body["results"])
		}
		st, body = call(t, s, 0, "GET", "/api/v2/help_center/articles/search.json?include=faq&query="+url.QueryEscape("unduh faktur"), nil)
		if rs, _ := body["results"].([]any); st != 200 || len(rs) != 0 {
			t.Fatalf("a forum thread among articles and FAQ: %d %v", st, body["results"])
		}

		// Bad input: a clear 4xx, nothing written.
		for name, c := range map[string]struct {
			body any
			want int
		}{
			"not JSON":       {"{", 400},
			"unknown field":  {map[string]any{"post": map[string]any{"title": "x", "details": "y", "topic_id": topic, "pinned": true}}, 400},
			"no envelope":    {map[string]any{"title": "x"}, 400},
			"missing title":  {map[string]any{"post": map[string]any{"details": "y", "topic_id": topic}}, 422},
			"unknown topic":  {map[string]any{"post": map[string]any{"title": "x", "details": "y", "topic_id": 99999}}, 422},
			"wrong type":     {map[string]any{"post": map[string]any{"title": 5, "details": "y", "topic_id": topic}}, 400},
			"invalid kind":   {map[string]any{"post": map[string]any{"title": "x", "details": "y", "topic_id": topic, "kind": "poll"}}, 422},
			"invalid locale": {map[string]any{"post": map[string]any{"title": "x", "details": "y", "topic_id": topic, "locale": "de"}}, 422},
		} {
			st, _ = call(t, s, agent, "POST", "/api/v2/community/posts", c.body)
			expect(t, name, st, c.want)
		}
		st, body = call(t, s, agent, "GET", "/api/v2/community/posts", nil)
		if expect(t, "list", st, 200); len(body["posts"].([]any)) != 1 {
			t.Fatalf("bad input wrote posts: %v", body["posts"])
		}
		st, _ = call(t, s, 0, "GET", "/api/v2/community/posts?page[size]=0", nil)
		expect(t, "page size 0", st, 400)
		st, _ = call(t, s, 0, "GET", "/api/v2/community/posts?page[after]=abc", nil)
		expect(t, "bad cursor", st, 400)
		st, _ = call(t, s, 0, "GET", "/api/v2/community/posts/abc", nil)
		if st != 404 && st != 400 {
			t.Fatalf("non-numeric id: %d", st)
		}
		// Metrics and the log are staff-only.
		st, _ = call(t, s, alice, "GET", "/api/layan/v1/community/metrics", nil)
		expect(t, "a customer reads metrics", st, 403)
		st, body = call(t, s, agent, "GET", "/api/layan/v1/community/metrics", nil)
		if expect(t, "metrics", st, 200); num(obj(t, body, "metrics"), "solved") != 1 || num(obj(t, body, "metrics"), "deflections") != 1 {
			t.Fatalf("metrics: %v", body)
		}
	})
}

func TestCursorPagination(t *testing.T) {
	s := testkit.NewServer(t, "sqlite")
	st, body := call(t, s, s.Agent.UserID, "POST", "/api/v2/community/topics", map[string]any{"topic": map[string]any{"name": "General"}})
	expect(t, "topic", st, 201)
	topic := num(obj(t, body, "topic"), "id")
	for i := range 7 {
		st, _ := call(t, s, s.Agent.UserID, "POST", "/api/v2/community/posts", map[string]any{"post": map[string]any{
			"title": fmt.Sprintf("Post %d", i), "details": "text", "topic_id": topic}})
		expect(t, "post", st, 201)
	}
	next := "/api/v2/community/topics/" + fmt.Sprint(topic) + "/posts.json?page[size]=3"
	seen := 0
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		st, body := call(t, s, 0, "GET", next, nil)
		expect(t, "page", st, 200)
		seen += len(body["posts"].([]any))
		next = ""
		if n, ok := body["links"].(map[string]any)["next"].(string); ok {
			next = strings.TrimPrefix(n, s.URL)
		}
	}
	if seen != 7 {
		t.Fatalf("saw %d posts, want 7", seen)
	}
}
