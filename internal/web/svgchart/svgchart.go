// Package svgchart draws small line and bar charts as inline SVG on the
// server, so report pages need no chart library (and no script) in the
// browser. A chart is text in an HTML page: every label is escaped here,
// the figure carries <title> and <desc> for screen readers, and colours are
// presentation attributes and classes (the CSP forbids inline style).
//
// Right-to-left pages (Persian) mirror the chart: time runs from right to
// left and the value axis sits on the right, as Persian readers expect of
// a timeline; text anchors are swapped so labels stay beside their ticks.
package svgchart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Kind is the chart's shape.
type Kind int

// Kinds of chart.
const (
	Line Kind = iota
	Bar
)

// Series is one named row of values, one per label; nil is "no data" (a gap
// in a line, no bar).
type Series struct {
	Name   string
	Values []*float64
	// Dashed draws a projection or a previous period.
	Dashed bool
}

// Chart is what to draw. Labels name the points along the time axis.
type Chart struct {
	ID     string // unique on the page: prefixes the ids of <title> and <desc>
	Kind   Kind
	Title  string // short name, read first by screen readers
	Desc   string // one sentence on what the chart shows
	Labels []string
	Series []Series
	// Format writes a value on the axis (locale digits); nil: plain numbers.
	Format func(float64) string
	// Target, when set, draws a horizontal reference line (a goal's target).
	Target      *float64
	TargetLabel string
	RTL         bool
	// Stacked draws a Bar chart's series on top of each other in one bar
	// per label (parts of a whole: contacts by channel), in series order
	// from the axis up.
	Stacked bool
	Width   int // default 640
	Height  int // default 240
}

const (
	padTop    = 16
	padBottom = 34
	padAxis   = 56 // room for the value labels
	padEnd    = 12
	maxXLabel = 8 // at most this many time labels, evenly spaced
)

