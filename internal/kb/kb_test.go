package kb_test

import (
	"context"
	"slices"
	"testing"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/testkit"

	"errors"
)

func ptr[T any](v T) *T { return &v }

type fixture struct {
	w       *testkit.World
	kb      *kb.Service
	section kb.Section
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	w := testkit.NewWorld(t, d)
	s := kb.NewService(d, w.Bus, w.Clock.Now, testkit.QuietLogger())
	ctx := context.Background()
	cat, err := s.CreateCategory(ctx, w.Agent, kb.CategoryInput{Locale: "id", Name: "Pengiriman"})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.CreateSection(ctx, w.Agent, kb.SectionInput{CategoryID: cat.ID, Locale: "id", Name: "Lacak paket"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{w: w, kb: s, section: sec}
}

func hitIDs(r kb.SearchResult) []int64 {
	var out []int64
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestArticleLifecycleAndSearchInThreeLanguages(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		art, err := f.kb.CreateArticle(ctx, w.Agent, kb.ArticleInput{SectionID: f.section.ID, Locale: "id", Draft: true,
			Title: "Cara melacak pengiriman pesanan", Body: "Anda dapat **melacak** paket yang dikirimkan dari halaman Pesanan Saya."})
		if err != nil {
			t.Fatal(err)
		}
		// A draft is invisible to customers and to search.
		if _, err := f.kb.GetArticle(ctx, w.Alice, art.ID, "id"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("draft readable by a customer: %v", err)
		}
		if r, _ := f.kb.Search(ctx, w.Agent, kb.SearchRequest{Query: "kirim", Locale: "id"}); len(r.Hits) != 0 {
			t.Fatalf("draft found: %v", hitIDs(r))
		}
		if _, _, err := f.kb.SaveTranslation(ctx, w.Agent, art.ID, "id", kb.TranslationInput{Draft: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, created, err := f.kb.SaveTranslation(ctx, w.Agent, art.ID, "fa", kb.TranslationInput{Title: ptr("چگونه ارسال سفارش را پیگیری کنم"),
			Body: ptr("می‌توانید بسته‌های ارسال‌شده را از صفحهٔ سفارش‌های من پیگیری کنید."), Draft: ptr(false)}); err != nil || !created {
			t.Fatal(err, created)
		}
		if _, _, err := f.kb.SaveTranslation(ctx, w.Agent, art.ID, "en", kb.TranslationInput{Title: ptr("How to track the delivery of an order"),
			Body: ptr("You can track shipped packages from the My Orders page."), Draft: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ q, locale, want string }{
			{"mengirim", "id", "id"}, {"pengiriman paket", "id", "id"}, {"kirim", "id", "id"},
			{"پيگيري سفارشم", "fa", "fa"}, {"سفارش‌ها", "fa", "fa"},
			{"tracking my shipment", "en", "en"}, {"trakcing packages", "en", "en"},
		} {
			r, err := f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: c.q, Locale: c.locale})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Hits) == 0 || r.Hits[0].ID != art.ID || r.Hits[0].Locale != c.want {
				t.Errorf("search %q (%s): %+v", c.q, c.locale, r.Hits)
			}
		}
		got, err := f.kb.GetArticle(ctx, auth.Actor{}, art.ID, "fa")
		if err != nil || got.Translation.Locale != "fa" || !slices.Equal(got.TranslatedLocales, []string{"en", "fa", "id"}) {
			t.Fatalf("fa article: %+v %v", got, err)
		}
		// Editing the source marks the others outdated; a version is kept.
		if _, _, err := f.kb.SaveTranslation(ctx, w.Agent, art.ID, "id", kb.TranslationInput{Body: ptr("Lacak paket dari halaman Pesanan.")}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.kb.GetArticle(ctx, w.Agent, art.ID, "en")
		if !got.Translation.Outdated || !slices.Contains(got.OutdatedLocales, "fa") {
			t.Errorf("translations should be outdated: %+v", got)
		}
		vs, err := f.kb.Versions(ctx, w.Agent, art.ID, "id")
		if err != nil || len(vs) != 3 {
			t.Fatalf("versions: %d %v", len(vs), err)
		}
		diff, err := f.kb.DiffVersions(ctx, w.Agent, art.ID, "id", 2, 3)
		if err != nil || !slices.ContainsFunc(diff, func(l kb.DiffLine) bool { return l.Op == '+' }) {
			t.Fatalf("diff: %v %v", diff, err)
		}
		if _, err := f.kb.RestoreVersion(ctx, w.Agent, art.ID, "id", 1); err != nil {
			t.Fatal(err)
		}
		got, _ = f.kb.GetArticle(ctx, w.Agent, art.ID, "id")
		if got.Translation.Version != 4 || got.Translation.Title != "Cara melacak pengiriman pesanan" {
			t.Errorf("restore: %+v", got.Translation)
		}
		if _, err := f.kb.Versions(ctx, w.Alice, art.ID, "id"); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customers read versions: %v", err)
		}
		// HTML in Markdown is not passed through.
		if _, _, err := f.kb.SaveTranslation(ctx, w.Agent, art.ID, "en", kb.TranslationInput{Body: ptr("hi <script>alert(1)</script> [x](javascript:alert(1))")}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.kb.GetArticle(ctx, w.Agent, art.ID, "en")
		if slices.ContainsFunc([]string{"<script", "javascript:"}, func(s string) bool { return contains(got.Translation.BodyHTML, s) }) {
			t.Errorf("unsafe html: %s", got.Translation.BodyHTML)
		}
	})
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}
func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestInternalArticlesNeverReachCustomers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		mk := func(vis, title string) kb.Article {
			a, err := f.kb.CreateArticle(ctx, w.Agent, kb.ArticleInput{SectionID: f.section.ID, Locale: "en", Visibility: vis,
				Title: title, Body: "Refund rules for damaged parcels."})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		pub, signed, internal := mk(kb.Public, "Refunds for damaged parcels"), mk(kb.SignedIn, "Refund form for damaged parcels"),
			mk(kb.Internal, "Refund exceptions for damaged parcels (policy)")
		if _, err := f.kb.SaveFAQ(ctx, w.Agent, 0, kb.FAQInput{Locale: "en", Question: "Internal: refund limit for damaged parcels?",
			Answer: "Up to 50.", Visibility: kb.Internal}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			who  auth.Actor
			name string
			want []int64
		}{{auth.Actor{}, "anonymous", []int64{pub.ID}}, {w.Alice, "customer", []int64{pub.ID, signed.ID}},
			{w.Light, "light agent", []int64{pub.ID, signed.ID, internal.ID}}} {
			r, err := f.kb.Search(ctx, c.who, kb.SearchRequest{Query: "refund damaged parcels", Locale: "en", Kinds: []string{"article"}})
			if err != nil {
				t.Fatal(err)
			}
			got := hitIDs(r)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s found %v, want %v", c.name, got, c.want)
			}
			list, _, _ := f.kb.ListArticles(ctx, c.who, kb.ArticleFilter{})
			if len(list) != len(c.want) {
				t.Errorf("%s lists %d articles, want %d", c.name, len(list), len(c.want))
			}
		}
		r, _ := f.kb.Search(ctx, w.Alice, kb.SearchRequest{Query: "refund limit", Locale: "en", Kinds: []string{"faq"}})
		if len(r.Hits) != 0 {
			t.Errorf("internal FAQ found by a customer")
		}
		if _, err := f.kb.GetArticle(ctx, w.Alice, internal.ID, "en"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("customer read an internal article: %v", err)
		}
		if _, err := f.kb.CreateArticle(ctx, w.Alice, kb.ArticleInput{SectionID: f.section.ID, Locale: "en", Title: "x"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer wrote an article: %v", err)
		}
		// Making the public article internal takes it out of customers' results at once.
		if _, err := f.kb.UpdateArticle(ctx, w.Agent, pub.ID, kb.ArticlePatch{Visibility: ptr(kb.Internal)}); err != nil {
			t.Fatal(err)
		}
		r, _ = f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: "refund damaged parcels", Locale: "en"})
		if len(r.Hits) != 0 {
			t.Errorf("anonymous still finds %v", hitIDs(r))
		}
	})
}

