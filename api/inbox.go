package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

type inboxItemJSON struct {
	ID        int64      `json:"id"`
	CreatedAt time.Time  `json:"created_at"`
	HandledAt *time.Time `json:"handled_at"`
	Candidate struct {
		ID          int64  `json:"id,omitempty"`
		ExternalID  string `json:"external_id,omitempty"`
		FirstName   string `json:"first_name,omitempty"`
		PhoneMasked string `json:"phone_masked"`
	} `json:"candidate"`
	Offer *struct {
		ID        int64  `json:"id"`
		Title     string `json:"title"`
		Reference string `json:"reference"`
	} `json:"offer"`
	Body     string  `json:"body"`
	Intent   string  `json:"intent"`
	Interest *string `json:"interest"`
	Link     string  `json:"link"`
	Late     bool    `json:"late"` // came once the campaign closed: changed no interest
	// Screening is set on an answer to a pre-screening question.
	Screening *inboxScreeningJSON `json:"screening,omitempty"`
}

func inboxItemView(it outreach.InboxItem) inboxItemJSON {
	var v inboxItemJSON
	v.ID, v.CreatedAt, v.HandledAt = it.ID, it.CreatedAt, it.HandledAt
	v.Candidate.ID, v.Candidate.ExternalID, v.Candidate.FirstName = it.CandidateID, it.ExternalID, it.FirstName
	v.Candidate.PhoneMasked = it.PhoneMasked
	if it.OfferID != 0 {
		v.Offer = &struct {
			ID        int64  `json:"id"`
			Title     string `json:"title"`
			Reference string `json:"reference"`
		}{it.OfferID, it.OfferTitle, it.OfferRef}
	}
	v.Body, v.Intent, v.Link, v.Late = it.Body, string(it.Intent), string(it.Link), it.Late
	v.Screening = inboxScreeningView(it)
	if it.Interest != "" {
		in := string(it.Interest)
		v.Interest = &in
	}
	return v
}

func (s *Server) inbox(c echo.Context) error {
	id, err := queryInt(c, "counsellor_id", 0)
	if err != nil {
		return err
	}
	if id <= 0 {
		return apiError(http.StatusBadRequest, "invalid_query", "counsellor_id is required", "counsellor_id")
	}
	limit, err := queryInt(c, "limit", 100)
	if err != nil {
		return err
	}
	items, err := s.svc.Inbox(c.Request().Context(), int64(id), limit)
	if err != nil {
		return err
	}
	out := make([]inboxItemJSON, len(items))
	ids := make([]int64, len(items))
	for i, it := range items {
		out[i], ids[i] = inboxItemView(it), it.CandidateID
	}
	if err := s.export(c, ids); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"counsellor_id": id, "items": out})
}