// Render returns the chart as an <svg> element. It never fails: no data
// draws the axes and the description.
func Render(c Chart) template.HTML {
	if c.Width <= 0 {
		c.Width = 640
	}
	if c.Height <= 0 {
		c.Height = 240
	}
	if c.Format == nil {
		c.Format = func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	}
	c.Series = finite(c.Series)
	lo, hi := bounds(c)
	ticks := niceTicks(lo, hi, 4)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	n := len(c.Labels)
	plotW := float64(c.Width - padAxis - padEnd)
	plotH := float64(c.Height - padTop - padBottom)
	// x of the i-th slot's centre; mirrored for right-to-left pages.
	slot := plotW / float64(max(n, 1))
	x := func(i int) float64 {
		off := slot*float64(i) + slot/2
		if c.RTL {
			return float64(padEnd) + plotW - off
		}
		return float64(padAxis) + off
	}
	y := func(v float64) float64 { return float64(padTop) + plotH - (v-lo)/(hi-lo)*plotH }
	// The plot spans [left, right]; the value axis is on the reading side.
	// Text anchors are logical: under direction="rtl" "end" is a label's
	// left edge, so "end" keeps the labels outside the plot on both sides.
	left, right := float64(padAxis), float64(c.Width-padEnd)
	axisX, labelX := left, left-6
	if c.RTL {
		left, right = float64(padEnd), float64(c.Width-padAxis)
		axisX, labelX = right, right+6
	}
	const anchor = "end"

	var b strings.Builder
	esc := template.HTMLEscapeString
	id := esc(c.ID)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 `)
	// A fixed size that style sheets may shrink (max-inline-size: 100%), so
	// the labels keep their size on a wide screen.
	b.WriteString(itoa(c.Width) + " " + itoa(c.Height) + `" width="` + itoa(c.Width) + `" height="` + itoa(c.Height) + `"`)
	b.WriteString(` aria-labelledby="` + id + `-title ` + id + `-desc"`)
	if c.RTL {
		b.WriteString(` direction="rtl"`)
	}
	b.WriteString(`><title id="` + id + `-title">` + esc(c.Title) + `</title><desc id="` + id + `-desc">` + esc(c.Desc) + `</desc>`)

	// Grid lines and value labels.
	b.WriteString(`<g class="chart-grid" aria-hidden="true">`)
	for _, t := range ticks {
		ty := f(y(t))
		b.WriteString(`<line x1="` + f(left) + `" x2="` + f(right) + `" y1="` + ty + `" y2="` + ty + `" stroke="#e3e7ee"/>`)
		b.WriteString(`<text x="` + f(labelX) + `" y="` + ty + `" dy="0.32em" text-anchor="` + anchor + `" font-size="11" fill="#5b6472">` + esc(c.Format(t)) + `</text>`)
	}
	b.WriteString(`<line x1="` + f(axisX) + `" x2="` + f(axisX) + `" y1="` + itoa(padTop) + `" y2="` + f(float64(padTop)+plotH) + `" stroke="#9aa3b2"/>`)
	// Time labels: at most about maxXLabel, evenly spaced.
	step := max(1, (n+maxXLabel-1)/maxXLabel)
	for i := 0; i < n; i++ {
		// Every step-th label, and the last one unless it would crowd its neighbour.
		if i%step != 0 && (i != n-1 || (n-1)%step < (step+1)/2) {
			continue
		}
		b.WriteString(`<text x="` + f(x(i)) + `" y="` + itoa(c.Height-padBottom+16) + `" text-anchor="middle" font-size="11" fill="#5b6472">` + esc(c.Labels[i]) + `</text>`)
	}
	b.WriteString(`</g>`)

	if c.Target != nil && !math.IsNaN(*c.Target) {
		ty := f(y(*c.Target))
		// The label sits at the far end of the line from the value axis.
		tx := right - 2
		if c.RTL {
			tx = left + 2
		}
		b.WriteString(`<g class="chart-target"><line x1="` + f(left) + `" x2="` + f(right) + `" y1="` + ty + `" y2="` + ty + `" stroke="#b45309" stroke-dasharray="6 4" stroke-width="1.5"/>`)
		b.WriteString(`<text x="` + f(tx) + `" y="` + ty + `" dy="-4" text-anchor="` + anchor + `" font-size="11" fill="#b45309">` + esc(c.TargetLabel) + `</text></g>`)
	}

	var base []float64 // the stacked bars' tops so far
	if c.Stacked && c.Kind == Bar {
		base = make([]float64, n)
	}
	for si, s := range c.Series {
		color := palette[si%len(palette)]
		b.WriteString(`<g class="chart-series chart-series-` + itoa(si) + `">`)
		b.WriteString(`<title>` + esc(s.Name) + `</title>`)
		switch c.Kind {
		case Bar:
			if base != nil {
				bw := slot * 0.7
				for i, v := range s.Values {
					if i >= n || v == nil || *v <= 0 {
						continue
					}
					top, bottom := y(base[i]+*v), y(base[i])
					base[i] += *v
					b.WriteString(`<rect x="` + f(x(i)-bw/2) + `" y="` + f(top) + `" width="` + f(math.Max(bw, 1)) + `" height="` + f(math.Max(bottom-top, 0.5)) + `" fill="` + color + `">`)
					b.WriteString(`<title>` + esc(label(c, i)+" · "+s.Name+": "+c.Format(*v)) + `</title></rect>`)
				}
				break
			}
			groups := max(len(c.Series), 1)
			bw := slot * 0.8 / float64(groups)
			for i, v := range s.Values {
				if i >= n || v == nil {
					continue
				}
				left := x(i) - slot*0.4 + bw*float64(si)
				if c.RTL {
					left = x(i) + slot*0.4 - bw*float64(si+1)
				}
				top, base := y(math.Max(*v, lo)), y(math.Max(lo, math.Min(0, hi)))
				if top > base {
					top, base = base, top
				}
				b.WriteString(`<rect x="` + f(left) + `" y="` + f(top) + `" width="` + f(math.Max(bw-1, 1)) + `" height="` + f(math.Max(base-top, 0.5)) + `" fill="` + color + `"`)
				if s.Dashed {
					b.WriteString(` fill-opacity="0.45"`)
				}
				b.WriteString(`><title>` + esc(label(c, i)+": "+c.Format(*v)) + `</title></rect>`)
			}
		default:
			var path strings.Builder
			pen := false
			for i, v := range s.Values {
				if i >= n || v == nil {
					pen = false
					continue
				}
				if pen {
					path.WriteString(" L")
				} else {
					path.WriteString(" M")
				}
				path.WriteString(f(x(i)) + " " + f(y(*v)))
				pen = true
			}
			if path.Len() > 0 {
				b.WriteString(`<path d="` + strings.TrimSpace(path.String()) + `" fill="none" stroke="` + color + `" stroke-width="2"`)
				if s.Dashed {
					b.WriteString(` stroke-dasharray="5 4"`)
				}
				b.WriteString(`/>`)
			}
			for i, v := range s.Values {
				// A dashed series (a projection, a previous period) is a line
				// only: its points would hide the measured ones.
				if i >= n || v == nil || (s.Dashed && !lone(s.Values, i)) {
					continue
				}
				b.WriteString(`<circle cx="` + f(x(i)) + `" cy="` + f(y(*v)) + `" r="3" fill="` + color + `"><title>` + esc(label(c, i)+": "+c.Format(*v)) + `</title></circle>`)
			}
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: every text above went through HTMLEscapeString
}

// palette: teal, indigo, amber, rose — distinguishable for the common colour
// blindnesses, and dashes mark projections for those who see no colour —
// then sky, violet, olive and grey for the charts with more parts (a
// stacked chart's legend and each bar's title name them as well).
var palette = []string{"#0f766e", "#4338ca", "#b45309", "#be123c", "#0369a1", "#7c3aed", "#4d7c0f", "#6b7280"}

// Colors returns the colour of each series, for a legend beside the chart.
func Colors(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = palette[i%len(palette)]
	}
	return out
}

// finite drops NaN and infinite values (no data), which would otherwise
// write "NaN" into a coordinate and break the whole figure.
func finite(ss []Series) []Series {
	out := make([]Series, len(ss))
	for i, s := range ss {
		out[i] = s
		out[i].Values = make([]*float64, len(s.Values))
		for j, v := range s.Values {
			if v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) {
				out[i].Values[j] = v
			}
		}
	}
	return out
}

