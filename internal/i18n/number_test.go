package i18n

import "testing"

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		locale string
		v      float64
		places int
		want   string
	}{
		{"en", 1234.56, 1, "1234.6"},
		{"id", 1234.56, 1, "1234,6"},
		{"fa", 1234.56, 1, "۱۲۳۴٫۶"},
		{"en", -0.04, 1, "0.0"},
		{"en", -0.4, 0, "0"},
		{"en", -2.5, 1, "-2.5"},
		{"fa-IR", 12.345, 2, "۱۲٫۳۵"},
	} {
		if got := Decimal(c.locale, c.v, c.places); got != c.want {
			t.Errorf("Decimal(%q, %v, %d) = %q, want %q", c.locale, c.v, c.places, got, c.want)
		}
	}
	for _, c := range []struct {
		locale string
		n      int
		want   string
	}{
		{"en", 0, "0"},
		{"en", 999, "999"},
		{"en", 1234567, "1,234,567"},
		{"id", 1234567, "1.234.567"},
		{"fa", 1234567, "۱٬۲۳۴٬۵۶۷"},
		{"en", -1234, "-1,234"},
		{"id", -12, "-12"},
	} {
		if got := Integer(c.locale, c.n); got != c.want {
			t.Errorf("Integer(%q, %d) = %q, want %q", c.locale, c.n, got, c.want)
		}
	}
}
