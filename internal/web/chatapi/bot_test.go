package chatapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"layan/internal/kb"
	"layan/internal/testkit"
)

// The widget asks the bot before a first message becomes a chat: public
// articles answer (with a path on this server), internal ones never; "yes"
// records a deflection; a wrong workspace key is refused; calls are CORS.
func TestWidgetAssistant(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	ctx := context.Background()
	key := workspace(t, s)
	k := s.App.KB
	cat, err := k.CreateCategory(ctx, s.Agent, kb.CategoryInput{Locale: "id", Name: "Pesanan"})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := k.CreateSection(ctx, s.Agent, kb.SectionInput{CategoryID: cat.ID, Locale: "id", Name: "Pembatalan"})
	if err != nil {
		t.Fatal(err)
	}
	art, err := k.CreateArticle(ctx, s.Agent, kb.ArticleInput{SectionID: sec.ID, Locale: "id", Title: "Cara membatalkan pesanan",
		Body: "Pesanan dapat dibatalkan dari halaman Pesanan Saya selama belum dikirim."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateArticle(ctx, s.Agent, kb.ArticleInput{SectionID: sec.ID, Locale: "id", Visibility: kb.Internal,
		Title: "Kode rahasia pembatalan gudang", Body: "Hanya staf: kode gudang BTL-77 untuk pembatalan paksa."}); err != nil {
		t.Fatal(err)
	}
	ask := func(key string, body any) (int, map[string]any, http.Header) {
		raw, _ := json.Marshal(body)
		res, err := http.Post(s.URL+"/api/layan/v1/chat/visitor/bot?workspace="+key, "application/json", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out := map[string]any{}
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out, res.Header
	}
	st, out, h := ask(key, map[string]string{"text": "bagaimana cara membatalkan pesanan saya", "locale": "id"})
	if st != 200 || out["answered"] != true || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("bot: %d %v %v", st, out, h)
	}
	ans := out["answer"].(map[string]any)
	if int64(ans["id"].(float64)) != art.ID || ans["path"] != "/hc/id/articles/"+itoa(art.ID) {
		t.Fatalf("answer: %v", ans)
	}
	if _, out, _ = ask(key, map[string]string{"text": "kode rahasia gudang pembatalan paksa", "locale": "id"}); out["answered"] == true {
		t.Fatalf("a visitor got an internal article: %v", out)
	}
	if st, _, _ = ask("wrong-key", map[string]string{"text": "x"}); st < 400 || st >= 500 {
		t.Fatalf("a wrong workspace key: %d", st)
	}
	if st, _, _ = ask(key, map[string]string{"text": ""}); st != http.StatusBadRequest && st != http.StatusUnprocessableEntity {
		t.Fatalf("an empty question: %d", st)
	}
	since := time.Now().Add(-time.Hour)
	raw, _ := json.Marshal(map[string]any{"kind": "article", "id": art.ID, "question": "bagaimana cara membatalkan pesanan saya"})
	res, err := http.Post(s.URL+"/api/layan/v1/chat/visitor/bot/resolved?workspace="+key, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("resolved: %d", res.StatusCode)
	}
	if n, err := k.CountEvents(ctx, kb.EventDeflection, since); err != nil || n != 1 {
		t.Fatalf("deflections: %d, %v", n, err)
	}
}
