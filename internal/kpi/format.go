package kpi

import (
	"math"

	"layan/internal/i18n"
)

// Format writes a KPI's value with its unit in the locale's words and digits
// (the pages, the reports and the digest alike); "—" when there is no figure.
func Format(locale, name string, v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return "—"
	}
	return FormatValue(locale, name, *v)
}

// FormatValue writes v as a value of the KPI name (a target, a difference).
func FormatValue(locale, name string, v float64) string {
	switch u := Unit(name); u {
	case "hours", "percent", "minutes":
		return i18n.T(locale, "measure.unit."+u, "n", i18n.Decimal(locale, v, 1))
	case "seconds":
		return i18n.T(locale, "measure.unit.seconds", "n", i18n.Decimal(locale, v, 0))
	case "average":
		return i18n.Decimal(locale, v, 2)
	case "score":
		return i18n.Decimal(locale, v, 0)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return i18n.Integer(locale, int(v))
	}
	return i18n.Decimal(locale, v, 1)
}
