package emailapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"layan/internal/channel/email"
	"layan/internal/testkit"
)

func call(t *testing.T, s *testkit.Server, userID int64, method, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
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
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
	} else {
		out["raw"] = string(raw)
	}
	return resp.StatusCode, out, resp.Header
}

func TestEmailAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		addr := map[string]any{"address": map[string]any{"email": "help@layan.test", "group_id": s.Support.ID, "locale": "id",
			"imap_url": "imaps://desk:topsecret@mail.layan.test/INBOX", "smtp_url": "smtp://desk:topsecret@mail.layan.test:587"}}
		// Agents may not add addresses; admins may. Passwords never come back.
		if st, _, _ := call(t, s, s.Agent.UserID, "POST", "/api/layan/v1/email/addresses", addr); st != 403 {
			t.Fatalf("agent create: %d", st)
		}
		st, body, _ := call(t, s, s.Admin.UserID, "POST", "/api/layan/v1/email/addresses", addr)
		if st != 201 || strings.Contains(jsonStr(body), "topsecret") {
			t.Fatalf("admin create: %d %v", st, body)
		}
		id := int64(body["address"].(map[string]any)["id"].(float64))
		if st, body, _ := call(t, s, s.Agent.UserID, "GET", "/api/layan/v1/email/addresses", nil); st != 200 ||
			strings.Contains(jsonStr(body), "topsecret") || !strings.Contains(jsonStr(body), "help@layan.test") {
			t.Fatalf("list: %d %v", st, body)
		}
		if st, _, _ := call(t, s, s.Alice.UserID, "GET", "/api/layan/v1/email/addresses", nil); st != 403 {
			t.Fatalf("customer list: %d", st)
		}
		// Sending the redacted URL back keeps the password.
		st, body, _ = call(t, s, s.Admin.UserID, "PUT", "/api/layan/v1/email/addresses/"+itoa(id), map[string]any{"address": map[string]any{
			"imap_url": "imaps://desk:xxxxx@mail.layan.test/INBOX", "name": "Bantuan"}})
		if st != 200 || body["address"].(map[string]any)["name"] != "Bantuan" {
			t.Fatalf("update: %d %v", st, body)
		}
		got, _ := s.App.Email.GetAddress(context.Background(), s.Admin, id)
		if !strings.Contains(got.IMAPURL, "topsecret") {
			t.Fatalf("password lost: %s", email.RedactURL(got.IMAPURL))
		}
		if st, body, _ := call(t, s, s.Admin.UserID, "POST", "/api/layan/v1/email/addresses", map[string]any{"address": map[string]any{
			"email": "x@layan.test", "imap_url": "ftp://nope"}}); st != 422 {
			t.Fatalf("bad url: %d %v", st, body)
		}

		// A message that cannot be parsed lands in the failed list.
		res, err := s.App.Email.Ingest(context.Background(), email.Inbound{Raw: []byte("To: help@layan.test\r\nSubject: no sender\r\n\r\nhi\r\n"),
			Source: "smtp", Rcpts: []string{"help@layan.test"}})
		if err != nil || res.Status != email.StatusFailed {
			t.Fatalf("ingest %+v %v", res, err)
		}
		st, body, _ = call(t, s, s.Agent.UserID, "GET", "/api/layan/v1/email/messages?status=failed", nil)
		msgs, _ := body["messages"].([]any)
		if st != 200 || len(msgs) != 1 {
			t.Fatalf("failed list: %d %v", st, body)
		}
		if st, _, _ := call(t, s, s.Alice.UserID, "GET", "/api/layan/v1/email/messages?status=failed", nil); st != 403 {
			t.Fatalf("customer failed list: %d", st)
		}
		st, raw, h := call(t, s, s.Agent.UserID, "GET", "/api/layan/v1/email/messages/"+itoa(res.ID)+"/raw", nil)
		if st != 200 || h.Get("Content-Type") != "message/rfc822" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(raw["raw"].(string), "no sender") {
			t.Fatalf("raw: %d %v %v", st, h, raw)
		}
		if st, _, _ := call(t, s, s.Alice.UserID, "GET", "/api/layan/v1/email/messages/"+itoa(res.ID)+"/raw", nil); st != 403 {
			t.Fatalf("customer raw: %d", st)
		}
		if st, body, _ := call(t, s, s.Light.UserID, "POST", "/api/layan/v1/email/messages/"+itoa(res.ID)+"/retry", nil); st != 403 {
			t.Fatalf("light agent retry: %d %v", st, body)
		}
		st, body, _ = call(t, s, s.Agent.UserID, "POST", "/api/layan/v1/email/messages/"+itoa(res.ID)+"/retry", nil)
		if st != 200 || body["result"].(map[string]any)["status"] != "failed" {
			t.Fatalf("retry: %d %v", st, body)
		}
		// A restricted agent sees only messages of their groups' addresses.
		if st, body, _ := call(t, s, s.Restricted.UserID, "GET", "/api/layan/v1/email/messages/"+itoa(res.ID), nil); st != 404 {
			t.Fatalf("restricted agent: %d %v", st, body)
		}
		if st, _, _ := call(t, s, s.Admin.UserID, "DELETE", "/api/layan/v1/email/addresses/"+itoa(id), nil); st != 204 {
			t.Fatalf("delete: %d", st)
		}
	})
}

func jsonStr(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(i int64) string {
	b, _ := json.Marshal(i)
	return string(b)
}
