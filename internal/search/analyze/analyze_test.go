package analyze

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestTerms(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Pesanan SAYA belum sampai!", []string{"pesanan", "saya", "belum", "sampai"}},
		{"كيف يمكنني", []string{"کیف", "یمکننی"}},
		{"می‌توانم", []string{"میتوانم", "می", "توانم"}},
		{"سفارش ۱۲۳ و ٤٥", []string{"سفارش", "123", "و", "45"}},
		{"كِتابٌ", []string{"کتاب"}},
		{"order #A-42 <script>", []string{"order", "a", "42", "script"}},
	}
	for _, c := range cases {
		if got := Terms(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQuerySpellingsMeetTheIndex(t *testing.T) {
	index := map[string]bool{}
	for _, term := range Terms("می‌توانم") {
		index[term] = true
	}
	for _, q := range []string{"میتوانم", "مي‌توانم", "می توانم"} {
		for _, term := range QueryTerms(q) {
			if !index[term] {
				t.Errorf("query %q term %q not in index %v", q, term, index)
			}
		}
	}
}

func TestJoinedWordIsWordsJoined(t *testing.T) {
	corpus, err := os.ReadFile("../../kb/evalset/data/articles.txt") // the three languages' help-centre text
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(corpus)) {
		if got, want := JoinedWord(f), strings.Join(Words(f), ""); got != want {
			t.Fatalf("%q: %q, want %q", f, got, want)
		}
	}
	for _, s := range []string{"", "Hello,", "A-b_c", "e-mail", "ÄBC", "سلام", "می\u200cتوانم", "كتابي", "۱۲۳", "مُحَمَّد", "ـــا", "a\u200cb", "x\xffy", "İstanbul", "«پرداخت»", "don't", "Straße", "ﻻ"} {
		if got, want := JoinedWord(s), strings.Join(Words(s), ""); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}
