package zendesk_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"layan/internal/config"
	"layan/internal/testkit"
)

func TestBadInputGets4xxAndChangesNothing(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		agent := s.Agent.UserID
		existing := s.NewTicket(t, s.Alice, s.Support.ID, "Untouched", "original body")
		put := fmt.Sprint("/api/v2/tickets/", existing.ID)
		huge := append([]byte(`{"ticket":{"comment":{"body":"`), bytes.Repeat([]byte("a"), 10<<20)...)
		huge = append(huge, []byte(`"}}}`)...)
		cases := []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"malformed JSON", "POST", "/api/v2/tickets", `{"ticket": {"subject": "x",`, 400},
			{"not an object", "POST", "/api/v2/tickets", `[1,2,3]`, 400},
			{"empty body", "POST", "/api/v2/tickets", ``, 400},
			{"trailing data", "POST", "/api/v2/tickets", `{"ticket":{"comment":{"body":"x"}}} {}`, 400},
			{"wrong type subject", "POST", "/api/v2/tickets", `{"ticket":{"subject":42,"comment":{"body":"x"}}}`, 400},
			{"wrong type requester_id", "POST", "/api/v2/tickets", `{"ticket":{"requester_id":"abc","comment":{"body":"x"}}}`, 400},
			{"wrong type tags", "POST", "/api/v2/tickets", `{"ticket":{"tags":"vip","comment":{"body":"x"}}}`, 400},
			{"unknown field", "POST", "/api/v2/tickets", `{"ticket":{"subjekt":"x","comment":{"body":"x"}}}`, 400},
			{"unknown top-level field", "POST", "/api/v2/tickets", `{"tiket":{}}`, 400},
			{"10 MB body", "POST", "/api/v2/tickets", huge, 413},
			{"invalid UTF-8", "POST", "/api/v2/tickets", []byte("{\"ticket\":{\"subject\":\"\xff\xfe\",\"comment\":{\"body\":\"x\"}}}"), 400},
			{"missing comment", "POST", "/api/v2/tickets", `{"ticket":{"subject":"no body"}}`, 422},
			{"bad status", "POST", "/api/v2/tickets", `{"ticket":{"status":"exploded","comment":{"body":"x"}}}`, 422},
			{"bad priority", "PUT", put, `{"ticket":{"priority":"'; DROP TABLE tickets; --"}}`, 422},
			{"unknown assignee", "PUT", put, `{"ticket":{"assignee_id":987654}}`, 422},
			{"customer as assignee", "PUT", put, fmt.Sprintf(`{"ticket":{"assignee_id":%d}}`, s.Bob.UserID), 422},
			{"unknown group", "PUT", put, `{"ticket":{"group_id":987654}}`, 422},
			{"unknown custom field", "PUT", put, `{"ticket":{"custom_fields":[{"id":5,"value":"x"}]}}`, 422},
			{"NUL in subject", "PUT", put, `{"ticket":{"subject":"a\u0000b"}}`, 422},
			{"negative id in path", "GET", "/api/v2/tickets/-1", nil, 404},
			{"text id in path", "GET", "/api/v2/tickets/abc", nil, 404},
			{"huge page", "GET", "/api/v2/search.json?query=x&page=999999", nil, 422},
			{"bad cursor", "GET", "/api/v2/tickets.json?page[after]=garbage", nil, 422},
			{"bad sort", "GET", "/api/v2/tickets.json?sort_by=password_hash", nil, 422},
			{"unterminated query", "GET", `/api/v2/search.json?query=%22abc`, nil, 422},
			{"unknown search field", "GET", `/api/v2/search.json?query=password:x`, nil, 422},
			{"bad date", "GET", `/api/v2/search.json?query=created>yesterday`, nil, 422},
			{"bad email", "POST", "/api/v2/users", `{"user":{"name":"x","email":"not-an-email"}}`, 422},
			{"duplicate email", "POST", "/api/v2/users", `{"user":{"name":"x","email":"alice@acme.test"}}`, 422},
			{"bad locale", "POST", "/api/v2/users", `{"user":{"name":"x","email":"z@z.test","locale":"klingon"}}`, 422},
			{"bad time zone", "POST", "/api/v2/users", `{"user":{"name":"x","email":"z@z.test","iana_time_zone":"../../etc/passwd"}}`, 422},
			{"show_many garbage", "GET", "/api/v2/tickets/show_many?ids=1,abc", nil, 400},
		}
		beforeTickets := ticketCount(t, s)
		beforeComments := 0
		_ = s.DB.R.QueryRow(`SELECT count(*) FROM comments`).Scan(&beforeComments)
		for _, c := range cases {
			code, body := call(t, s, agent, c.method, c.path, c.body)
			if code != c.want {
				t.Errorf("%s: %d, want %d (%v)", c.name, code, c.want, body)
			}
			if body["error"] == nil {
				t.Errorf("%s: no JSON error body: %v", c.name, body)
			}
			for _, v := range body {
				if s, ok := v.(string); ok && (strings.Contains(s, "goroutine") || strings.Contains(s, ".go:")) {
					t.Errorf("%s: response leaks a stack trace: %q", c.name, s)
				}
			}
		}
		afterComments := 0
		_ = s.DB.R.QueryRow(`SELECT count(*) FROM comments`).Scan(&afterComments)
		if ticketCount(t, s) != beforeTickets || afterComments != beforeComments {
			t.Errorf("bad input changed data: tickets %d→%d, comments %d→%d", beforeTickets, ticketCount(t, s), beforeComments, afterComments)
		}
		_, got := call(t, s, agent, "GET", put, nil)
		tk := got["ticket"].(map[string]any)
		if tk["subject"] != "Untouched" || tk["priority"] != nil || tk["assignee_id"] != nil {
			t.Errorf("ticket changed by rejected updates: %v", tk)
		}
	})
}

