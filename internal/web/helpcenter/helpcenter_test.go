package helpcenter_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"layan/internal/testkit"
)

// call makes an API request as the user with the given id (0: anonymous).
func call(t *testing.T, s *testkit.Server, userID int64, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
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

func id(t *testing.T, body map[string]any, key string) int64 {
	t.Helper()
	obj, ok := body[key].(map[string]any)
	if !ok {
		t.Fatalf("no %s in %v", key, body)
	}
	return int64(obj["id"].(float64))
}

func resultIDs(body map[string]any) []int64 {
	var out []int64
	rs, _ := body["results"].([]any)
	for _, r := range rs {
		out = append(out, int64(r.(map[string]any)["id"].(float64)))
	}
	return out
}

// An agent writes an article in Indonesian, translates it to Persian and
// English and publishes; an anonymous visitor finds it in each language.
// An internal article never reaches customers through the API.
func TestHelpCenterAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		agent := s.Agent.UserID
		st, body := call(t, s, agent, "POST", "/api/v2/help_center/id/categories", map[string]any{"category": map[string]any{"name": "Pengiriman"}})
		if st != http.StatusCreated {
			t.Fatalf("create category: %d %v", st, body)
		}
		cat := id(t, body, "category")
		st, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/categories/%d/sections", cat),
			map[string]any{"section": map[string]any{"name": "Lacak paket", "locale": "id"}})
		if st != http.StatusCreated {
			t.Fatalf("create section: %d %v", st, body)
		}
		sec := id(t, body, "section")
		st, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/id/sections/%d/articles", sec),
			map[string]any{"article": map[string]any{"title": "Cara melacak pengiriman pesanan", "draft": true, "label_names": []string{"Lacak"},
				"body": "Anda dapat melacak paket yang **dikirimkan** dari halaman Pesanan Saya."}})
		if st != http.StatusCreated {
			t.Fatalf("create article: %d %v", st, body)
		}
		art := id(t, body, "article")
		// Still a draft: anonymous visitors do not see it.
		if st, _ := call(t, s, 0, "GET", fmt.Sprintf("/api/v2/help_center/articles/%d.json", art), nil); st != http.StatusNotFound {
			t.Fatalf("draft visible: %d", st)
		}
		for _, tr := range []map[string]any{
			{"locale": "fa", "title": "چگونه ارسال سفارش را پیگیری کنم", "body": "بسته‌های ارسال‌شده را از صفحهٔ سفارش‌های من پیگیری کنید."},
			{"locale": "en", "title": "How to track the delivery of an order", "body": "You can track shipped packages from the My Orders page."},
		} {
			if st, body := call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/articles/%d/translations", art), map[string]any{"translation": tr}); st != http.StatusCreated {
				t.Fatalf("translation: %d %v", st, body)
			}
		}
		if st, body := call(t, s, agent, "PUT", fmt.Sprintf("/api/v2/help_center/articles/%d/translations/id", art),
			map[string]any{"translation": map[string]any{"draft": false}}); st != http.StatusOK {
			t.Fatalf("publish: %d %v", st, body)
		}
		for _, c := range []struct{ locale, q string }{{"id", "mengirim paket"}, {"fa", "پيگيري سفارش"}, {"en", "tracking shipments"}} {
			st, body := call(t, s, 0, "GET", "/api/v2/help_center/articles/search.json?locale="+c.locale+"&query="+url.QueryEscape(c.q), nil)
			ids := resultIDs(body)
			if st != http.StatusOK || len(ids) == 0 || ids[0] != art {
				t.Fatalf("search %s %q: %d %v", c.locale, c.q, st, body)
			}
			first := body["results"].([]any)[0].(map[string]any)
			if first["locale"] != c.locale || first["snippet"] == "" {
				t.Errorf("search %s: result %v", c.locale, first)
			}
		}
		st, body = call(t, s, 0, "GET", fmt.Sprintf("/api/v2/help_center/fa/articles/%d", art), nil)
		if st != http.StatusOK || body["article"].(map[string]any)["title"] != "چگونه ارسال سفارش را پیگیری کنم" {
			t.Fatalf("fa article: %d %v", st, body)
		}
		// An internal article: staff only, everywhere.
		st, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec),
			map[string]any{"article": map[string]any{"title": "Kebijakan internal pengembalian paket", "locale": "id",
				"visibility": "internal", "body": "Hanya untuk agen: paket yang hilang diganti tanpa persetujuan."}})
		if st != http.StatusCreated {
			t.Fatalf("internal article: %d %v", st, body)
		}
		internal := id(t, body, "article")
		for _, who := range []int64{0, s.Alice.UserID} {
			if st, _ := call(t, s, who, "GET", fmt.Sprintf("/api/v2/help_center/articles/%d", internal), nil); st != http.StatusNotFound {
				t.Errorf("user %d reads the internal article: %d", who, st)
			}
			_, body := call(t, s, who, "GET", "/api/v2/help_center/articles/search?query=paket", nil)
			for _, got := range resultIDs(body) {
				if got == internal {
					t.Errorf("user %d finds the internal article", who)
				}
			}
			_, body = call(t, s, who, "GET", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec), nil)
			if n := len(body["articles"].([]any)); n != 1 {
				t.Errorf("user %d lists %d articles", who, n)
			}
		}
		_, body = call(t, s, s.Light.UserID, "GET", "/api/v2/help_center/articles/search?query=paket+hilang", nil)
		if ids := resultIDs(body); len(ids) == 0 || ids[0] != internal {
			t.Errorf("staff should find the internal article: %v", ids)
		}
		// Customers cannot write; anonymous visitors can vote.
		if st, _ := call(t, s, s.Alice.UserID, "POST", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec),
			map[string]any{"article": map[string]any{"title": "x", "locale": "id"}}); st != http.StatusForbidden {
			t.Errorf("customer create: %d", st)
		}
		if st, body := call(t, s, 0, "POST", fmt.Sprintf("/api/v2/help_center/articles/%d/up.json", art), nil); st != http.StatusOK {
			t.Errorf("anonymous vote: %d %v", st, body)
		}
		if st, _ := call(t, s, 0, "POST", fmt.Sprintf("/api/v2/help_center/articles/%d/up.json", internal), nil); st != http.StatusNotFound {
			t.Errorf("vote on internal article: %d", st)
		}
		st, body = call(t, s, agent, "GET", fmt.Sprintf("/api/v2/help_center/articles/%d/votes", art), nil)
		if st != http.StatusOK || body["count"].(float64) != 1 {
			t.Errorf("votes: %d %v", st, body)
		}
		// Versions and search analytics.
		st, body = call(t, s, agent, "GET", fmt.Sprintf("/api/layan/v1/kb/articles/%d/translations/id/versions", art), nil)
		if st != http.StatusOK || len(body["versions"].([]any)) != 2 {
			t.Errorf("versions: %d %v", st, body)
		}
		st, body = call(t, s, s.Admin.UserID, "GET", "/api/layan/v1/kb/analytics", nil)
		if st != http.StatusOK || body["searches"].(float64) < 3 {
			t.Errorf("analytics: %d %v", st, body)
		}
		if st, _ := call(t, s, s.Alice.UserID, "GET", "/api/layan/v1/kb/analytics", nil); st != http.StatusForbidden {
			t.Errorf("customer analytics: %d", st)
		}
	})
}
