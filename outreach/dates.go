package outreach

import (
	"strings"
	"time"
)

// Dates without a time of day (a job seeker's availability, an offer's
// start) travel as "YYYY-MM-DD" and are kept as 00:00 UTC of that day.

// Dates outside these years are taken for typing mistakes.
const (
	minDateYear = 2000
	maxDateYear = 2099
)

// parseDate reads an optional date given as "YYYY-MM-DD"; empty gives the
// zero time.
func parseDate(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid(field, "%q is not a date as YYYY-MM-DD, e.g. 2025-09-01", s)
	}
	if d.Year() < minDateYear || d.Year() > maxDateYear {
		return time.Time{}, invalid(field, "must be between %d-01-01 and %d-12-31", minDateYear, maxDateYear)
	}
	return d, nil
}
