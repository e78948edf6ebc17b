package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// referenceJSON is a figure of the pilot: share of candidates within hours.
type referenceJSON struct {
	Share       float64 `json:"share"`
	WithinHours float64 `json:"within_hours"`
}

type screeningTimingsJSON struct {
	Started           int           `json:"started"`
	Settled           int           `json:"settled"`
	Completed         int           `json:"completed"`
	CompletedWithin5h int           `json:"completed_within_5h"`
	ShareWithin5h     *float64      `json:"share_within_5h"`
	MedianMinutes     *float64      `json:"median_minutes"`
	P90Minutes        *float64      `json:"p90_minutes"`
	Reference         referenceJSON `json:"reference"`
}

type referralTimingsJSON struct {
	Referred       int           `json:"referred"`
	Within24h      int           `json:"within_24h"`
	ShareWithin24h *float64      `json:"share_within_24h"`
	MedianHours    *float64      `json:"median_hours"`
	P90Hours       *float64      `json:"p90_hours"`
	Reference      referenceJSON `json:"reference"`
}

type timingsJSON struct {
	OfferID      *int64               `json:"offer_id"`
	CounsellorID *int64               `json:"counsellor_id"`
	Since        *time.Time           `json:"since"`
	Until        *time.Time           `json:"until"`
	Screening    screeningTimingsJSON `json:"screening"`
	Referral     referralTimingsJSON  `json:"referral"`
}

func timingsView(f outreach.TimingsFilter, t outreach.Timings) timingsJSON {
	out := timingsJSON{
		OfferID: nonZero(f.OfferID), CounsellorID: nonZero(f.CounsellorID),
		Since: timeOrNil(f.Since), Until: timeOrNil(f.Until),
		Screening: screeningTimingsJSON{Started: t.Screening.Started, Settled: t.Screening.Settled,
			Completed: t.Screening.Completed, CompletedWithin5h: t.Screening.CompletedWithin,
			ShareWithin5h: share(t.Screening.ShareWithin()),
			MedianMinutes: inUnits(t.Screening.Median, time.Minute), P90Minutes: inUnits(t.Screening.P90, time.Minute),
			Reference: referenceJSON{outreach.ReferenceScreeningShare, outreach.ReferenceScreeningWithin.Hours()}},
		Referral: referralTimingsJSON{Referred: t.Referral.Referred, Within24h: t.Referral.Within,
			ShareWithin24h: share(t.Referral.ShareWithin()),
			MedianHours:    inUnits(t.Referral.Median, time.Hour), P90Hours: inUnits(t.Referral.P90, time.Hour),
			Reference: referenceJSON{outreach.ReferenceReferralShare, outreach.ReferenceReferralWithin.Hours()}},
	}
	return out
}

func share(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// timings answers GET /api/v1/stats/timings.
func (s *Server) timings(c echo.Context) error {
	var f outreach.TimingsFilter
	var err error
	if f.OfferID, err = queryID(c, "offer_id"); err != nil {
		return err
	}
	if f.CounsellorID, err = queryID(c, "counsellor_id"); err != nil {
		return err
	}
	if f.Since, err = queryTime(c, "since", false); err != nil {
		return err
	}
	if f.Until, err = queryTime(c, "until", true); err != nil {
		return err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return apiError(http.StatusBadRequest, "invalid_query", "until must be after since", "until")
	}
	if err := s.scopeTimings(c, &f); err != nil {
		return err
	}
	t, err := s.svc.Timings(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, timingsView(f, t))
}

// queryID reads an optional positive id query parameter, 0 when absent.
func queryID(c echo.Context, name string) (int64, error) {
	n, err := queryInt(c, name, 0)
	if err != nil {
		return 0, err
	}
	if c.QueryParam(name) != "" && n <= 0 {
		return 0, apiError(http.StatusBadRequest, "invalid_query", name+" must be a positive integer", name)
	}
	return int64(n), nil
}

// queryTime reads an optional time query parameter, as RFC 3339 or as a
// day YYYY-MM-DD (UTC): its start, or with endOfDay the start of the next
// day, so that a day given as the end of a period is included.
func queryTime(c echo.Context, name string, endOfDay bool) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, apiError(http.StatusBadRequest, "invalid_query",
			name+" must be an RFC 3339 time or a date YYYY-MM-DD", name)
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}