// lone reports whether the i-th value has no neighbour to draw a line to.
func lone(vs []*float64, i int) bool {
	return (i == 0 || vs[i-1] == nil) && (i == len(vs)-1 || vs[i+1] == nil)
}

func label(c Chart, i int) string {
	if i < len(c.Labels) {
		return c.Labels[i]
	}
	return ""
}

// bounds is the range of every value and the target, always including 0 for
// bars (a bar's length is its value).
func bounds(c Chart) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if c.Stacked && c.Kind == Bar {
		for i := range c.Labels {
			total := 0.0
			for _, s := range c.Series {
				if i < len(s.Values) && s.Values[i] != nil && *s.Values[i] > 0 {
					total += *s.Values[i]
				}
			}
			see(total)
		}
	} else {
		for _, s := range c.Series {
			for _, v := range s.Values {
				if v != nil {
					see(*v)
				}
			}
		}
	}
	if c.Target != nil {
		see(*c.Target)
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	if c.Kind == Bar || lo > 0 && lo < hi/2 {
		lo = math.Min(lo, 0) // counts and percentages read best from zero
	}
	if lo == hi {
		if lo == 0 {
			return 0, 1
		}
		return math.Min(0, lo), math.Max(0, hi)
	}
	return lo, hi
}

// niceTicks returns about n+1 round values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	span := hi - lo
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	start := math.Floor(lo/step) * step
	var out []float64
	for v := start; v < hi+step*0.999; v += step {
		out = append(out, math.Round(v/step)*step)
		if len(out) > 20 {
			break
		}
	}
	if len(out) < 2 {
		out = append(out, start+step)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// f writes a coordinate with one decimal, which is finer than a pixel.
func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
