package outreach

import (
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func mustQuiet(t *testing.T, spec string, loc *time.Location) QuietHours {
	t.Helper()
	q, err := ParseQuietHours(spec, loc)
	if err != nil {
		t.Fatalf("ParseQuietHours(%q): %v", spec, err)
	}
	return q
}

func TestHolidayEasterSunday(t *testing.T) {
	tests := []struct {
		year  int
		month time.Month
		day   int
	}{
		{1961, time.April, 2},
		{2000, time.April, 23},
		{2008, time.March, 23},
		{2011, time.April, 24},
		{2019, time.April, 21},
		{2024, time.March, 31},
		{2025, time.April, 20},
		{2026, time.April, 5},
		{2027, time.March, 28},
		{2038, time.April, 25},
		{2285, time.March, 22}, // earliest possible
	}
	for _, tt := range tests {
		want := time.Date(tt.year, tt.month, tt.day, 0, 0, 0, 0, time.UTC)
		if got := EasterSunday(tt.year); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("EasterSunday(%d) = %v, want %v", tt.year, got, want)
		}
	}
}

func TestIsFrenchPublicHoliday(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	tests := []struct {
		date string
		want bool
	}{
		{"2026-01-01", true},
		{"2026-04-05", false}, // Easter Sunday itself: a Sunday, not a holiday
		{"2026-04-06", true},  // Easter Monday
		{"2026-05-01", true},
		{"2026-05-08", true},
		{"2026-05-14", true}, // Ascension
		{"2026-05-25", true}, // Whit Monday
		{"2026-07-14", true},
		{"2026-08-15", true},
		{"2026-11-01", true},
		{"2026-11-11", true},
		{"2026-12-25", true},
		{"2026-12-26", false},
		{"2026-04-03", false}, // Good Friday: Alsace-Moselle only
		{"2025-04-21", true},  // Easter Monday 2025
		{"2025-05-29", true},  // Ascension 2025
		{"2025-06-09", true},  // Whit Monday 2025
		{"2025-06-10", false},
		{"2024-04-01", true}, // Easter Monday 2024
		{"2027-03-29", true}, // Easter Monday 2027
		{"2026-03-02", false},
	}
	for _, tt := range tests {
		d, err := time.ParseInLocation("2006-01-02", tt.date, paris)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{d, d.Add(23*time.Hour + 59*time.Minute)} {
			if got := IsFrenchPublicHoliday(at); got != tt.want {
				t.Errorf("IsFrenchPublicHoliday(%v) = %v, want %v", at, got, tt.want)
			}
		}
	}
	// The date is read in t's location: 30 April 23:30 in Paris is 1 May in Tokyo.
	at := time.Date(2026, time.April, 30, 23, 30, 0, 0, paris)
	if IsFrenchPublicHoliday(at) || !IsFrenchPublicHoliday(at.In(mustLoad(t, "Asia/Tokyo"))) {
		t.Errorf("IsFrenchPublicHoliday should use the date in t's location")
	}
}

func TestParseQuietHours(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	tests := []struct {
		spec    string
		want    string // String(), or "" for an error
		wantErr string // part of the error message
	}{
		{spec: "20:00-08:00", want: "20:00-08:00"},
		{spec: " 21:30 - 7:05 ", want: "21:30-07:05"},
		{spec: "12:00-14:00", want: "12:00-14:00"},
		{spec: "00:00-08:00", want: "00:00-08:00"},
		{spec: "off", want: "off"},
		{spec: "OFF", want: "off"},
		{spec: "25:00-08:00", wantErr: "hour 25 out of range"},
		{spec: "20:00-08:60", wantErr: "minute 60 out of range"},
		{spec: "20:00", wantErr: `want "HH:MM-HH:MM" or "off"`},
		{spec: "abc", wantErr: `want "HH:MM-HH:MM" or "off"`},
		{spec: "", wantErr: `want "HH:MM-HH:MM" or "off"`},
		{spec: "20:00-20:00", wantErr: "start and end are equal"},
		{spec: "20h00-08h00", wantErr: "is not HH:MM"},
		{spec: "20:0-08:00", wantErr: "is not HH:MM"},
		{spec: "+8:00-09:00", wantErr: "is not HH:MM"},
		{spec: "-1:00-08:00", wantErr: "is not HH:MM"},
		{spec: "20:00-08:00-09:00", wantErr: "is not HH:MM"},
	}
	for _, tt := range tests {
		q, err := ParseQuietHours(tt.spec, paris)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseQuietHours(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseQuietHours(%q): %v", tt.spec, err)
			continue
		}
		if q.String() != tt.want || q.Off() != (tt.want == "off") {
			t.Errorf("ParseQuietHours(%q) = %q (off %v), want %q", tt.spec, q, q.Off(), tt.want)
		}
	}
	if _, err := ParseQuietHours("20:00-08:00", nil); err == nil {
		t.Errorf("ParseQuietHours without a time zone: want an error")
	}
}

