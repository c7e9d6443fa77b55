package kpi

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// A KPI's name in reports, whether a higher value is better, and its value.
type metric struct {
	higherBetter bool
	value        func(Result) *float64
}

func count(f func(Result) int) func(Result) *float64 {
	return func(r Result) *float64 { v := float64(f(r)); return &v }
}

var metrics = map[string]metric{
	"created":                           {true, count(func(r Result) int { return r.Created })},
	"resolved":                          {true, count(func(r Result) int { return r.Resolved })},
	"reopened":                          {false, count(func(r Result) int { return r.Reopened })},
	"backlog":                           {false, count(func(r Result) int { return r.Backlog })},
	"first_response_avg_hours":          {false, func(r Result) *float64 { return r.FirstResponseAvgHours }},
	"first_response_median_hours":       {false, func(r Result) *float64 { return r.FirstResponseMedianHours }},
	"first_response_business_avg_hours": {false, func(r Result) *float64 { return r.FirstResponseBusinessAvgHours }},
	"resolution_avg_hours":              {false, func(r Result) *float64 { return r.ResolutionAvgHours }},
	"resolution_median_hours":           {false, func(r Result) *float64 { return r.ResolutionMedianHours }},
	"fcr_percent":                       {true, func(r Result) *float64 { return r.FCRPercent }},
	"escalation_percent":                {false, func(r Result) *float64 { return r.EscalationPercent }},
	"transfer_percent":                  {false, func(r Result) *float64 { return r.TransferPercent }},
	"transfer_events":                   {false, count(func(r Result) int { return r.TransferEvents })},
	"handling_avg_minutes":              {false, func(r Result) *float64 { return r.HandlingAvgMinutes }},
	"chat_asa_seconds":                  {false, func(r Result) *float64 { return r.ChatASASeconds }},
	"chat_abandon_percent":              {false, func(r Result) *float64 { return r.ChatAbandonPercent }},
	"sla_attainment_percent":            {true, func(r Result) *float64 { return r.SLAAttainmentPercent }},
	"csat_percent":                      {true, func(r Result) *float64 { return r.CSATPercent }},
	"nps":                               {true, func(r Result) *float64 { return r.NPS }},
	"ces_average":                       {true, func(r Result) *float64 { return r.CESAverage }},
	"retention_percent":                 {true, func(r Result) *float64 { return r.RetentionPercent }},
	"deflections":                       {true, count(func(r Result) int { return r.Deflections })},
	"deflection_percent":                {true, func(r Result) *float64 { return r.DeflectionPercent }},
}

// Unit says how a KPI is written: hours, percent, minutes, seconds, score
// (NPS), average (CES) or count. The pages and the digest format by it.
func Unit(name string) string {
	switch {
	case strings.HasSuffix(name, "_hours"):
		return "hours"
	case strings.HasSuffix(name, "_percent"):
		return "percent"
	case strings.HasSuffix(name, "_minutes"):
		return "minutes"
	case strings.HasSuffix(name, "_seconds"):
		return "seconds"
	case name == "nps":
		return "score"
	case name == "ces_average":
		return "average"
	}
	return "count"
}

// Names lists every KPI, sorted.
func Names() []string { return slices.Sorted(maps.Keys(metrics)) }

// Known reports whether name is a KPI.
func Known(name string) bool { _, ok := metrics[name]; return ok }

// HigherIsBetter reports whether a rise of the KPI is an improvement.
func HigherIsBetter(name string) bool { return metrics[name].higherBetter }

// Value returns a KPI of a result by name (nil: no data or unknown name).
func Value(r Result, name string) *float64 {
	m, ok := metrics[name]
	if !ok {
		return nil
	}
	return m.value(r)
}

// Pairs are KPIs that must move together: improving one at the cost of the
// other is not progress.
var Pairs = [][2]string{
	{"resolution_avg_hours", "csat_percent"},
	{"first_response_avg_hours", "csat_percent"},
	{"fcr_percent", "handling_avg_minutes"},
	{"nps", "retention_percent"},
}

// Warning says that one KPI of a pair improved while its partner worsened.
type Warning struct {
	Improved string  `json:"improved"`
	Worsened string  `json:"worsened"`
	Change   float64 `json:"improved_change"` // current − previous
	Partner  float64 `json:"worsened_change"`
}

// trend is +1 improved, −1 worsened, 0 unchanged or unknown.
func trend(name string, cur, prev Result) (int, float64) {
	c, p := Value(cur, name), Value(prev, name)
	if c == nil || p == nil || *c == *p {
		return 0, 0
	}
	d := *c - *p
	if (d > 0) == HigherIsBetter(name) {
		return 1, d
	}
	return -1, d
}

// PairWarnings compares a period with the previous one.
func PairWarnings(cur, prev Result) []Warning {
	out := []Warning{}
	for _, pr := range Pairs {
		ta, da := trend(pr[0], cur, prev)
		tb, db := trend(pr[1], cur, prev)
		switch {
		case ta > 0 && tb < 0:
			out = append(out, Warning{Improved: pr[0], Worsened: pr[1], Change: da, Partner: db})
		case tb > 0 && ta < 0:
			out = append(out, Warning{Improved: pr[1], Worsened: pr[0], Change: db, Partner: da})
		}
	}
	return out
}

// Agree reports whether two figures of one KPI are the same up to float
// rounding: the replay and the rollups add the same numbers in different
// orders, so their last bits may differ.
func Agree(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*b))
}
