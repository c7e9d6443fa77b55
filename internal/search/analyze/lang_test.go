package analyze

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// readStems reads "word stem" lines.
func readStems(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/indonesian_stems.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Fields(sc.Text())
		if len(p) == 2 {
			out[p[0]] = p[1]
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d words in the golden file", len(out))
	}
	return out
}

// The golden file holds PostgreSQL's answers (ts_lexize('indonesian_stem', w)).
func TestIndonesianStemmerMatchesGolden(t *testing.T) {
	for w, want := range readStems(t) {
		if got := StemIndonesian(w); got != want {
			t.Errorf("StemIndonesian(%q) = %q, want %q", w, got, want)
		}
	}
}

// With a PostgreSQL server, compare against its own Snowball stemmer word for
// word, over the golden list and every Indonesian word of the KB evaluation set.
func TestIndonesianStemmerMatchesPostgres(t *testing.T) {
	url := os.Getenv("LAYAN_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("LAYAN_TEST_POSTGRES_URL is not set")
	}
	words := map[string]bool{}
	for w := range readStems(t) {
		words[w] = true
	}
	for _, path := range []string{"../../kb/evalset/data/articles.txt", "../../kb/evalset/data/questions.txt"} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, w := range Words(string(data)) {
			if isLatinWord(w) && !allDigits(w) && strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
				words[w] = true
			}
		}
	}
	list := make([]string, 0, len(words))
	for w := range words {
		list = append(list, w)
	}
	slices.Sort(list)
	d, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.QueryContext(context.Background(),
		`SELECT w, COALESCE((ts_lexize('indonesian_stem', w))[1], '') FROM unnest($1::text[]) AS w`, list)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, diff := 0, 0
	for rows.Next() {
		var w, want string
		if err := rows.Scan(&w, &want); err != nil {
			t.Fatal(err)
		}
		n++
		if want == "" {
			continue // a PostgreSQL stop word
		}
		if got := StemIndonesian(w); got != want {
			diff++
			t.Errorf("StemIndonesian(%q) = %q, PostgreSQL says %q", w, got, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d words compared with PostgreSQL, %d differ", n, diff)
}

func TestIndonesianAffixesMeet(t *testing.T) {
	groups := [][]string{
		{"kirim", "mengirim", "pengiriman", "dikirimkan", "kiriman", "dikirim", "mengirimkan"},
		{"bayar", "membayar", "pembayaran", "dibayar", "bayarlah", "dibayarkan"},
		{"tulis", "menulis", "penulis", "tulisan", "ditulis"},
		{"pesan", "memesan", "pesanan", "dipesan", "pemesanan"},
		{"cek", "mengecek", "pengecekan", "dicek"},
		{"masak", "memasak", "dimasak"},
		{"batal", "membatalkan", "pembatalan", "dibatalkan"},
		{"kembali", "mengembalikan", "pengembalian", "dikembalikan"},
	}
	for _, g := range groups {
		root := IndonesianTerms(g[0])
		for _, w := range g[1:] {
			ts := IndonesianTerms(w)
			if !slices.ContainsFunc(ts, func(s string) bool { return slices.Contains(root, s) }) {
				t.Errorf("%q %v shares no term with %q %v", w, ts, g[0], root)
			}
		}
	}
}

func TestEnglishStems(t *testing.T) {
	for w, want := range map[string]string{"shipping": "ship", "shipped": "ship", "refunds": "refund",
		"tracking": "track", "passwords": "password", "cancellation": "cancel", "deliveries": "deliveri"} {
		if got := StemEnglish(w); got != want {
			t.Errorf("StemEnglish(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestPersianNormalisationAndStems(t *testing.T) {
	same := [][]string{
		{"می‌توانم", "میتوانم", "می توانم", "مي‌توانم"},
		{"کتاب‌ها", "كتابها", "کتاب ها", "کتاب"},
		{"سفارش‌های", "سفارشها", "سفارش"},
		{"کاربران", "کاربر", "كاربری"},
		{"مشتریان", "مشتری", "مشتري"},
		{"اطلاعات", "اطلاع"},
		{"سریع‌تر", "سریع", "سريعترين"},
		{"۱۲۳", "١٢٣", "123"},
	}
	for _, g := range same {
		uniq := func(ts []string) []string { slices.Sort(ts); return slices.Compact(ts) }
		want := uniq(DocTerms(Persian, g[0]))
		for _, w := range g[1:] {
			if got := uniq(DocTerms(Persian, w)); !slices.Equal(got, want) {
				t.Errorf("%q → %v, %q → %v: want the same terms", g[0], want, w, got)
			}
		}
	}
	// Light stemming must not eat short words.
	for _, w := range []string{"زمان", "دفتر", "بازی", "کارت"} {
		if got := StemPersian(w); got != w {
			t.Errorf("StemPersian(%q) = %q, want it kept", w, got)
		}
	}
}

func TestStopWordsAndDetection(t *testing.T) {
	if got := DocTerms(English, "How do I reset my password?"); !slices.Equal(got, []string{"reset", "password"}) {
		t.Errorf("en terms = %v", got)
	}
	if got := DocTerms(Indonesian, "Bagaimana cara saya mengganti kata sandi?"); !slices.Contains(got, "ganti") || slices.Contains(got, "bagaimana") {
		t.Errorf("id terms = %v", got)
	}
	if got := DocTerms(Persian, "چطور رمز عبور را عوض کنم؟"); slices.Contains(got, "چطور") || !slices.Contains(got, "رمز") {
		t.Errorf("fa terms = %v", got)
	}
	for text, want := range map[string]Lang{
		"where is my order":                   English,
		"pesanan saya belum sampai":           Indonesian,
		"gimana cara ngembaliin barangnya":    Indonesian,
		"سفارشم کجاست":                        Persian,
		"the package was delivered yesterday": English,
	} {
		if got := Detect(text, ""); got != want {
			t.Errorf("Detect(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestQueryWordsCarryColloquialReadings(t *testing.T) {
	has := func(q, term string) bool {
		_, ws := Query(q, Indonesian)
		for _, w := range ws {
			for _, a := range w.Alts {
				if a.Term == term {
					return true
				}
			}
		}
		return false
	}
	for q, term := range map[string]string{"ngirim": "kirim", "nyari": "cari", "kirimin": "kirim", "ngecek": "cek",
		"pake": "pakai", "pengiriman": "kirim"} {
		if !has(q, term) {
			t.Errorf("query %q should reach term %q", q, term)
		}
	}
	if _, ws := Query("سفارشم", Persian); len(ws) != 1 || !slices.ContainsFunc(ws[0].Alts, func(a Alt) bool { return a.Term == "سفارش" }) {
		t.Errorf("سفارشم should reach سفارش: %v", ws)
	}
}

func BenchmarkQuery(b *testing.B) {
	for b.Loop() {
		Query("bagaimana cara mengembalikan barang yang rusak dan mendapatkan pengembalian dana", Indonesian)
	}
}