func TestSQLAndHTMLAreStoredAsTextAndSanitised(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		evil := `Robert'); DROP TABLE tickets;-- <script>alert(1)</script>`
		code, body := call(t, s, s.Agent.UserID, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{
			"subject": evil, "tags": []string{"x'--"}, "comment": map[string]any{
				"html_body": `<p onclick="steal()">hi</p><img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:x">l</a>`}}})
		if code != 201 {
			t.Fatalf("create: %d %v", code, body)
		}
		id := body["ticket"].(map[string]any)["id"].(float64)
		if body["ticket"].(map[string]any)["subject"] != evil {
			t.Errorf("subject not kept literally: %v", body["ticket"].(map[string]any)["subject"])
		}
		_, cs := call(t, s, s.Agent.UserID, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments", int64(id)), nil)
		html := cs["comments"].([]any)[0].(map[string]any)["html_body"].(string)
		for _, bad := range []string{"<script", "onerror", "onclick", "javascript:"} {
			if strings.Contains(html, bad) {
				t.Errorf("html_body keeps %q: %s", bad, html)
			}
		}
		// The tickets table is still there and searchable for the literal text.
		_, res := call(t, s, s.Agent.UserID, "GET", "/api/v2/search.json?query="+strings.ReplaceAll("type:ticket DROP", " ", "%20"), nil)
		if res["count"].(float64) != 1 {
			t.Errorf("search for the literal text: %v", res["count"])
		}
	})
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0], func(c *config.Config) { c.RateLimit = 5 })
	var last *http.Response
	for i := 0; i < 6; i++ {
		req, _ := http.NewRequest("GET", s.URL+"/api/v2/users/me.json", nil)
		req.Header.Set("Authorization", "Bearer "+s.Tokens[s.Agent.UserID])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i < 5 && resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
		if resp.Header.Get("X-Rate-Limit") != "5" {
			t.Fatalf("X-Rate-Limit = %q", resp.Header.Get("X-Rate-Limit"))
		}
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th request: %d", last.StatusCode)
	}
	ra := last.Header.Get("Retry-After")
	if d, err := time.ParseDuration(ra + "s"); err != nil || d <= 0 || d > time.Minute {
		t.Fatalf("Retry-After = %q", ra)
	}
	// Another user has their own budget.
	req, _ := http.NewRequest("GET", s.URL+"/api/v2/users/me.json", nil)
	req.Header.Set("Authorization", "Bearer "+s.Tokens[s.Admin.UserID])
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("other user limited: %d", resp.StatusCode)
	}
}
