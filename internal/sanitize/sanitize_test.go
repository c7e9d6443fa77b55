package sanitize

import (
	"strings"
	"testing"
)

func TestHTMLRemovesActiveContent(t *testing.T) {
	cases := []string{
		`<script>alert(1)</script>hi`,
		`<img src=x onerror=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<iframe src="https://evil"></iframe>`,
		`<svg><script>alert(1)</script></svg>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
	}
	for _, c := range cases {
		out := strings.ToLower(HTML(c))
		for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe", "style="} {
			if strings.Contains(out, bad) {
				t.Errorf("HTML(%q) = %q still contains %q", c, out, bad)
			}
		}
	}
	if got := HTML(`<p dir="rtl">سلام <b>دوست</b></p>`); got != `<p dir="rtl">سلام <b>دوست</b></p>` {
		t.Errorf("safe markup changed: %q", got)
	}
}

func TestTextAndFromText(t *testing.T) {
	if got := Text("<p>Halo</p><p>Apa kabar?<br>Baik &amp; sehat</p>"); got != "Halo\nApa kabar?\nBaik & sehat" {
		t.Errorf("Text = %q", got)
	}
	if got := FromText("a <b>\n\nc\nd"); got != `<p dir="auto">a &lt;b&gt;</p><p dir="auto">c<br>d</p>` {
		t.Errorf("FromText = %q", got)
	}
}
