package flowapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"layan/internal/automation"
	"layan/internal/channel/webhook"
	"layan/internal/testkit"
)

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
	req.Header.Set("Authorization", "Bearer "+s.Tokens[userID])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d not JSON: %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func TestFlowAPI(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		ctx := context.Background()
		admin, agent, alice := s.Admin.UserID, s.Agent.UserID, s.Alice.UserID
		trigger := map[string]any{"trigger": map[string]any{
			"title": "Pengiriman ke Billing",
			"conditions": map[string]any{
				"all": []any{map[string]any{"field": "update_type", "operator": "is", "value": "Create"},
					map[string]any{"field": "comment_includes_word", "operator": "includes", "value": "paket kiriman"}},
				"any": []any{}},
			"actions": []any{map[string]any{"field": "current_tags", "value": "pengiriman"},
				map[string]any{"field": "group_id", "value": s.Billing.ID}},
		}}
		if st, _ := call(t, s, agent, "POST", "/api/v2/triggers", trigger); st != http.StatusForbidden {
			t.Fatalf("agent created a trigger: %d", st)
		}
		if st, _ := call(t, s, alice, "GET", "/api/v2/triggers", nil); st != http.StatusForbidden {
			t.Fatalf("customer listed triggers: %d", st)
		}
		st, body := call(t, s, admin, "POST", "/api/v2/triggers", trigger)
		if st != http.StatusCreated {
			t.Fatalf("create trigger: %d %v", st, body)
		}
		if st, body := call(t, s, agent, "GET", "/api/v2/triggers.json", nil); st != 200 || num(body["count"]) != 1 {
			t.Fatalf("list triggers: %d %v", st, body)
		}
		if st, body := call(t, s, admin, "POST", "/api/v2/triggers", map[string]any{"trigger": map[string]any{"title": "bad",
			"actions": []any{map[string]any{"field": "launch_rockets", "value": 1}}}}); st == http.StatusCreated {
			t.Fatalf("invalid trigger accepted: %v", body)
		}
		// A ticket created through the API is routed and tagged by the trigger.
		st, body = call(t, s, agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{
			"subject": "Pengiriman", "requester_id": alice, "comment": map[string]any{"body": "Paket saya belum sampai"}}})
		if st != http.StatusCreated {
			t.Fatalf("create ticket: %d %v", st, body)
		}
		tid := num(body["ticket"].(map[string]any)["id"])
		if _, err := s.App.Flow.Process(ctx); err != nil {
			t.Fatal(err)
		}
		_, body = call(t, s, agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", tid), nil)
		tk := body["ticket"].(map[string]any)
		if num(tk["group_id"]) != s.Billing.ID || fmt.Sprint(tk["tags"]) != "[pengiriman]" {
			t.Fatalf("trigger not applied: %v", tk)
		}

		// Macros: admins create, agents preview and apply.
		st, body = call(t, s, admin, "POST", "/api/v2/macros", map[string]any{"macro": map[string]any{"title": "Tunggu",
			"actions": []any{map[string]any{"field": "status", "value": "pending"}},
			"replies": map[string]any{"en": "Hi {{customer.name}}", "id": "Halo {{customer.name}}, tiket #{{ticket.id}}"}}})
		if st != http.StatusCreated {
			t.Fatalf("create macro: %d %v", st, body)
		}
		mid := num(body["macro"].(map[string]any)["id"])
		st, body = call(t, s, agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", tid, mid), nil)
		res, _ := body["result"].(map[string]any)
		if st != 200 || res["comment"].(map[string]any)["body"] != "Hi Alice" || res["ticket"].(map[string]any)["status"] != "pending" {
			t.Fatalf("preview: %d %v", st, body)
		}
		if st, _ := call(t, s, s.Light.UserID, "POST", fmt.Sprintf("/api/layan/v1/tickets/%d/macros/%d/apply", tid, mid), nil); st != http.StatusForbidden {
			t.Fatalf("light agent applied a macro: %d", st)
		}
		if st, body := call(t, s, agent, "POST", fmt.Sprintf("/api/layan/v1/tickets/%d/macros/%d/apply", tid, mid), nil); st != 200 ||
			body["ticket"].(map[string]any)["status"] != "pending" {
			t.Fatalf("apply: %d %v", st, body)
		}

		// SLA policies and business hours.
		st, body = call(t, s, admin, "POST", "/api/v2/slas/policies", map[string]any{"sla_policy": map[string]any{"title": "Standard",
			"policy_metrics": []any{map[string]any{"priority": "normal", "metric": "first_reply_time", "target": 60, "business_hours": true}}}})
		if st != http.StatusCreated {
			t.Fatalf("create policy: %d %v", st, body)
		}
		st, body = call(t, s, admin, "POST", "/api/layan/v1/schedules", map[string]any{"schedule": map[string]any{"name": "Jakarta",
			"time_zone": "Asia/Jakarta", "intervals": []any{map[string]any{"start_time": 1980, "end_time": 2460}},
			"holidays": []any{map[string]any{"name": "Natal", "start_date": "2026-12-25", "end_date": "2026-12-25"}}}})
		if st != http.StatusCreated {
			t.Fatalf("create schedule: %d %v", st, body)
		}
		if st, _ := call(t, s, admin, "POST", "/api/layan/v1/schedules", map[string]any{"schedule": map[string]any{"name": "x", "time_zone": "Mars/Olympus"}}); st == http.StatusCreated {
			t.Fatal("bad time zone accepted")
		}
		if st, body := call(t, s, agent, "GET", fmt.Sprintf("/api/layan/v1/tickets/%d/sla", tid), nil); st != 200 || num(body["sla"].(map[string]any)["policy_id"]) == 0 {
			t.Fatalf("ticket sla: %d %v", st, body)
		}
		if st, _ := call(t, s, agent, "GET", "/api/layan/v1/sla?state=breach_soon", nil); st != 200 {
			t.Fatalf("sla list: %d", st)
		}

		// Webhooks: internal targets are refused unless allowed; deliveries are signed and logged.
		var mu sync.Mutex
		var got []*http.Request
		var gotBody [][]byte
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, gotBody = append(got, r), append(gotBody, b)
			mu.Unlock()
		}))
		defer hook.Close()
		wh := map[string]any{"webhook": map[string]any{"name": "ops", "endpoint": hook.URL + "/in", "subscriptions": []any{"ticket.status_changed"}}}
		if st, _ := call(t, s, admin, "POST", "/api/layan/v1/webhooks", wh); st == http.StatusCreated {
			t.Fatal("loopback webhook accepted without the allow-list")
		}
		if st, _ := call(t, s, agent, "PUT", "/api/layan/v1/flow/settings", map[string]any{"settings": map[string]any{"webhook_allow_hosts": []any{"127.0.0.1"}}}); st != http.StatusForbidden {
			t.Fatalf("agent changed the allow-list: %d", st)
		}
		if st, b := call(t, s, admin, "PUT", "/api/layan/v1/flow/settings", map[string]any{"settings": map[string]any{"webhook_allow_hosts": []any{"127.0.0.1"}}}); st != 200 {
			t.Fatalf("allow-list: %d %v", st, b)
		}
		if st, b := call(t, s, admin, "GET", "/api/layan/v1/flow/settings", nil); st != 200 || b["settings"] == nil {
			t.Fatalf("read allow-list: %d %v", st, b)
		}
		// Routing: staff read it, admins change it.
		if st, b := call(t, s, agent, "GET", "/api/layan/v1/routing", nil); st != 200 || b["routing"] == nil {
			t.Fatalf("read routing: %d %v", st, b)
		}
		if st, _ := call(t, s, agent, "PUT", "/api/layan/v1/routing", map[string]any{"routing": map[string]any{"enabled": true, "mode": "round_robin"}}); st != http.StatusForbidden {
			t.Fatalf("agent changed routing: %d", st)
		}
		if st, b := call(t, s, admin, "PUT", "/api/layan/v1/routing", map[string]any{"routing": map[string]any{"enabled": true, "mode": "round_robin"}}); st != 200 || b["routing"] == nil {
			t.Fatalf("admin changed routing: %d %v", st, b)
		}
		if st, b := call(t, s, agent, "GET", "/api/layan/v1/availability", nil); st != 200 {
			t.Fatalf("read availability: %d %v", st, b)
		}
		st, body = call(t, s, admin, "POST", "/api/layan/v1/webhooks", wh)
		if st != http.StatusCreated {
			t.Fatalf("create webhook: %d %v", st, body)
		}
		hw := body["webhook"].(map[string]any)
		secret, hid := hw["signing_secret"].(string), num(hw["id"])
		if secret == "" {
			t.Fatal("no signing secret returned on create")
		}
		if _, err := s.App.Flow.Process(ctx); err != nil { // the macro's status change
			t.Fatal(err)
		}
		for {
			j, err := s.App.Jobs.Claim(ctx, automation.WebhookQueue, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if j == nil {
				break
			}
			if err := s.App.Flow.HandleWebhookJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			if err := s.App.Jobs.Complete(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		if len(got) != 1 || got[0].Header.Get(webhook.HeaderEvent) != "ticket.status_changed" ||
			!webhook.Verify([]byte(secret), got[0].Header.Get(webhook.HeaderTimestamp), gotBody[0], got[0].Header.Get(webhook.HeaderSignature)) {
			t.Fatalf("webhook deliveries: %d", len(got))
		}
		mu.Unlock()
		st, body = call(t, s, admin, "GET", fmt.Sprintf("/api/layan/v1/webhooks/%d/deliveries", hid), nil)
		ds, _ := body["deliveries"].([]any)
		if st != 200 || len(ds) != 1 || ds[0].(map[string]any)["status"] != "succeeded" {
			t.Fatalf("delivery log: %d %v", st, body)
		}
		if st, body := call(t, s, admin, "GET", "/api/layan/v1/webhooks", nil); st != 200 || body["webhooks"].([]any)[0].(map[string]any)["signing_secret"] != nil {
			t.Fatalf("secret listed: %v", body)
		}
	})
}
