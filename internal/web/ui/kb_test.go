package ui_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"layan/internal/blob"
	"layan/internal/bot"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/testkit"
	"layan/internal/ticket"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// kbEnv is env with the knowledge base and the assistant, and a small help
// centre: one category and section, a public article in three languages, an
// internal one, one for signed-in customers and a draft.
type kbEnv struct {
	*env
	kb                                  *kb.Service
	section                             int64
	public, internal, signedIn, draftID int64
}

func newKBEnv(t testing.TB, e db.Dialect) *kbEnv {
	t.Helper()
	d := testkit.NewDB(t, e)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	k := kb.NewService(d, w.Bus, w.Clock.Now, testkit.QuietLogger())
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, KB: k, Bot: bot.New(k, w.Tickets)})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(), KB: k,
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	ke := &kbEnv{env: &env{t: t, w: w, pages: pages, h: h}, kb: k}
	ctx := context.Background()
	cat, err := k.CreateCategory(ctx, w.Agent, kb.CategoryInput{Locale: "id", Name: "Pengiriman"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.UpdateCategory(ctx, w.Agent, cat.ID, kb.CategoryInput{Locale: "en", Name: "Shipping"}); err != nil {
		t.Fatal(err)
	}
	sec, err := k.CreateSection(ctx, w.Agent, kb.SectionInput{CategoryID: cat.ID, Locale: "id", Name: "Lacak paket"})
	if err != nil {
		t.Fatal(err)
	}
	ke.section = sec.ID
	mk := func(in kb.ArticleInput) int64 {
		in.SectionID, in.Locale = sec.ID, "en"
		a, err := k.CreateArticle(ctx, w.Agent, in)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	ke.public = mk(kb.ArticleInput{Title: "Track the delivery of your parcel", Body: "Open **My orders** to track the parcel's delivery."})
	ke.internal = mk(kb.ArticleInput{Title: "Refund exceptions for courier delivery losses", Visibility: kb.Internal,
		Body: "Internal policy: refund lost parcel deliveries up to 2 million rupiah without approval."})
	ke.signedIn = mk(kb.ArticleInput{Title: "Delivery discounts for members", Visibility: kb.SignedIn, Body: "Members get free parcel delivery."})
	ke.draftID = mk(kb.ArticleInput{Title: "Unreleased delivery plans", Draft: true, Body: "Draft text about parcel delivery."})
	return ke
}

func eachKB(t *testing.T, fn func(t *testing.T, e *kbEnv)) {
	for _, eng := range testkit.Engines() {
		t.Run(string(eng), func(t *testing.T) { fn(t, newKBEnv(t, eng)) })
	}
}

// Who reads what in the help centre: internal articles and drafts never
// reach customers or anonymous visitors, by address, listing or search.
func TestHelpCenterVisibility(t *testing.T) {
	eachKB(t, func(t *testing.T, e *kbEnv) {
		alice := e.login(e.w.Alice)
		agent := e.login(e.w.Agent)
		art := func(id int64) string { return "/hc/en/articles/" + itoa(id) }

		rec := e.get(anonymous, art(e.public))
		wantStatus(t, rec, http.StatusOK)
		wantContains(t, rec.Body.String(), "Track the delivery of your parcel", "<strong>My orders</strong>")
		for _, id := range []int64{e.internal, e.draftID, e.signedIn} {
			wantStatus(t, e.get(anonymous, art(id)), http.StatusNotFound)
		}
		wantStatus(t, e.get(alice, art(e.signedIn)), http.StatusOK)
		// Related articles: what the reader may read, never internal ones.
		rel := e.get(alice, art(e.public)).Body.String()
		wantContains(t, rel, `id="related-title"`, "Delivery discounts for members")
		if strings.Contains(rel, "Refund exceptions") {
			t.Error("an internal article among a customer's related articles")
		}
		wantStatus(t, e.get(alice, art(e.internal)), http.StatusNotFound)
		wantStatus(t, e.get(alice, art(e.draftID)), http.StatusNotFound)
		rec = e.get(agent, art(e.internal))
		wantStatus(t, rec, http.StatusOK)
		wantContains(t, rec.Body.String(), "Refund exceptions", `badge-internal`)

		// Listing and search.
		for _, path := range []string{"/hc/en/sections/" + itoa(e.section), "/hc/en/search?q=parcel+delivery", "/hc/en/search?q=refund+courier"} {
			for _, s := range []session{anonymous, alice} {
				body := e.get(s, path).Body.String()
				for _, hidden := range []string{"Refund exceptions", "Unreleased delivery"} {
					if strings.Contains(body, hidden) {
						t.Errorf("%s shows %q to a customer", path, hidden)
					}
				}
			}
		}
		wantContains(t, e.get(anonymous, "/hc/en/search?q=parcel+delivery").Body.String(), "Track the delivery")
		// The portal's search box leads to the help centre's search.
		rec = e.get(alice, "/portal/search?q=parcel")
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/hc/en/search?q=parcel" {
			t.Errorf("portal search goes to %q", loc)
		}
		// The portal home shows the categories in the customer's language.
		wantContains(t, e.get(alice, "/portal").Body.String(), "Shipping", "/hc/en/categories/")
		// Unknown locales and ids are 404, a too-long query a clear 422.
		wantStatus(t, e.get(anonymous, "/hc/de/articles/"+itoa(e.public)), http.StatusNotFound)
		wantStatus(t, e.get(anonymous, "/hc/en/articles/x"), http.StatusNotFound)
		wantStatus(t, e.get(anonymous, "/hc/en/search?q="+strings.Repeat("a", 600)), http.StatusUnprocessableEntity)
	})
}

var idRE = regexp.MustCompile(`/agent/kb/articles/(\d+)\?locale=id`)

// An agent writes an article in Indonesian in the editor, translates it to
// Persian and English and publishes; customers read it in each language.
func TestArticleEditorTranslatesAndPublishes(t *testing.T) {
	eachKB(t, func(t *testing.T, e *kbEnv) {
		agent := e.login(e.w.Agent)
		alice := e.login(e.w.Alice)
		wantStatus(t, e.get(agent, "/agent/kb/new"), http.StatusOK)

		// Bad input: a clear 422 with the form kept, nothing written.
		before, _, _ := e.kb.ListArticles(context.Background(), e.w.Agent, kb.ArticleFilter{})
		rec := e.post(agent, "/agent/kb/articles", url.Values{"section_id": {itoa(e.section)}, "locale": {"id"}, "title": {" "},
			"body": {"isi"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantContains(t, rec.Body.String(), `aria-invalid="true"`)
		rec = e.post(agent, "/agent/kb/articles", url.Values{"section_id": {"999999"}, "locale": {"id"}, "title": {"Judul"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		after, _, _ := e.kb.ListArticles(context.Background(), e.w.Agent, kb.ArticleFilter{})
		if len(after) != len(before) {
			t.Fatalf("a refused article was written: %d → %d", len(before), len(after))
		}
		// Customers and light agents cannot write.
		wantStatus(t, e.post(alice, "/agent/kb/articles", url.Values{"section_id": {itoa(e.section)}, "locale": {"id"}, "title": {"X"}}),
			http.StatusForbidden)
		wantStatus(t, e.post(e.login(e.w.Light), "/agent/kb/articles", url.Values{"section_id": {itoa(e.section)}, "locale": {"id"},
			"title": {"X"}}), http.StatusForbidden)

		// A draft in Indonesian.
		rec = e.post(agent, "/agent/kb/articles", url.Values{"section_id": {itoa(e.section)}, "locale": {"id"},
			"title": {"Cara mengembalikan barang rusak"}, "body": {"Kembalikan barang yang **rusak** dalam 7 hari."}, "visibility": {"public"}})
		wantStatus(t, rec, http.StatusSeeOther)
		m := idRE.FindStringSubmatch(rec.Header().Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %q", rec.Header().Get("Location"))
		}
		id := m[1]
		wantStatus(t, e.get(alice, "/hc/id/articles/"+id), http.StatusNotFound) // a draft
		// Publish it, then translate.
		edit := "/agent/kb/articles/" + id
		wantStatus(t, e.post(agent, edit+"?locale=id", url.Values{"action": {"translation"}, "title": {"Cara mengembalikan barang rusak"},
			"body": {"Kembalikan barang yang **rusak** dalam 7 hari."}, "publish": {"1"}}), http.StatusSeeOther)
		wantStatus(t, e.post(agent, edit+"?locale=fa", url.Values{"action": {"translation"}, "title": {"چگونه کالای آسیب‌دیده را برگردانم"},
			"body": {"کالای آسیب‌دیده را تا ۷ روز برگردانید."}, "publish": {"1"}}), http.StatusSeeOther)
		wantStatus(t, e.post(agent, edit+"?locale=en", url.Values{"action": {"translation"}, "title": {"How to return a damaged item"},
			"body": {"Return damaged items within 7 days."}, "publish": {"1"}}), http.StatusSeeOther)
		page := e.get(agent, edit+"?locale=fa").Body.String()
		wantContains(t, page, "چگونه کالای آسیب‌دیده را برگردانم", `data-state="published"`)

		for l, want := range map[string]string{"id": "Cara mengembalikan barang rusak", "fa": "چگونه کالای آسیب‌دیده را برگردانم",
			"en": "How to return a damaged item"} {
			rec := e.get(alice, "/hc/"+l+"/articles/"+id)
			wantStatus(t, rec, http.StatusOK)
			wantContains(t, rec.Body.String(), want, `lang="`+l+`"`)
		}
		wantContains(t, e.get(alice, "/hc/fa/search?q="+url.QueryEscape("کالای آسیب دیده")).Body.String(), "چگونه کالای آسیب‌دیده را برگردانم")
		wantContains(t, e.get(alice, "/hc/id/search?q=pengembalian+barang").Body.String(), "Cara mengembalikan barang rusak")
		// The Persian page is right to left.
		wantContains(t, e.get(alice, "/hc/fa/articles/"+id).Body.String(), `dir="rtl"`)

		// Settings: make it internal; customers lose it at once.
		wantStatus(t, e.post(agent, edit+"?locale=id", url.Values{"action": {"settings"}, "visibility": {"internal"},
			"section_id": {itoa(e.section)}}), http.StatusSeeOther)
		wantStatus(t, e.get(alice, "/hc/en/articles/"+id), http.StatusNotFound)
		wantStatus(t, e.post(agent, edit+"?locale=id", url.Values{"action": {"settings"}, "visibility": {"secret"}}), http.StatusUnprocessableEntity)
	})
}

// Votes, request-form suggestions and the "this solved it" deflection.
func TestVotesSuggestionsAndDeflection(t *testing.T) {
	eachKB(t, func(t *testing.T, e *kbEnv) {
		alice := e.login(e.w.Alice)
		ctx := context.Background()
		art := "/hc/en/articles/" + itoa(e.public)
		wantStatus(t, e.post(alice, art+"/vote", url.Values{"value": {"up"}, "comment": {"clear"}}), http.StatusSeeOther)
		wantStatus(t, e.post(alice, art+"/vote", url.Values{"value": {"sideways"}}), http.StatusUnprocessableEntity)
		wantStatus(t, e.post(alice, "/hc/en/articles/"+itoa(e.internal)+"/vote", url.Values{"value": {"up"}}), http.StatusNotFound)
		a, err := e.kb.GetArticle(ctx, e.w.Agent, e.public, "en")
		if err != nil || a.VoteUp != 1 || a.VoteDown != 0 {
			t.Fatalf("votes %d/%d, %v", a.VoteUp, a.VoteDown, err)
		}
		// Without a session a vote needs the visitor form's token (TestVisitorsVoteOnArticles).
		wantStatus(t, e.post(anonymous, art+"/vote", url.Values{"value": {"up"}}), http.StatusForbidden)

		// Suggestions for what the customer types, never internal ones.
		body := e.get(alice, "/hc/en/suggest?q="+url.QueryEscape("where is my parcel delivery")).Body.String()
		wantContains(t, body, "Track the delivery", "from=request_form")
		if strings.Contains(body, "Refund exceptions") {
			t.Error("internal article suggested to a customer")
		}
		wantContains(t, e.get(alice, art+"?from=request_form&q=parcel").Body.String(), `action="/hc/en/deflections"`)
		since := e.w.Clock.Now().Add(-time.Hour)
		wantStatus(t, e.post(alice, "/hc/en/deflections", url.Values{"article_id": {itoa(e.public)}, "q": {"parcel"}}), http.StatusSeeOther)
		wantStatus(t, e.post(alice, "/hc/en/deflections", url.Values{"article_id": {"abc"}}), http.StatusUnprocessableEntity)
		wantStatus(t, e.post(alice, "/hc/en/deflections", url.Values{"article_id": {itoa(e.internal)}}), http.StatusNotFound)
		// Leaving the form after opening a suggestion (the form's beacon).
		wantStatus(t, e.post(alice, "/hc/en/deflections", url.Values{"article_id": {itoa(e.public)}, "how": {"left"}}), http.StatusNoContent)
		wantStatus(t, e.post(alice, "/hc/en/deflections", url.Values{"article_id": {itoa(e.public)}, "how": {"maybe"}}),
			http.StatusUnprocessableEntity)
		if n, err := e.kb.CountEvents(ctx, kb.EventDeflection, since); err != nil || n != 2 {
			t.Fatalf("%d deflection events, want 2 (%v)", n, err)
		}
	})
}

// The assistant answers from public articles; yes is a self-service
// resolution, no hands the transcript to a human as a request.
func TestPortalAssistant(t *testing.T) {
	eachKB(t, func(t *testing.T, e *kbEnv) {
		alice := e.login(e.w.Alice)
		ctx := context.Background()
		wantStatus(t, e.get(alice, "/hc/en/assistant"), http.StatusOK)
		rec := e.post(alice, "/hc/en/assistant", url.Values{"action": {"ask"}, "q": {"how do I track the delivery of my parcel"}})
		wantStatus(t, rec, http.StatusOK)
		wantContains(t, rec.Body.String(), "Track the delivery of your parcel", `value="yes"`)
		// It never answers from an internal article.
		rec = e.post(alice, "/hc/en/assistant", url.Values{"action": {"ask"}, "q": {"refund exceptions courier losses approval"}})
		if strings.Contains(rec.Body.String(), "Refund exceptions") {
			t.Fatal("the assistant answered a customer from an internal article")
		}
		wantStatus(t, e.post(alice, "/hc/en/assistant", url.Values{"action": {"ask"}, "q": {""}}), http.StatusUnprocessableEntity)

		since := e.w.Clock.Now().Add(-time.Hour)
		wantStatus(t, e.post(alice, "/hc/en/assistant", url.Values{"action": {"yes"}, "kind": {"article"}, "id": {itoa(e.public)},
			"line": {"customer:how do I track my parcel"}}), http.StatusOK)
		if n, _ := e.kb.CountEvents(ctx, kb.EventDeflection, since); n != 1 {
			t.Fatalf("%d deflections after yes", n)
		}
		// No: a request with the whole conversation.
		rec = e.post(alice, "/hc/en/assistant", url.Values{"action": {"handover"},
			"line": {"customer:my parcel arrived broken", "bot:I could not find a good answer", "customer:it is order 5521"}})
		wantStatus(t, rec, http.StatusSeeOther)
		res, err := e.w.Tickets.List(ctx, e.w.Agent, ticket.ListQuery{RequesterID: e.w.Alice.UserID})
		if err != nil || len(res.Tickets) != 1 {
			t.Fatalf("tickets %d, %v", len(res.Tickets), err)
		}
		tk := res.Tickets[0]
		cs, err := e.w.Tickets.Comments(ctx, e.w.Agent, tk.ID, 0, 10)
		if err != nil || len(cs) == 0 || !strings.Contains(cs[0].Body, "order 5521") || !strings.Contains(cs[0].Body, "arrived broken") {
			t.Fatalf("transcript not in the request: %+v %v", cs, err)
		}
		if tk.Subject != "my parcel arrived broken" {
			t.Errorf("subject %q", tk.Subject)
		}
	})
}

// The ticket page's panel finds internal articles too, with insert buttons;
// it is for staff only.
func TestAgentKnowledgePanel(t *testing.T) {
	eachKB(t, func(t *testing.T, e *kbEnv) {
		agent := e.login(e.w.Agent)
		rec := e.get(agent, "/agent/kb/panel?q=refund+courier")
		wantStatus(t, rec, http.StatusOK)
		wantContains(t, rec.Body.String(), "Refund exceptions", "badge-internal")
		body := rec.Body.String()
		item := body[strings.Index(body, "Refund exceptions"):]
		if item = item[:strings.Index(item, "</li>")]; strings.Contains(item, "data-kb-insert=") {
			t.Error("an internal article offered for insertion into a customer reply")
		}
		wantContains(t, e.get(agent, "/agent/kb/panel?q=track+parcel").Body.String(), "data-kb-insert=", "/hc/en/articles/"+itoa(e.public))
		wantStatus(t, e.get(e.login(e.w.Alice), "/agent/kb/panel?q=refund"), http.StatusForbidden)
		// The ticket page carries the panel, seeded with the ticket's subject.
		tk, err := e.w.Tickets.Create(context.Background(), e.w.Agent, ticket.NewTicket{Subject: "Parcel delivery late",
			Comment: ticket.NewComment{Body: "Where is it?"}, Requester: &ticket.Requester{Email: "alice@acme.test"}})
		if err != nil {
			t.Fatal(err)
		}
		wantContains(t, e.get(agent, "/agent/tickets/"+itoa(tk.ID)).Body.String(), `data-kb-panel="/agent/kb/panel"`,
			`data-kb-initial="Parcel delivery late"`)
		list := e.get(agent, "/agent/kb").Body.String()
		wantContains(t, list, "Refund exceptions", "Unreleased delivery plans")
	})
}

var imgRE = regexp.MustCompile(`!\[[^\]]*\]\((/kb/images/[0-9a-f]{64})\)`)

// Article images: raster images only, served to the article's readers.
func TestArticleImages(t *testing.T) {
	e := newKBEnv(t, db.SQLite)
	agent := e.login(e.w.Agent)
	up := func(id int64, name string, data []byte) int {
		var b bytes.Buffer
		mw := newMultipart(&b)
		mw.field("csrf_token", agent.csrf)
		mw.file("image", name, data)
		ct := mw.close()
		return e.do(agent, http.MethodPost, "/agent/kb/articles/"+itoa(id)+"/images?locale=en", &b, "Content-Type", ct).Code
	}
	if c := up(e.public, "map.png", pngBytes(t)); c != http.StatusSeeOther {
		t.Fatalf("upload: %d", c)
	}
	if c := up(e.public, "evil.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)); c != http.StatusUnprocessableEntity {
		t.Fatalf("svg upload: %d", c)
	}
	m := imgRE.FindStringSubmatch(e.get(agent, "/agent/kb/articles/"+itoa(e.public)+"?locale=en").Body.String())
	if m == nil {
		t.Fatal("no image line on the editor")
	}
	// The Markdown line shows the image in the article, served to its readers.
	body := "Open **My orders**.\n\n![map](" + m[1] + ")\n\n<img src=x onerror=alert(1)>"
	title := "Track the delivery of your parcel"
	if _, _, err := e.kb.SaveTranslation(context.Background(), e.w.Agent, e.public, "en", kb.TranslationInput{Title: &title, Body: &body}); err != nil {
		t.Fatal(err)
	}
	page := e.get(anonymous, "/hc/en/articles/"+itoa(e.public)).Body.String()
	wantContains(t, page, `<img src="`+m[1]+`" alt="map">`)
	if strings.Contains(page, "onerror") {
		t.Error("unsanitised HTML in an article")
	}
	rec := e.get(anonymous, m[1])
	wantStatus(t, rec, http.StatusOK)
	if rec.Header().Get("Content-Type") != "image/png" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", rec.Header())
	}
	// The same bytes on an internal article only: hidden from customers.
	if c := up(e.internal, "secret.png", append(pngBytes(t), 0)); c != http.StatusSeeOther {
		t.Fatalf("upload: %d", c)
	}
	imgs, _ := e.kb.Images(context.Background(), e.w.Agent, e.internal)
	if len(imgs) != 1 {
		t.Fatalf("%d images", len(imgs))
	}
	wantStatus(t, e.get(e.login(e.w.Alice), "/kb/images/"+imgs[0].Key), http.StatusNotFound)
	wantStatus(t, e.get(agent, "/kb/images/"+imgs[0].Key), http.StatusOK)
	wantStatus(t, e.get(anonymous, "/kb/images/"+strings.Repeat("a", 64)), http.StatusNotFound)
}

// The editor's history: versions listed, a diff, restoring an old text;
// search analytics list the queries that found nothing, for admins only.
func TestArticleHistoryAndSearchAnalytics(t *testing.T) {
	e := newKBEnv(t, db.SQLite)
	agent := e.login(e.w.Agent)
	edit := "/agent/kb/articles/" + itoa(e.public) + "?locale=en"
	wantStatus(t, e.post(agent, edit, url.Values{"action": {"translation"}, "title": {"Track your parcel"},
		"body": {"Open **My orders**, then Track."}, "publish": {"1"}, "note": {"shorter"}}), http.StatusSeeOther)
	page := e.get(agent, edit).Body.String()
	wantContains(t, page, "shorter", `name="version" value="1"`)
	rec := e.get(agent, "/agent/kb/articles/"+itoa(e.public)+"/diff?locale=en&from=1&to=2")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `class="diff-del">- # Track the delivery of your parcel`, `class="diff-add">&#43; # Track your parcel`)
	wantStatus(t, e.get(agent, "/agent/kb/articles/"+itoa(e.public)+"/diff?locale=en&from=x&to=2"), http.StatusUnprocessableEntity)
	wantStatus(t, e.post(agent, edit, url.Values{"action": {"restore"}, "version": {"1"}}), http.StatusSeeOther)
	a, err := e.kb.GetArticle(context.Background(), e.w.Alice, e.public, "en")
	if err != nil || a.Translation.Title != "Track the delivery of your parcel" || a.Translation.Version != 3 {
		t.Fatalf("after restore: %q v%d, %v", a.Translation.Title, a.Translation.Version, err)
	}
	wantStatus(t, e.post(agent, edit, url.Values{"action": {"restore"}, "version": {"99"}}), http.StatusNotFound)

	// A customer's search that found nothing shows on the admins' analytics;
	// opening a result counts as a click of its search.
	alice := e.login(e.w.Alice)
	e.get(alice, "/hc/en/search?q=warranty+claim+form")
	m := regexp.MustCompile(`href="(/hc/en/articles/\d+\?search=\d+)"`).FindStringSubmatch(e.get(alice, "/hc/en/search?q=parcel").Body.String())
	if m == nil {
		t.Fatal("no tracked result link")
	}
	wantStatus(t, e.get(alice, m[1]), http.StatusOK)
	wantStatus(t, e.get(e.login(e.w.Bob), m[1]), http.StatusOK) // another's search id: the page, no click
	an, err := e.kb.SearchAnalytics(context.Background(), e.w.Admin, e.w.Clock.Now().Add(-time.Hour), 10)
	if err != nil || an.Searches != 2 || an.ZeroResults != 1 || an.Clicks != 1 {
		t.Fatalf("analytics %+v, %v", an, err)
	}
	rec = e.get(e.login(e.w.Admin), "/agent/kb/analytics")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "warranty claim form")
	wantStatus(t, e.get(agent, "/agent/kb/analytics"), http.StatusForbidden)
}

// FAQ items written on the agents' page show on the help centre's home and
// FAQ page in their language; internal ones never to customers.
func TestFAQAdmin(t *testing.T) {
	e := newKBEnv(t, db.SQLite)
	agent := e.login(e.w.Agent)
	alice := e.login(e.w.Alice)
	wantStatus(t, e.post(agent, "/agent/kb/faq", url.Values{"locale": {"id"}, "question": {"Berapa lama pengiriman?"},
		"answer": {"Biasanya **2–3 hari** kerja."}, "visibility": {"public"}, "home": {"1"}}), http.StatusSeeOther)
	wantStatus(t, e.post(agent, "/agent/kb/faq", url.Values{"locale": {"id"}, "question": {"Kode voucher internal"},
		"answer": {"VCR-INTERNAL"}, "visibility": {"internal"}}), http.StatusSeeOther)
	rec := e.post(agent, "/agent/kb/faq", url.Values{"locale": {"id"}, "question": {"Tanpa jawaban"}, "answer": {""}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="answer-error"`)
	wantStatus(t, e.post(alice, "/agent/kb/faq", url.Values{"locale": {"id"}, "question": {"x"}, "answer": {"y"}}), http.StatusForbidden)

	for _, path := range []string{"/hc/id", "/hc/id/faq"} {
		body := e.get(alice, path).Body.String()
		wantContains(t, body, "Berapa lama pengiriman?", "<strong>2–3 hari</strong>")
		if strings.Contains(body, "VCR-INTERNAL") {
			t.Errorf("%s shows an internal FAQ item to a customer", path)
		}
	}
	items, _ := e.kb.ListFAQ(context.Background(), e.w.Agent, kb.FAQFilter{Locale: "id"})
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	// Edit: the form comes back filled in; the change shows to customers.
	var public kb.FAQ
	for _, it := range items {
		if it.Visibility == kb.Public {
			public = it
		}
	}
	edit := e.get(agent, "/agent/kb/faq?locale=id&edit="+itoa(public.ID))
	wantStatus(t, edit, http.StatusOK)
	wantContains(t, edit.Body.String(), `action="/agent/kb/faq/`+itoa(public.ID)+`"`, `value="Berapa lama pengiriman?"`, "Biasanya **2–3 hari** kerja.")
	wantStatus(t, e.get(agent, "/agent/kb/faq?locale=id&edit=abc"), http.StatusNotFound)
	wantStatus(t, e.post(alice, "/agent/kb/faq/"+itoa(public.ID), url.Values{"locale": {"id"}, "question": {"x"}, "answer": {"y"}}), http.StatusForbidden)
	rec = e.post(agent, "/agent/kb/faq/"+itoa(public.ID), url.Values{"locale": {"id"}, "question": {"Berapa lama pengiriman?"}, "answer": {""}, "visibility": {"public"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantStatus(t, e.post(agent, "/agent/kb/faq/"+itoa(public.ID), url.Values{"locale": {"id"}, "question": {"Berapa lama pengiriman ke Papua?"},
		"answer": {"Biasanya **5–7 hari** kerja."}, "visibility": {"public"}, "home": {"1"}}), http.StatusSeeOther)
	body := e.get(alice, "/hc/id/faq").Body.String()
	wantContains(t, body, "Berapa lama pengiriman ke Papua?", "<strong>5–7 hari</strong>")
	if strings.Contains(body, "2–3 hari") {
		t.Error("the edit did not replace the answer (or a refused edit changed it)")
	}
	wantStatus(t, e.post(agent, "/agent/kb/faq/"+itoa(public.ID)+"/delete?locale=id", nil), http.StatusSeeOther)
	if strings.Contains(e.get(alice, "/hc/id/faq").Body.String(), "Berapa lama pengiriman") {
		t.Error("a deleted FAQ item still shows")
	}
}

// Visitors vote "Was this helpful?" without signing in: once per article per
// browser (a second vote changes the first), never without the form's token.
func TestVisitorsVoteOnArticles(t *testing.T) {
	e := newKBEnv(t, db.SQLite)
	ctx := context.Background()
	path := "/hc/en/articles/" + itoa(e.public)
	browser := func() (token, cookie string) {
		rec := e.get(anonymous, path)
		wantStatus(t, rec, http.StatusOK)
		m := hcTokenRE.FindStringSubmatch(rec.Body.String())
		for _, c := range rec.Result().Cookies() {
			if c.Name == "layan_hc_form" {
				cookie = c.Name + "=" + c.Value
			}
		}
		if m == nil || cookie == "" {
			t.Fatal("the article page has no vote form for a visitor")
		}
		return m[1], cookie
	}
	vote := func(token, cookie, value string) *httptest.ResponseRecorder {
		form := url.Values{"value": {value}, "form_token": {token}}
		return e.do(anonymous, http.MethodPost, path+"/vote", strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie)
	}
	counts := func() (up, down int64) {
		a, err := e.kb.GetArticle(ctx, e.w.Agent, e.public, "en")
		if err != nil {
			t.Fatal(err)
		}
		return a.VoteUp, a.VoteDown
	}
	tok1, c1 := browser()
	wantStatus(t, vote("forged", c1, "up"), http.StatusForbidden)
	wantStatus(t, vote(tok1, "", "up"), http.StatusForbidden)
	if up, down := counts(); up+down != 0 {
		t.Fatalf("a refused vote counted: %d up, %d down", up, down)
	}
	wantStatus(t, vote(tok1, c1, "up"), http.StatusSeeOther)
	wantStatus(t, vote(tok1, c1, "down"), http.StatusSeeOther) // the same browser changes its mind
	tok2, c2 := browser()
	wantStatus(t, vote(tok2, c2, "down"), http.StatusSeeOther)
	if up, down := counts(); up != 0 || down != 2 {
		t.Fatalf("votes: %d up, %d down; want 0 and 2", up, down)
	}
	if rec := vote(tok2, c2, "sideways"); rec.Code < 400 || rec.Code >= 500 {
		t.Fatalf("a bad vote: %d", rec.Code)
	}
	// Not for internal articles: a visitor cannot see them.
	if rec := e.do(anonymous, http.MethodPost, "/hc/en/articles/"+itoa(e.internal)+"/vote",
		strings.NewReader(url.Values{"value": {"up"}, "form_token": {tok2}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Cookie", c2); rec.Code != http.StatusNotFound {
		t.Fatalf("a visitor voted on an internal article: %d", rec.Code)
	}
}

var hcTokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// A visitor who is not signed in asks the assistant too; the form carries a
// double-submit token, and the hand-over needs an email address.
func TestAssistantForVisitors(t *testing.T) {
	e := newKBEnv(t, db.SQLite)
	rec := e.get(anonymous, "/hc/en/assistant")
	wantStatus(t, rec, http.StatusOK)
	m := hcTokenRE.FindStringSubmatch(rec.Body.String())
	var cookie string
	for _, c := range rec.Result().Cookies() {
		if c.Name == "layan_hc_form" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if m == nil || cookie == "" {
		t.Fatal("no form token for a visitor")
	}
	post := func(form url.Values, withToken bool) *httptest.ResponseRecorder {
		if withToken {
			form.Set("form_token", m[1])
		}
		return e.do(anonymous, http.MethodPost, "/hc/en/assistant", strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie)
	}
	wantStatus(t, post(url.Values{"action": {"ask"}, "q": {"track my parcel delivery"}}, false), http.StatusForbidden)
	rec = post(url.Values{"action": {"ask"}, "q": {"how do I track the delivery of my parcel"}}, true)
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "Track the delivery of your parcel")
	// Members-only and internal articles are not for visitors.
	for _, q := range []string{"delivery discounts for members", "refund exceptions courier losses"} {
		if body := post(url.Values{"action": {"ask"}, "q": {q}}, true).Body.String(); strings.Contains(body, "Delivery discounts") ||
			strings.Contains(body, "Refund exceptions") {
			t.Errorf("the assistant showed a visitor a hidden article for %q", q)
		}
	}
	lines := url.Values{"action": {"handover"}, "line": {"customer:my parcel never came", "bot:I could not find a good answer"}}
	rec = post(lines, true)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="bot-email"`)
	lines.Set("name", "Rina")
	lines.Set("email", "rina@example.test")
	rec = post(lines, true)
	wantStatus(t, rec, http.StatusOK)
	res, err := e.w.Tickets.List(context.Background(), e.w.Agent, ticket.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tk := range res.Tickets {
		found = found || tk.Subject == "my parcel never came"
	}
	if !found {
		t.Fatal("no request from the visitor's hand-over")
	}
}
