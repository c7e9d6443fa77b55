package i18n

import (
	"fmt"
	"time"
)

var (
	persianMonths = [12]string{
		"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
		"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
	}
	indonesianMonths = [12]string{
		"Januari", "Februari", "Maret", "April", "Mei", "Juni",
		"Juli", "Agustus", "September", "Oktober", "November", "Desember",
	}
)

// FormatDate writes the calendar date of t as seen in loc (nil keeps t's own
// location): "Nov 23, 2026", "23 November 2026", or in the Solar Hijri
// calendar with Persian digits, "۲ آذر ۱۴۰۵".
//
// The month names live here rather than in the catalogs because each belongs
// to one calendar, not to every locale.
func FormatDate(locale string, t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	switch Normalize(locale) {
	case "fa":
		return jalaliDate(t)
	case "id":
		return fmt.Sprintf("%d %s %d", t.Day(), indonesianMonths[t.Month()-1], t.Year())
	default:
		return t.Format("Jan 2, 2006")
	}
}

// FormatDateTime is FormatDate followed by the wall-clock time in loc:
// "Nov 23, 2026, 2:05 PM", "23 November 2026 14.05" (Indonesian writes the
// time with a period), "۲ آذر ۱۴۰۵، ساعت ۱۴:۰۵".
func FormatDateTime(locale string, t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	date := FormatDate(locale, t, nil)
	switch Normalize(locale) {
	case "fa":
		return date + "، ساعت " + persianDigits(t.Format("15:04"))
	case "id":
		return date + " " + t.Format("15.04")
	default:
		return date + ", " + t.Format("3:04 PM")
	}
}

func jalaliDate(t time.Time) string {
	jy, jm, jd, ok := toJalali(t.Date())
	if !ok { // outside the calendar table: ISO Gregorian rather than nonsense
		return persianDigits(t.Format("2006-01-02"))
	}
	return persianDigits(fmt.Sprintf("%d %s %d", jd, persianMonths[jm-1], jy))
}
