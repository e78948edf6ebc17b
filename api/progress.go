package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// outreachSummaryJSON is the answer of GET /offers/{id}/outreach/summary.
type outreachSummaryJSON struct {
	OfferID     int64          `json:"offer_id"`
	Total       int            `json:"total"`
	Statuses    map[string]int `json:"statuses"`
	Replies     map[string]int `json:"replies"`
	Replied     int            `json:"replied"`
	Failures    map[string]int `json:"failures"` // by provider error code, "unknown" without one
	FirstSentAt *time.Time     `json:"first_sent_at"`
	LastSentAt  *time.Time     `json:"last_sent_at"`
	Done        bool           `json:"done"`
}

func (s *Server) outreachSummary(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sum, err := s.svc.OutreachSummary(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := outreachSummaryJSON{OfferID: id, Total: sum.Total, Replied: sum.Replied,
		Statuses: make(map[string]int, len(sum.Statuses)), Replies: make(map[string]int, len(sum.Replies)),
		Failures: make(map[string]int, len(sum.Failures)), FirstSentAt: sum.FirstSentAt, LastSentAt: sum.LastSentAt,
		Done: sum.Done}
	for st, n := range sum.Statuses {
		out.Statuses[string(st)] = n
	}
	for in, n := range sum.Replies {
		out.Replies[string(in)] = n
	}
	for code, n := range sum.Failures {
		key := "unknown"
		if code != 0 {
			key = strconv.Itoa(code)
		}
		out.Failures[key] = n
	}
	return c.JSON(http.StatusOK, out)
}
