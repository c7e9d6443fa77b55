package helpcenter_test

import (
	"fmt"
	"net/http"
	"testing"

	"layan/internal/testkit"
)

func TestBotOverHTTP(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		agent := s.Agent.UserID
		_, body := call(t, s, agent, "POST", "/api/v2/help_center/categories", map[string]any{"category": map[string]any{"name": "Help", "locale": "en"}})
		cat := id(t, body, "category")
		_, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/categories/%d/sections", cat), map[string]any{"section": map[string]any{"name": "Orders", "locale": "en"}})
		sec := id(t, body, "section")
		_, body = call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec), map[string]any{"article": map[string]any{
			"locale": "id", "title": "Cara membatalkan pesanan", "body": "Pesanan dapat dibatalkan dari Pesanan Saya selama belum dikirim."}})
		art := id(t, body, "article")
		if st, b := call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/articles/%d/translations", art), map[string]any{"translation": map[string]any{
			"locale": "fa", "title": "چگونه سفارش را لغو کنم", "body": "تا وقتی سفارش ارسال نشده، می‌توانید آن را از سفارش‌های من لغو کنید."}}); st != http.StatusCreated {
			t.Fatalf("translation: %d %v", st, b)
		}
		call(t, s, agent, "POST", fmt.Sprintf("/api/v2/help_center/sections/%d/articles", sec), map[string]any{"article": map[string]any{
			"locale": "fa", "visibility": "internal", "title": "سیاست داخلی لغو سفارش", "body": "فقط کارشناسان: لغو سفارش بدون هزینه تا سقف مشخص."}})
		st, body := call(t, s, 0, "POST", "/api/layan/v1/bot/messages", map[string]any{"message": map[string]any{"text": "ميخوام سفارشم رو لغو كنم", "locale": "fa"}})
		if st != http.StatusOK || body["answered"] != true {
			t.Fatalf("bot: %d %v", st, body)
		}
		ans := body["answer"].(map[string]any)
		if int64(ans["id"].(float64)) != art || ans["locale"] != "fa" {
			t.Fatalf("bot answered %v", ans)
		}
		if st, _ := call(t, s, 0, "POST", "/api/layan/v1/bot/resolved", map[string]any{"resolution": map[string]any{"kind": "article", "id": art}}); st != http.StatusNoContent {
			t.Errorf("resolved: %d", st)
		}
		st, body = call(t, s, 0, "POST", "/api/layan/v1/bot/messages", map[string]any{"message": map[string]any{"text": "سیاست داخلی کارشناسان", "locale": "fa"}})
		if st != http.StatusOK || body["answered"] == true {
			t.Fatalf("bot answered with an internal article: %v", body)
		}
		st, body = call(t, s, 0, "POST", "/api/layan/v1/bot/handover", map[string]any{"handover": map[string]any{"name": "Sara", "email": "sara@example.test",
			"transcript": []map[string]string{{"from": "customer", "text": "بسته‌ام شکسته رسید"}, {"from": "bot", "text": "یک کارشناس کمک می‌کند"}}}})
		if st != http.StatusCreated || body["ticket_id"] == nil {
			t.Fatalf("handover: %d %v", st, body)
		}
	})
}
