package i18n

import "time"

// Relative describes t as seen from now: "3 minutes ago", "3 menit yang
// lalu", "۳ دقیقه پیش", or for a future t "in 2 hours", "dalam 2 jam",
// "۲ ساعت دیگر". Under five seconds it says "just now" (or "in a moment").
//
// Each step is floored, so "1 hour ago" lasts until two hours have passed;
// months are 30 days and years 365, which is as precise as such text needs.
// The result fits sentences such as auth.throttled ("try again {when}").
func Relative(locale string, t, now time.Time) string {
	d := now.Sub(t)
	past := d >= 0
	if !past {
		d = -d
	}
	if d < 5*time.Second {
		if past {
			return T(locale, "time.just_now")
		}
		return T(locale, "time.in_a_moment")
	}

	var unit string
	var n int64
	switch days := int64(d / (24 * time.Hour)); {
	case d < time.Minute:
		unit, n = "seconds", int64(d/time.Second)
	case d < time.Hour:
		unit, n = "minutes", int64(d/time.Minute)
	case d < 24*time.Hour:
		unit, n = "hours", int64(d/time.Hour)
	case days < 30:
		unit, n = "days", days
	case days < 365:
		unit, n = "months", days/30
	default:
		unit, n = "years", days/365
	}
	if past {
		return T(locale, "time."+unit+"_ago", "count", n)
	}
	return T(locale, "time.in_"+unit, "count", n)
}
