package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// unassignedReplyJSON is an SMS from an unknown number, as administrators
// see it.
type unassignedReplyJSON struct {
	ID          int64      `json:"id"`
	ReceivedAt  time.Time  `json:"received_at"`
	HandledAt   *time.Time `json:"handled_at"`
	PhoneMasked string     `json:"phone_masked"`
	Body        string     `json:"body"`
	Intent      string     `json:"intent"`
}

// unassignedInbox lists the replies no counsellor receives: those from
// numbers that match no job seeker.
func (s *Server) unassignedInbox(c echo.Context) error {
	limit, err := queryInt(c, "limit", 100)
	if err != nil {
		return err
	}
	replies, err := s.svc.UnassignedReplies(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	// From numbers that match no job seeker: recorded, naming nobody.
	if err := s.export(c, nil); err != nil {
		return err
	}
	out := make([]unassignedReplyJSON, len(replies))
	for i, r := range replies {
		out[i] = unassignedReplyJSON{ID: r.InboxItemID, ReceivedAt: r.ReceivedAt, HandledAt: r.HandledAt,
			PhoneMasked: r.PhoneMasked, Body: r.Body, Intent: string(r.Intent)}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}
