package outreach

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// QuietHours says when SMS must not be sent, so that job seekers are not
// disturbed at night, on Sundays or on public holidays (AF2M charter: working
// days, Monday to Saturday, at decent hours).
//
// Build it with ParseQuietHours. The zero value has no nightly window but
// keeps Sundays and French public holidays quiet, in UTC.
type QuietHours struct {
	off        bool
	start, end int // quiet from start to end, minutes after midnight; may wrap midnight
	loc        *time.Location
}

// ParseQuietHours reads a quiet window "HH:MM-HH:MM" in tz, e.g.
// "20:00-08:00" (quiet from 20:00 to 08:00 the next morning). Outside the
// window, Sundays and French public holidays are quiet all day. "off" lifts
// every restriction, Sundays and holidays included: for demos and tests only.
func ParseQuietHours(spec string, tz *time.Location) (QuietHours, error) {
	s := strings.TrimSpace(spec)
	if strings.EqualFold(s, "off") {
		return QuietHours{off: true, loc: tz}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want \"HH:MM-HH:MM\" or \"off\"", spec)
	}
	start, err := parseClock(from)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: start: %w", spec, err)
	}
	end, err := parseClock(to)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: end: %w", spec, err)
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("quiet hours %q: start and end are equal", spec)
	}
	if tz == nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: no time zone", spec)
	}
	return QuietHours{start: start, end: end, loc: tz}, nil
}

// parseClock reads "HH:MM" (or "H:MM") as minutes after midnight.
func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if errH != nil || errM != nil || h < 0 || m < 0 || hh[0] == '+' || mm[0] == '+' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if h > 23 {
		return 0, fmt.Errorf("hour %d out of range 00-23", h)
	}
	if m > 59 {
		return 0, fmt.Errorf("minute %d out of range 00-59", m)
	}
	return h*60 + m, nil
}

// Off reports whether every restriction is lifted.
func (q QuietHours) Off() bool { return q.off }

// String gives the spec ParseQuietHours reads back: "off" or "HH:MM-HH:MM".
func (q QuietHours) String() string {
	if q.off {
		return "off"
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.start/60, q.start%60, q.end/60, q.end%60)
}

func (q QuietHours) location() *time.Location {
	if q.loc == nil {
		return time.UTC
	}
	return q.loc
}

// Allowed reports whether an SMS may be sent at t.
func (q QuietHours) Allowed(t time.Time) bool {
	if q.off {
		return true
	}
	t = t.In(q.location())
	if t.Weekday() == time.Sunday || IsFrenchPublicHoliday(t) {
		return false
	}
	return !q.inWindow(t.Hour()*60 + t.Minute())
}

// inWindow reports whether the minute after midnight m is in the nightly
// quiet window.
func (q QuietHours) inWindow(m int) bool {
	if q.start < q.end {
		return q.start <= m && m < q.end
	}
	if q.start > q.end {
		return m >= q.start || m < q.end
	}
	return false
}

// NextAllowed returns t if an SMS may be sent at t, else the first instant
// after t when one may, in the quiet hours' time zone: the end of the quiet
// window on the next working day, counted on the wall clock, across
// daylight saving changes.
func (q QuietHours) NextAllowed(t time.Time) time.Time {
	if q.Allowed(t) {
		return t
	}
	loc := q.location()
	local := t.In(loc)
	y, mo, d := local.Date()
	// Allowed stretches begin at midnight (after a closed day) or at the end
	// of the nightly window: try those, day after day.
	for i := 0; i <= 14; i++ {
		for _, m := range []int{0, q.end} {
			c := wallClock(y, mo, d+i, m/60, m%60, loc)
			if c.After(t) && q.Allowed(c) {
				return c
			}
		}
	}
	return t // unreachable: at most a few days in a row are closed
}

// wallClock returns the first instant of the given day whose wall clock in
// loc reads h:m or later. time.Date alone may pick either side of a daylight
// saving change: when h:m is skipped (spring forward), this is the instant
// the clocks jump; when it happens twice (fall back), the first time.
func wallClock(y int, mo time.Month, d, h, m int, loc *time.Location) time.Time {
	want := time.Date(y, mo, d, h, m, 0, 0, time.UTC) // the wall clock, as a comparable value
	c := time.Date(y, mo, d, h, m, 0, 0, loc)
	got := wallAsUTC(c)
	switch {
	case got.Before(want): // skipped, moved back before the jump
		_, end := c.ZoneBounds()
		return end
	case got.After(want): // skipped, moved past the jump
		start, _ := c.ZoneBounds()
		return start
	}
	// Repeated: the same wall clock in the previous zone period comes first.
	start, _ := c.ZoneBounds()
	if start.IsZero() {
		return c
	}
	_, offset := c.Zone()
	_, before := start.Add(-time.Nanosecond).Zone()
	if earlier := c.Add(time.Duration(offset-before) * time.Second); before > offset && earlier.Before(start) && wallAsUTC(earlier).Equal(want) {
		return earlier
	}
	return c
}

// wallAsUTC returns t's wall clock read as a UTC time, to compare wall clocks.
func wallAsUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// EasterSunday returns the date of Easter Sunday in the Gregorian calendar
// for year, at midnight UTC (anonymous Gregorian algorithm, Meeus/Jones/
// Butcher).
func EasterSunday(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// IsFrenchPublicHoliday reports whether the date of t, in t's location, is a
// French national public holiday: 1 January, Easter Monday, 1 May, 8 May,
// Ascension, Whit Monday, 14 July, 15 August, 1 November, 11 November or
// 25 December. Alsace-Moselle's extra days (Good Friday, 26 December) are
// not included.
func IsFrenchPublicHoliday(t time.Time) bool {
	y, m, d := t.Date()
	switch {
	case m == time.January && d == 1,
		m == time.May && (d == 1 || d == 8),
		m == time.July && d == 14,
		m == time.August && d == 15,
		m == time.November && (d == 1 || d == 11),
		m == time.December && d == 25:
		return true
	}
	easter := EasterSunday(y)
	for _, offset := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		hy, hm, hd := easter.AddDate(0, 0, offset).Date()
		if hy == y && hm == m && hd == d {
			return true
		}
	}
	return false
}