func TestQuietHoursNextAllowed(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	night := mustQuiet(t, "20:00-08:00", paris)
	lunch := mustQuiet(t, "12:00-14:00", paris)
	early := mustQuiet(t, "00:00-08:00", paris)
	tests := []struct {
		name string
		q    QuietHours
		t    time.Time
		want time.Time
	}{
		{"Saturday 19:59 allowed", night, at(2026, 3, 7, 19, 59), at(2026, 3, 7, 19, 59)},
		{"Saturday 19:59:59 allowed", night, at(2026, 3, 7, 19, 59).Add(59 * time.Second), at(2026, 3, 7, 19, 59).Add(59 * time.Second)},
		{"Saturday 20:00 skips Sunday", night, at(2026, 3, 7, 20, 0), at(2026, 3, 9, 8, 0)},
		{"Sunday noon", night, at(2026, 3, 8, 12, 0), at(2026, 3, 9, 8, 0)},
		{"Monday 07:59", night, at(2026, 3, 9, 7, 59), at(2026, 3, 9, 8, 0)},
		{"Monday 08:00 allowed", night, at(2026, 3, 9, 8, 0), at(2026, 3, 9, 8, 0)},
		{"Friday 23:00", night, at(2026, 3, 6, 23, 0), at(2026, 3, 7, 8, 0)},
		{"Wednesday 03:00", night, at(2026, 3, 4, 3, 0), at(2026, 3, 4, 8, 0)},
		{"Thursday night before 1 May on a Friday", night, at(2026, 4, 30, 21, 0), at(2026, 5, 2, 8, 0)},
		{"1 May on a Friday, noon", night, at(2026, 5, 1, 12, 0), at(2026, 5, 2, 8, 0)},
		{"Saturday night before Easter Monday", night, at(2026, 4, 4, 22, 0), at(2026, 4, 7, 8, 0)},
		{"Easter Monday noon", night, at(2026, 4, 6, 12, 0), at(2026, 4, 7, 8, 0)},
		{"Saturday night before Whit Monday", night, at(2026, 5, 23, 20, 30), at(2026, 5, 26, 8, 0)},
		{"Christmas Eve on a Thursday", night, at(2026, 12, 24, 20, 0), at(2026, 12, 26, 8, 0)},
		{"New Year's Eve", night, at(2025, 12, 31, 20, 0), at(2026, 1, 2, 8, 0)},
		{"lunch window", lunch, at(2026, 3, 4, 13, 0), at(2026, 3, 4, 14, 0)},
		{"lunch window Saturday night allowed", lunch, at(2026, 3, 7, 23, 0), at(2026, 3, 7, 23, 0)},
		{"lunch window after Sunday: midnight", lunch, at(2026, 3, 8, 9, 0), at(2026, 3, 9, 0, 0)},
		{"quiet from midnight", early, at(2026, 3, 8, 9, 0), at(2026, 3, 9, 8, 0)},
		{"spring forward weekend", night, at(2025, 3, 29, 20, 30), at(2025, 3, 31, 8, 0)},
		{"fall back weekend", night, at(2025, 10, 25, 22, 0), at(2025, 10, 27, 8, 0)},
		{"input in UTC", night, time.Date(2026, 3, 6, 19, 30, 0, 0, time.UTC), at(2026, 3, 7, 8, 0)},
	}
	for _, tt := range tests {
		got := tt.q.NextAllowed(tt.t)
		if !got.Equal(tt.want) {
			t.Errorf("%s: %s.NextAllowed(%v) = %v, want %v", tt.name, tt.q, tt.t, got, tt.want)
		}
		if allowed := tt.q.Allowed(tt.t); allowed != tt.t.Equal(tt.want) {
			t.Errorf("%s: Allowed(%v) = %v", tt.name, tt.t, allowed)
		}
		if !tt.q.Allowed(got) {
			t.Errorf("%s: NextAllowed returned %v, which is not allowed", tt.name, got)
		}
		if !got.Equal(tt.t) && tt.q.Allowed(got.Add(-time.Nanosecond)) {
			t.Errorf("%s: %v is allowed too, NextAllowed is not the first", tt.name, got.Add(-time.Nanosecond))
		}
	}
	// Across daylight saving the gap is counted in real time.
	if d := night.NextAllowed(at(2025, 3, 29, 21, 0)).Sub(at(2025, 3, 29, 21, 0)); d != 34*time.Hour {
		t.Errorf("spring forward: waited %v, want 34h", d)
	}
	if d := night.NextAllowed(at(2025, 10, 25, 21, 0)).Sub(at(2025, 10, 25, 21, 0)); d != 36*time.Hour {
		t.Errorf("fall back: waited %v, want 36h", d)
	}
	if loc := night.NextAllowed(time.Date(2026, 3, 6, 23, 0, 0, 0, time.UTC)).Location(); loc != paris {
		t.Errorf("NextAllowed location = %v, want %v", loc, paris)
	}
}

