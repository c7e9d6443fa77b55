package svgchart

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

func fp(v float64) *float64 { return &v }

// wellFormed parses the SVG as XML: a browser drops a broken inline SVG.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
	}
}

func TestRender(t *testing.T) {
	three := []*float64{fp(1), nil, fp(4)}
	cases := []struct {
		name  string
		c     Chart
		want  []string
		avoid []string
	}{
		{"line has title, desc, path and points", Chart{ID: "c1", Title: "Tickets", Desc: "Per day", Labels: []string{"1", "2", "3"},
			Series: []Series{{Name: "created", Values: three}}},
			[]string{`role="img"`, `aria-labelledby="c1-title c1-desc"`, `<title id="c1-title">Tickets</title>`, `<desc id="c1-desc">Per day</desc>`, `<path d="M`, `<circle`},
			[]string{`style=`, `<script`}},
		{"a gap lifts the pen", Chart{ID: "g", Labels: []string{"a", "b", "c"}, Series: []Series{{Values: three}}},
			[]string{`M`}, []string{` L`}},
		{"bars", Chart{ID: "b", Kind: Bar, Labels: []string{"a", "b", "c"}, Series: []Series{{Name: "n", Values: three}}},
			[]string{`<rect`, `<title>c: 4</title>`}, []string{`<path`}},
		{"untrusted text is escaped", Chart{ID: `x"><script>`, Title: `<script>alert(1)</script>`, Labels: []string{`<b>`},
			Series: []Series{{Name: `"&`, Values: []*float64{fp(1)}}}},
			[]string{`&lt;script&gt;alert(1)&lt;/script&gt;`, `&lt;b&gt;`, `&#34;&amp;`}, []string{`<script`, `<b>`}},
		{"target line", Chart{ID: "t", Labels: []string{"w1", "w2"}, Series: []Series{{Values: []*float64{fp(50), fp(60)}}},
			Target: fp(90), TargetLabel: "Target 90"},
			[]string{`class="chart-target"`, `Target 90`, `stroke-dasharray="6 4"`}, nil},
		{"dashed projection", Chart{ID: "p", Labels: []string{"a", "b"}, Series: []Series{{Values: []*float64{fp(1), fp(2)}, Dashed: true}}},
			[]string{`stroke-dasharray="5 4"`}, nil},
		{"NaN and Inf are no data", Chart{ID: "n", Labels: []string{"a", "b", "c"},
			Series: []Series{{Values: []*float64{fp(1), fp(math.NaN()), fp(math.Inf(1))}}}},
			[]string{`<circle`}, []string{"NaN", "Inf"}},
		{"no data still draws", Chart{ID: "e", Title: "Empty"}, []string{`<svg`, `</svg>`}, []string{`<path`}},
		{"formatter used on the axis", Chart{ID: "f", Labels: []string{"a"}, Series: []Series{{Values: []*float64{fp(10)}}},
			Format: func(v float64) string { return "«" + strings.Repeat("x", int(v)/5) + "»" }},
			[]string{"«xx»"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(Render(tc.c))
			wellFormed(t, got)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, a := range tc.avoid {
				if strings.Contains(got, a) {
					t.Errorf("unexpected %q in\n%s", a, got)
				}
			}
		})
	}
}

// In a right-to-left chart time runs from right to left and the value
// labels sit on the right, anchored at their start.
func TestRTLMirrors(t *testing.T) {
	c := Chart{ID: "r", Labels: []string{"first", "last"}, Series: []Series{{Values: []*float64{fp(1), fp(2)}}}, Width: 400}
	ltr := string(Render(c))
	c.RTL = true
	rtl := string(Render(c))
	wellFormed(t, rtl)
	if !strings.Contains(rtl, `direction="rtl"`) || strings.Contains(ltr, `direction=`) {
		t.Fatalf("direction:\nltr %s\nrtl %s", ltr, rtl)
	}
	// The value labels (anchored at their logical end, outside the plot)
	// sit left of the plot in ltr and right of it in rtl.
	valueX := func(svg string) float64 {
		i := strings.Index(svg, `text-anchor="end"`)
		j := strings.LastIndex(svg[:i], `x="`)
		return atof(svg[j+3 : j+3+strings.IndexByte(svg[j+3:], '"')])
	}
	if !(valueX(ltr) < 100 && valueX(rtl) > 300) {
		t.Fatalf("value labels at %v (ltr) and %v (rtl)", valueX(ltr), valueX(rtl))
	}
	xOf := func(svg, text string) string {
		i := strings.Index(svg, ">"+text+"<")
		j := strings.LastIndex(svg[:i], `x="`)
		return svg[j+3 : j+3+strings.IndexByte(svg[j+3:], '"')]
	}
	if xOf(ltr, "first") == xOf(rtl, "first") {
		t.Fatal("the first label did not move")
	}
	if !(atof(xOf(rtl, "first")) > atof(xOf(rtl, "last"))) {
		t.Fatalf("rtl: first at %s should be right of last at %s", xOf(rtl, "first"), xOf(rtl, "last"))
	}
}

func atof(s string) float64 {
	var v float64
	for _, c := range s {
		if c == '.' {
			break
		}
		v = v*10 + float64(c-'0')
	}
	return v
}

// Many buckets: the time axis shows a readable number of labels.
func TestManyLabelsThinned(t *testing.T) {
	labels := make([]string, 90)
	vals := make([]*float64, 90)
	for i := range labels {
		labels[i] = "d" + string(rune('A'+i%26)) + string(rune('a'+i/26))
		vals[i] = fp(float64(i))
	}
	got := string(Render(Chart{ID: "m", Labels: labels, Series: []Series{{Values: vals}}}))
	if n := strings.Count(got, `text-anchor="middle"`); n < 4 || n > maxXLabel+1 {
		t.Fatalf("%d time labels", n)
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct{ lo, hi float64 }{{0, 1}, {0, 97}, {-3, 12}, {0.2, 0.9}, {1000, 1000.5}} {
		ts := niceTicks(tc.lo, tc.hi, 4)
		if ts[0] > tc.lo || ts[len(ts)-1] < tc.hi || len(ts) > 12 {
			t.Errorf("%v..%v: %v", tc.lo, tc.hi, ts)
		}
	}
}

// A stacked bar chart puts the series on top of each other: the axis reaches
// the largest total, and each part has its own title.
func TestStackedBars(t *testing.T) {
	v := func(x float64) *float64 { return &x }
	out := string(Render(Chart{ID: "s", Kind: Bar, Stacked: true, Title: "t", Labels: []string{"a", "b"},
		Series: []Series{{Name: "email", Values: []*float64{v(3), v(1)}}, {Name: "chat", Values: []*float64{v(4), nil}}}}))
	if n := strings.Count(out, "<rect"); n != 3 {
		t.Errorf("%d bars, want 3", n)
	}
	for _, want := range []string{"a · email: 3", "a · chat: 4", "b · email: 1", ">8</text>"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if len(Colors(8)) != 8 || Colors(8)[7] == Colors(8)[0] {
		t.Error("eight distinct colours")
	}
}
