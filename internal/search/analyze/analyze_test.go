package analyze

import (
	"reflect"
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