// TestQuietHoursDSTGap checks a window ending in the hour skipped by a
// spring-forward change on a working day (Israel: Friday 28 March 2025,
// 02:00 -> 03:00).
func TestQuietHoursDSTGap(t *testing.T) {
	jerusalem := mustLoad(t, "Asia/Jerusalem")
	q := mustQuiet(t, "22:00-02:30", jerusalem)
	from := time.Date(2025, time.March, 27, 23, 0, 0, 0, jerusalem)
	want := time.Date(2025, time.March, 28, 3, 0, 0, 0, jerusalem) // the instant clocks jump past 02:30
	if got := q.NextAllowed(from); !got.Equal(want) {
		t.Errorf("NextAllowed(%v) = %v, want %v", from, got, want)
	}
}

func TestQuietHoursWallClock(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	newYork := mustLoad(t, "America/New_York")
	tests := []struct {
		name          string
		loc           *time.Location
		y             int
		m             time.Month
		d, h, min     int
		wantUTC       time.Time
		wantWallClock string
	}{
		{"plain", paris, 2026, 3, 4, 8, 0, time.Date(2026, 3, 4, 7, 0, 0, 0, time.UTC), "08:00"},
		{"skipped, east of UTC", paris, 2025, 3, 30, 2, 30, time.Date(2025, 3, 30, 1, 0, 0, 0, time.UTC), "03:00"},
		{"skipped, west of UTC", newYork, 2025, 3, 9, 2, 30, time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC), "03:00"},
		{"repeated, east of UTC", paris, 2025, 10, 26, 2, 30, time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC), "02:30"},
		{"repeated, west of UTC", newYork, 2025, 11, 2, 1, 30, time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC), "01:30"},
	}
	for _, tt := range tests {
		got := wallClock(tt.y, tt.m, tt.d, tt.h, tt.min, tt.loc)
		if !got.Equal(tt.wantUTC) || got.In(tt.loc).Format("15:04") != tt.wantWallClock {
			t.Errorf("%s: wallClock = %v (%v), want %v", tt.name, got, got.UTC(), tt.wantUTC)
		}
	}
}

func TestQuietHoursOff(t *testing.T) {
	q := mustQuiet(t, "off", nil)
	paris := mustLoad(t, "Europe/Paris")
	for _, at := range []time.Time{
		time.Date(2026, 3, 8, 3, 0, 0, 0, paris),    // Sunday night
		time.Date(2026, 12, 25, 23, 0, 0, 0, paris), // Christmas
		time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
	} {
		if !q.Allowed(at) || !q.NextAllowed(at).Equal(at) {
			t.Errorf("off: %v not allowed", at)
		}
	}
}

func TestQuietHoursZeroValue(t *testing.T) {
	var q QuietHours
	sunday := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	monday := time.Date(2026, 3, 9, 3, 0, 0, 0, time.UTC)
	if q.Off() || q.Allowed(sunday) || !q.Allowed(monday) {
		t.Errorf("zero QuietHours: off %v, Sunday allowed %v, Monday 03:00 allowed %v", q.Off(), q.Allowed(sunday), q.Allowed(monday))
	}
	if got, want := q.NextAllowed(sunday), time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("zero QuietHours: NextAllowed(Sunday) = %v, want %v", got, want)
	}
}
