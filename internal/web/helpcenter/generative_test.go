package helpcenter_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"layan/internal/config"
	"layan/internal/testkit"
)

// With --llm-url set, the assistant's answers are written by the
// OpenAI-compatible endpoint (a local fake here) from the public passages
// only, and cite them; over the API and on the help-centre page.
func TestGenerativeAnswers(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent = append(sent, string(raw))
		mu.Unlock()
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{
			"role": "assistant", "content": "You can cancel it from My orders until it ships [1]."}}}})
	}))
	defer llm.Close()
	s := testkit.NewServer(t, testkit.Engines()[0], func(c *config.Config) {
		c.LLMURL, c.LLMModel, c.LLMAPIKey = llm.URL+"/v1", "test-model", "sk-test"
	})
	agent := s.Agent.UserID
	_, body := call(t, s, agent, "POST", "/api/v2/help_center/categories", map[string]any{"category": map[string]any{"name": "Help", "locale": "en"}})
	cat := id(t, body, "category")
	_, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/categories/%d/sections", cat), map[string]any{"section": map[string]any{"name": "Orders", "locale": "en"}})
	sec := id(t, body, "section")
	_, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec), map[string]any{"article": map[string]any{
		"locale": "en", "title": "Cancel an order", "body": "Orders can be cancelled from My orders until they ship."}})
	art := id(t, body, "article")
	call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec), map[string]any{"article": map[string]any{
		"locale": "en", "visibility": "internal", "title": "Cancel order staff override", "body": "STAFF ONLY: cancel shipped orders with code X9."}})

	st, body := call(t, s, 0, "POST", "/api/layan/v1/bot/messages", map[string]any{"message": map[string]any{"text": "how can I cancel my order", "locale": "en"}})
	if st != http.StatusOK || body["answered"] != true {
		t.Fatalf("bot: %d %v", st, body)
	}
	gen, ok := body["generated_answer"].(map[string]any)
	if !ok || gen["text"] != "You can cancel it from My orders until it ships [1]." {
		t.Fatalf("generated answer: %v", body)
	}
	sources := gen["sources"].([]any)
	if len(sources) != 1 || int64(sources[0].(map[string]any)["id"].(float64)) != art {
		t.Fatalf("sources: %v", sources)
	}
	mu.Lock()
	for _, req := range sent {
		if strings.Contains(req, "STAFF ONLY") {
			t.Fatal("an internal article was sent to the model for a visitor's question")
		}
	}
	mu.Unlock()

	// The help-centre page shows the written answer and links its source.
	jar := &cookies{}
	page := get(t, jar, s.URL+"/hc/en/assistant")
	m := regexp.MustCompile(`name="form_token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no form token")
	}
	page = postForm(t, jar, s.URL+"/hc/en/assistant", url.Values{"action": {"ask"}, "q": {"how can I cancel my order"}, "form_token": {m[1]}})
	for _, want := range []string{"You can cancel it from My orders until it ships [1].", "Written from these articles:",
		fmt.Sprintf(`href="/hc/en/articles/%d"`, art), `value="yes"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("assistant page lacks %q", want)
		}
	}
}

// cookies is a one-site cookie jar for the page test.
type cookies struct{ c []*http.Cookie }

func (j *cookies) send(r *http.Request) {
	for _, c := range j.c {
		r.AddCookie(c)
	}
}

func get(t *testing.T, j *cookies, u string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return do(t, j, req)
}

func postForm(t *testing.T, j *cookies, u string, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, j, req)
}

func do(t *testing.T, j *cookies, req *http.Request) string {
	t.Helper()
	j.send(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	j.c = append(j.c, res.Cookies()...)
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, res.StatusCode, raw)
	}
	return string(raw)
}
