package i18n

import "time"

// jalaliBreaks are the Jalali years in which the 33-year leap cycle shifts
// (Borkowski's algorithm, as used by jalaali-js). With them the arithmetic
// matches the astronomical Solar Hijri calendar for 1178–1633 AP
// (1799–2254 AD), which plain 33-year arithmetic does not.
var jalaliBreaks = [...]int{
	-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178,
}

// toJalali converts a Gregorian calendar date to a Jalali (Solar Hijri) one.
// ok is false outside the years the break table covers.
func toJalali(gy int, gm time.Month, gd int) (jy, jm, jd int, ok bool) {
	jy = gy - 621
	march, sinceLeap, ok := jalaliYear(jy)
	if !ok {
		return 0, 0, 0, false
	}
	// Days since 1 Farvardin of jy, which falls on March <march> of gy.
	k := civilDay(gy, gm, gd) - civilDay(gy, time.March, march)
	if k >= 0 {
		if k <= 185 { // the first six months have 31 days
			return jy, 1 + k/31, 1 + k%31, true
		}
		k -= 186
	} else {
		// Still in the previous Jalali year; its Esfand has 30 days if it
		// was a leap year, i.e. if jy is the first year after a leap year.
		jy--
		k += 179
		if sinceLeap == 1 {
			k++
		}
	}
	return jy, 7 + k/30, 1 + k%30, true
}

// jalaliYear returns the day in March of gy=jy+621 on which Jalali year jy
// begins, and how many years have passed since the last leap year
// (0 means jy itself is a leap year).
func jalaliYear(jy int) (march, sinceLeap int, ok bool) {
	bl := len(jalaliBreaks)
	if jy < jalaliBreaks[0] || jy >= jalaliBreaks[bl-1] {
		return 0, 0, false
	}
	gy := jy + 621
	leapJ := -14
	jp := jalaliBreaks[0]
	var jump int
	for i := 1; i < bl; i++ {
		jm := jalaliBreaks[i]
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + jump%33/4
		jp = jm
	}
	n := jy - jp
	// Leap years from 621 AD to the start of jy, in both calendars.
	leapJ += n/33*8 + (n%33+3)/4
	if jump%33 == 4 && jump-n == 4 {
		leapJ++
	}
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march = 20 + leapJ - leapG

	if jump-n < 6 {
		n = n - jump + (jump+4)/33*33
	}
	sinceLeap = ((n+1)%33 - 1) % 4
	if sinceLeap == -1 {
		sinceLeap = 4
	}
	return march, sinceLeap, true
}

// civilDay counts days since 1970-01-01 for a proleptic Gregorian date.
func civilDay(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
