package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"layan/internal/testkit"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	if code, body := get(t, s.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz = %d %q", code, body)
	}
	if code, _ := get(t, s.URL+"/readyz"); code != 200 {
		t.Fatalf("readyz = %d", code)
	}
	get(t, s.URL+"/api/v2/tickets/123") // one request to count (401)
	code, body := get(t, s.URL+"/metrics")
	if code != 200 || !strings.Contains(body, `layan_http_requests_total{code="4xx",route="GET /api/v2/tickets/{id}"}`) ||
		!strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics = %d, missing series:\n%s", code, body[:min(len(body), 2000)])
	}
	s.App.DB.R.Close() // the database goes away: not ready
	if code, _ := get(t, s.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database = %d", code)
	}
	if code, body := get(t, s.URL+"/no/such/page"); code != 404 || strings.Contains(body, "goroutine") {
		t.Fatalf("unknown path = %d %q", code, body)
	}
}

func TestSessionLoginRotatesAndRequiresCSRF(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	login := func(password string) (int, map[string]any) {
		body, _ := json.Marshal(map[string]string{"email": "agent@layan.test", "password": password})
		resp, err := c.Post(s.URL+"/api/layan/v1/session", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out := map[string]any{}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, _ := login("wrong-password"); code != 401 {
		t.Fatalf("wrong password = %d", code)
	}
	code, first := login("password-Agent")
	if code != 201 {
		t.Fatalf("login = %d %v", code, first)
	}
	cookie1 := jar.Cookies(mustURL(s.URL))[0].Value
	code, second := login("password-Agent")
	if code != 201 || jar.Cookies(mustURL(s.URL))[0].Value == cookie1 {
		t.Fatalf("session id not rotated at login: %d %v %v", code, second, jar.Cookies(mustURL(s.URL)))
	}
	// The cookie authenticates reads; writes need the CSRF token.
	resp, _ := c.Get(s.URL + "/api/v2/users/me.json")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("cookie read = %d", resp.StatusCode)
	}
	send := func(csrf string) int {
		req, _ := http.NewRequest("POST", s.URL+"/api/v2/tickets", strings.NewReader(`{"ticket":{"comment":{"body":"x"}}}`))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(""); code != 403 {
		t.Fatalf("write without CSRF = %d", code)
	}
	if code := send(first["csrf_token"].(string)); code != 403 {
		t.Fatalf("write with the old session's CSRF = %d", code)
	}
	if code := send(second["csrf_token"].(string)); code != 201 {
		t.Fatalf("write with CSRF = %d", code)
	}
}

func TestLoginIsThrottled(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	codes := map[int]int{}
	for i := 0; i < 12; i++ {
		resp, err := http.Post(s.URL+"/api/layan/v1/session", "application/json",
			strings.NewReader(`{"email":"admin@layan.test","password":"guess`+strings.Repeat("x", i)+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	if codes[429] == 0 || codes[401] != 10 {
		t.Fatalf("12 guesses in a row: %v", codes)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
