package i18n

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"
)

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

func placeholders(s string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestSupportedMatchesCatalogs(t *testing.T) {
	got := slices.Sorted(maps.Keys(catalogs))
	want := slices.Sorted(slices.Values(Supported))
	if !slices.Equal(got, want) {
		t.Fatalf("catalog files %v, Supported %v", got, want)
	}
	if Supported[0] != Default {
		t.Fatalf("Supported[0] = %q, want Default %q", Supported[0], Default)
	}
}

// TestCatalogsConsistent fails when a catalog misses a key another has, has an
// empty value, or uses other placeholders than the rest for the same key.
func TestCatalogsConsistent(t *testing.T) {
	all := map[string]bool{}
	for _, cat := range catalogs {
		for k := range cat {
			all[k] = true
		}
	}
	for _, l := range Supported {
		for k := range all {
			v, ok := catalogs[l][k]
			switch {
			case !ok:
				t.Errorf("%s: missing key %q", l, k)
			case strings.TrimSpace(v) == "":
				t.Errorf("%s: empty value for %q", l, k)
			case !slices.Equal(placeholders(v), placeholders(catalogs[Default][k])):
				t.Errorf("%s: %q has placeholders %v, %s has %v",
					l, k, placeholders(v), Default, placeholders(catalogs[Default][k]))
			}
		}
	}
}

func TestCatalogsWellFormed(t *testing.T) {
	keyRE := regexp.MustCompile(`^[a-z]+(\.[a-z_]+)+$`)
	for _, l := range Supported {
		for k, v := range catalogs[l] {
			if !keyRE.MatchString(k) {
				t.Errorf("%s: badly formed key %q", l, k)
			}
			// Every brace must open a placeholder, or a typo like {name ships silently.
			if rest := placeholderRE.ReplaceAllString(v, ""); strings.ContainsAny(rest, "{}") {
				t.Errorf("%s: %q has a stray brace: %q", l, k, v)
			}
			base, form, _ := cutLast(k, ".")
			if form == "one" || form == "other" {
				if _, ok := catalogs[l][base+".one"]; !ok {
					t.Errorf("%s: %q has no .one form", l, base)
				}
				if _, ok := catalogs[l][base+".other"]; !ok {
					t.Errorf("%s: %q has no .other form", l, base)
				}
				if !slices.Contains(placeholders(v), "count") {
					t.Errorf("%s: plural %q lacks {count}", l, k)
				}
			}
		}
	}
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// A key defined twice, in one file or in two files of one locale, must stop
// the start: encoding/json alone would keep the last without a word.
func TestLoadCatalogsRejectsDuplicateKeys(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"same file": {"c/en.json": {Data: []byte(`{"a": "1", "a": "2"}`)}},
		"two files": {"c/en.json": {Data: []byte(`{"a": "1"}`)}, "c/chat.en.json": {Data: []byte(`{"a": "2"}`)}},
		"not text":  {"c/en.json": {Data: []byte(`{"a": 1}`)}},
	} {
		if _, err := loadCatalogs(files, "c"); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	got, err := loadCatalogs(fstest.MapFS{
		"c/en.json":      {Data: []byte(`{"a": "1"}`)},
		"c/chat.en.json": {Data: []byte(`{"b": "2"}`)},
		"c/chat.fa.json": {Data: []byte(`{"b": "۲"}`)},
	}, "c")
	if err != nil || got["en"]["a"] != "1" || got["en"]["b"] != "2" || got["fa"]["b"] != "۲" {
		t.Fatalf("merged = %v, %v", got, err)
	}
}

// Persian text must use Persian letters (ی, ک, not Arabic ي, ك), and no Latin
// except in placeholder names.
func TestPersianCatalogScript(t *testing.T) {
	for k, v := range catalogs["fa"] {
		text := placeholderRE.ReplaceAllString(v, "")
		for _, r := range text {
			if unicode.Is(unicode.Latin, r) || r == 'ي' || r == 'ك' || (r >= '0' && r <= '9') {
				t.Errorf("fa: %q contains %q: %q", k, r, v)
				break
			}
		}
	}
}

// A value equal to the English one is usually a string nobody translated.
func TestCatalogsTranslated(t *testing.T) {
	sameAsEnglish := map[string][]string{
		// Words Indonesian uses as they are.
		"id": {"ticket.status", "priority.normal", "channel.email", "channel.api",
			"common.email", "role.admin", "admin.logo", "measure.kpi", "measure.tag", "measure.status",
			"board.set_status", "measure.unit.percent"},
	}
	for _, l := range Supported {
		if l == Default {
			continue
		}
		for k, v := range catalogs[l] {
			if v == catalogs[Default][k] && !slices.Contains(sameAsEnglish[l], k) {
				t.Errorf("%s: %q is the same as in English: %q", l, k, v)
			}
		}
	}
}

func TestKeys(t *testing.T) {
	en := Keys("en")
	if len(en) == 0 || !slices.IsSorted(en) {
		t.Fatalf("Keys(en) = %d keys, sorted %v", len(en), slices.IsSorted(en))
	}
	if !slices.Equal(Keys("fa-IR"), Keys("fa")) {
		t.Error("Keys(fa-IR) differs from Keys(fa)")
	}
	if Keys("de") != nil {
		t.Error("Keys(de) should be nil")
	}
}

type ticketID int64

func TestT(t *testing.T) {
	const fsi, pdi = "\u2068", "\u2069"
	tests := []struct {
		locale, key string
		args        []any
		want        string
	}{
		{"en", "nav.inbox", nil, "Inbox"},
		{"id", "nav.inbox", nil, "Kotak masuk"},
		{"fa", "nav.inbox", nil, "صندوق ورودی"},
		{"fa-IR", "nav.inbox", nil, "صندوق ورودی"},
		{"de", "nav.inbox", nil, "Inbox"},
		{"", "nav.inbox", nil, "Inbox"},
		{"fa", "no.such.key", nil, "no.such.key"},
		{"en", "reply.collision", []any{"name", "Budi"}, "Budi is also replying"},
		{"id", "reply.collision", []any{"name", "Budi"}, "Budi juga sedang membalas"},
		{"fa", "reply.collision", []any{"name", "Budi"}, fsi + "Budi" + pdi + " هم در حال پاسخ دادن است"},
		{"en", "ticket.number", []any{"id", 1234}, "Ticket #1234"},
		{"fa", "ticket.number", []any{"id", 1234}, "تیکت شماره ۱۲۳۴"},
		{"fa", "ticket.number", []any{"id", ticketID(70)}, "تیکت شماره ۷۰"},
		{"fa", "ticket.number", []any{"id", uint8(5)}, "تیکت شماره ۵"},
		{"fa", "error.file_too_large", []any{"file", "a.pdf", "max", 2.5},
			"حجم " + fsi + "a.pdf" + pdi + " از حد مجاز (۲٫۵) بیشتر است."},
		{"en", "common.page", []any{"page", 2, "pages", 7}, "Page 2 of 7"},
		{"fa", "common.page", []any{"page", 2, "pages", 17}, "صفحه\u200cی ۲ از ۱۷"},
		// A missing argument stays visible; an odd trailing name is ignored.
		{"en", "common.page", []any{"page", 2}, "Page 2 of {pages}"},
		{"en", "reply.collision", []any{"name"}, "{name} is also replying"},
		// Values are not themselves expanded.
		{"en", "reply.collision", []any{"name", "{name}"}, "{name} is also replying"},
		// Plural forms chosen by count.
		{"en", "ticket.count", []any{"count", 1}, "1 ticket"},
		{"en", "ticket.count", []any{"count", 0}, "0 tickets"},
		{"en", "ticket.count", []any{"count", int64(3)}, "3 tickets"},
		{"id", "ticket.count", []any{"count", 1}, "1 tiket"},
		{"fa", "ticket.count", []any{"count", 3}, "۳ تیکت"},
		{"en", "ticket.count", nil, "ticket.count"},
	}
	for _, tt := range tests {
		if got := T(tt.locale, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.locale, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestTFallsBackToEnglish(t *testing.T) {
	catalogs["en"]["test.only_english"] = "Hello {name}"
	t.Cleanup(func() { delete(catalogs["en"], "test.only_english") })

	// The English text is used, so English digits and no isolates either.
	if got, want := T("fa", "test.only_english", "name", 7), "Hello 7"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := T("id", "test.only_english", "name", "Ani"), "Hello Ani"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDigits(t *testing.T) {
	tests := []struct{ locale, in, want string }{
		{"fa", "0123456789", "۰۱۲۳۴۵۶۷۸۹"},
		{"fa", "#42 – 2026-11-23", "#۴۲ – ۲۰۲۶-۱۱-۲۳"},
		{"fa", "بدون عدد", "بدون عدد"},
		{"fa-IR", "7", "۷"},
		{"en", "42", "42"},
		{"id", "42", "42"},
	}
	for _, tt := range tests {
		if got := Digits(tt.locale, tt.in); got != tt.want {
			t.Errorf("Digits(%q, %q) = %q, want %q", tt.locale, tt.in, got, tt.want)
		}
	}
}

func TestDirAndNormalize(t *testing.T) {
	tests := []struct{ in, norm, dir string }{
		{"fa", "fa", "rtl"},
		{"fa-IR", "fa", "rtl"},
		{"FA_ir", "fa", "rtl"},
		{"id", "id", "ltr"},
		{"en-US", "en", "ltr"},
		{"ar", "en", "ltr"}, // no Arabic catalog, so the page is English
		{"", "en", "ltr"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.norm {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.norm)
		}
		if got := Dir(tt.in); got != tt.dir {
			t.Errorf("Dir(%q) = %q, want %q", tt.in, got, tt.dir)
		}
	}
}

func TestToJalali(t *testing.T) {
	tests := []struct {
		g          string
		jy, jm, jd int
	}{
		{"2026-11-23", 1405, 9, 2},
		{"2024-03-20", 1403, 1, 1},   // Nowruz 1403
		{"2025-03-20", 1403, 12, 30}, // 1403 is a leap year
		{"2025-03-21", 1404, 1, 1},
		{"2026-03-20", 1404, 12, 29}, // 1404 is not: the equinox of 2026 is after noon in Tehran
		{"2026-03-21", 1405, 1, 1},
		{"2026-09-22", 1405, 6, 31},
		{"2026-09-23", 1405, 7, 1},
		{"2029-03-20", 1408, 1, 1}, // 1403 → 1408: a five-year gap between leap years
		{"2030-03-20", 1408, 12, 30},
		{"2017-03-20", 1395, 12, 30},
		{"2021-03-20", 1399, 12, 30},
		{"2000-01-01", 1378, 10, 11},
		{"1979-02-11", 1357, 11, 22},
	}
	for _, tt := range tests {
		g, err := time.Parse(time.DateOnly, tt.g)
		if err != nil {
			t.Fatal(err)
		}
		jy, jm, jd, ok := toJalali(g.Date())
		if !ok || jy != tt.jy || jm != tt.jm || jd != tt.jd {
			t.Errorf("toJalali(%s) = %d-%02d-%02d (ok %v), want %d-%02d-%02d",
				tt.g, jy, jm, jd, ok, tt.jy, tt.jm, tt.jd)
		}
	}
}

// TestJalaliContinuous walks every day of 1900–2100 and checks that the
// Jalali date advances by exactly one day with valid month and year lengths.
func TestJalaliContinuous(t *testing.T) {
	day := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
	py, pm, pd, _ := toJalali(day.Date())
	yearLen := 0
	for day = day.AddDate(0, 0, 1); day.Before(end); day = day.AddDate(0, 0, 1) {
		jy, jm, jd, ok := toJalali(day.Date())
		if !ok {
			t.Fatalf("%s: out of range", day.Format(time.DateOnly))
		}
		yearLen++
		var next bool
		switch {
		case jy == py && jm == pm:
			next = jd == pd+1
		case jy == py && jm == pm+1:
			monthLen := 31
			if pm > 6 {
				monthLen = 30
			}
			next = jd == 1 && pd == monthLen
		case jy == py+1 && jm == 1 && pm == 12:
			next = jd == 1 && (pd == 29 || pd == 30)
			if next && yearLen != 336+pd && py > 1279 { // 1900-01-01 is mid-year 1278
				t.Errorf("year %d has %d days", py, yearLen)
			}
			yearLen = 0
		}
		if !next {
			t.Fatalf("%s: %d-%d-%d follows %d-%d-%d", day.Format(time.DateOnly), jy, jm, jd, py, pm, pd)
		}
		py, pm, pd = jy, jm, jd
	}
}

func TestFormatDate(t *testing.T) {
	tehran := time.FixedZone("IRST", 3*3600+1800)
	jakarta := time.FixedZone("WIB", 7*3600)
	at := time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)
	late := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC) // already 23 Nov in Tehran

	tests := []struct {
		locale string
		t      time.Time
		loc    *time.Location
		date   string
		dt     string
	}{
		{"en", at, nil, "Nov 23, 2026", "Nov 23, 2026, 2:05 PM"},
		{"id", at, nil, "23 November 2026", "23 November 2026 14.05"},
		{"id", at, jakarta, "23 November 2026", "23 November 2026 21.05"},
		{"fa", at, nil, "۲ آذر ۱۴۰۵", "۲ آذر ۱۴۰۵، ساعت ۱۴:۰۵"},
		{"fa", late, nil, "۱ آذر ۱۴۰۵", "۱ آذر ۱۴۰۵، ساعت ۲۱:۰۰"},
		{"fa", late, tehran, "۲ آذر ۱۴۰۵", "۲ آذر ۱۴۰۵، ساعت ۰۰:۳۰"},
		{"fa", time.Date(2025, 3, 21, 0, 0, 0, 0, time.UTC), nil, "۱ فروردین ۱۴۰۴", "۱ فروردین ۱۴۰۴، ساعت ۰۰:۰۰"},
		{"fa", time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), nil, "۲۹ اسفند ۱۴۰۴", "۲۹ اسفند ۱۴۰۴، ساعت ۰۰:۰۰"},
		{"de", at, nil, "Nov 23, 2026", "Nov 23, 2026, 2:05 PM"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.locale, tt.t, tt.loc); got != tt.date {
			t.Errorf("FormatDate(%s, %v, %v) = %q, want %q", tt.locale, tt.t, tt.loc, got, tt.date)
		}
		if got := FormatDateTime(tt.locale, tt.t, tt.loc); got != tt.dt {
			t.Errorf("FormatDateTime(%s, %v, %v) = %q, want %q", tt.locale, tt.t, tt.loc, got, tt.dt)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		ago        time.Duration // negative: in the future
		en, id, fa string
	}{
		{0, "just now", "baru saja", "همین حالا"},
		{4 * time.Second, "just now", "baru saja", "همین حالا"},
		{-3 * time.Second, "in a moment", "sebentar lagi", "چند لحظه دیگر"},
		{30 * time.Second, "30 seconds ago", "30 detik yang lalu", "۳۰ ثانیه پیش"},
		{time.Minute, "1 minute ago", "1 menit yang lalu", "۱ دقیقه پیش"},
		{3*time.Minute + 59*time.Second, "3 minutes ago", "3 menit yang lalu", "۳ دقیقه پیش"},
		{2 * time.Hour, "2 hours ago", "2 jam yang lalu", "۲ ساعت پیش"},
		{day, "1 day ago", "1 hari yang lalu", "۱ روز پیش"},
		{45 * day, "1 month ago", "1 bulan yang lalu", "۱ ماه پیش"},
		{200 * day, "6 months ago", "6 bulan yang lalu", "۶ ماه پیش"},
		{800 * day, "2 years ago", "2 tahun yang lalu", "۲ سال پیش"},
		{-90 * time.Second, "in 1 minute", "dalam 1 menit", "۱ دقیقه دیگر"},
		{-2 * time.Hour, "in 2 hours", "dalam 2 jam", "۲ ساعت دیگر"},
		{-15 * day, "in 15 days", "dalam 15 hari", "۱۵ روز دیگر"},
		{-400 * day, "in 1 year", "dalam 1 tahun", "۱ سال دیگر"},
	}
	for _, tt := range tests {
		then := now.Add(-tt.ago)
		for locale, want := range map[string]string{"en": tt.en, "id": tt.id, "fa": tt.fa} {
			if got := Relative(locale, then, now); got != want {
				t.Errorf("Relative(%s, now-%v) = %q, want %q", locale, tt.ago, got, want)
			}
		}
	}
}

func TestRelativeInSentence(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	retry := now.Add(5 * time.Minute)
	tests := map[string]string{
		"en": "Too many failed sign-in attempts. Please try again in 5 minutes.",
		"id": "Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi dalam 5 menit.",
		"fa": "تعداد تلاش\u200cهای ناموفق برای ورود بیش از حد مجاز است. لطفاً \u2068۵ دقیقه دیگر\u2069 دوباره تلاش کنید.",
	}
	for locale, want := range tests {
		got := T(locale, "auth.throttled", "when", Relative(locale, retry, now))
		if got != want {
			t.Errorf("%s: got %q, want %q", locale, got, want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		header  string
		offered []string
		want    string
	}{
		{"fa-IR,fa;q=0.9,en;q=0.8", Supported, "fa"},
		{"de,id;q=0.5", Supported, "id"},
		{"", Supported, "en"},
		{"en-US,en;q=0.9", Supported, "en"},
		{"id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", Supported, "id"},
		{"id;q=0.5,fa;q=0.8", Supported, "fa"}, // q-values, not order
		{"fa;q=0.1,de", Supported, "fa"},
		{"FA", Supported, "fa"},
		{"in-ID", Supported, "id"}, // legacy code for Indonesian
		{"id;q=0", Supported, "en"},
		{"ar", Supported, "en"}, // the matcher would say fa (same script) at confidence No
		{"zh-CN,zh;q=0.9", Supported, "en"},
		{"*", Supported, "en"},
		{"!!bad!!,id", Supported, "id"}, // one bad entry does not spoil the rest
		{"fa;q=2,id", Supported, "id"},  // q above 1 is invalid
		{"de", []string{"id", "fa"}, "id"},
		{"fa", []string{"id", "fa"}, "fa"},
		{"fa", nil, "en"},
		{strings.Repeat("de,", 2000) + "fa", Supported, "en"}, // bounded
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header, tt.offered); got != tt.want {
			h := tt.header
			if len(h) > 40 {
				h = h[:40] + "…"
			}
			t.Errorf("Negotiate(%q, %v) = %q, want %q", h, tt.offered, got, tt.want)
		}
	}
}

func BenchmarkT(b *testing.B) {
	for b.Loop() {
		T("fa", "reply.collision", "name", "Budi")
	}
}

func BenchmarkNegotiate(b *testing.B) {
	for b.Loop() {
		Negotiate("fa-IR,fa;q=0.9,en;q=0.8", Supported)
	}
}