func TestVotesFAQAndAnalytics(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		w := f.w
		a, err := f.kb.CreateArticle(ctx, w.Agent, kb.ArticleInput{SectionID: f.section.ID, Locale: "id", Title: "Mengganti kata sandi",
			Body: "Buka Pengaturan lalu pilih Ganti kata sandi."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.kb.Vote(ctx, w.Alice, a.ID, kb.VoteInput{Value: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.kb.Vote(ctx, w.Alice, a.ID, kb.VoteInput{Value: -1, Comment: "tidak jelas"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.kb.Vote(ctx, auth.Actor{}, a.ID, kb.VoteInput{Value: 1, VoterKey: "visitor-0123456789abcdef"}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.kb.GetArticle(ctx, w.Agent, a.ID, "id")
		if got.VoteUp != 1 || got.VoteDown != 1 {
			t.Errorf("votes up %d down %d", got.VoteUp, got.VoteDown)
		}
		faq, err := f.kb.SaveFAQ(ctx, w.Agent, 0, kb.FAQInput{Locale: "id", Question: "Berapa lama pengembalian dana?", Answer: "Tujuh hari kerja.", Home: true})
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.kb.Search(ctx, w.Bob, kb.SearchRequest{Query: "berapa lama pengembalian dananya", Locale: "id", Record: true})
		if err != nil || len(r.Hits) == 0 || r.Hits[0].Kind != "faq" || r.Hits[0].ID != faq.ID {
			t.Fatalf("faq search: %+v %v", r.Hits, err)
		}
		if err := f.kb.RecordClick(ctx, w.Bob, r.SearchID, "faq", faq.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.kb.Search(ctx, w.Bob, kb.SearchRequest{Query: "xyzzy plugh", Locale: "id", Record: true}); err != nil {
			t.Fatal(err)
		}
		an, err := f.kb.SearchAnalytics(ctx, w.Admin, w.Clock.Now().AddDate(0, 0, -1), 10)
		if err != nil || an.Searches != 2 || an.ZeroResults != 1 || an.Clicks != 1 || len(an.Zero) != 1 || an.Zero[0].Query != "xyzzy plugh" {
			t.Fatalf("analytics %+v %v", an, err)
		}
		if err := f.kb.RecordDeflection(ctx, w.Bob, kb.Deflection{ArticleID: a.ID, How: "solved", Source: "request_form"}); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.kb.CountEvents(ctx, kb.EventDeflection, w.Clock.Now().AddDate(0, 0, -1)); n != 1 {
			t.Errorf("deflection events: %d", n)
		}
		home, _ := f.kb.ListFAQ(ctx, auth.Actor{}, kb.FAQFilter{Locale: "id", HomeOnly: true})
		if len(home) != 1 {
			t.Errorf("home FAQ: %v", home)
		}
	})
}
