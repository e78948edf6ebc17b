package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
)

type employerJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type offerRequest struct {
	ExternalID   string          `json:"external_id"`
	Title        string          `json:"title"`
	ROMECode     string          `json:"rome_code"`
	Appellation  int             `json:"appellation"`
	Employer     employerJSON    `json:"employer"`
	Location     *outreach.Point `json:"location"`
	CommuneCode  string          `json:"commune_code"`
	Town         string          `json:"town"`
	ContractType string          `json:"contract_type"`
	Skills       []string        `json:"skills"`
	StartsOn     string          `json:"starts_on"` // "YYYY-MM-DD"; empty or null: as soon as possible
	RadiusKM     float64         `json:"radius_km"`
	Positions    int             `json:"positions"`
	CounsellorID int64           `json:"counsellor_id"`
	// Questions asked after a yes: absent or null for those proposed from
	// the offer's fields, [] for none.
	Questions *[]questionRequest `json:"questions"`
}

type offerResponse struct {
	ID           int64          `json:"id"`
	ExternalID   string         `json:"external_id,omitempty"`
	Reference    string         `json:"reference"`
	Title        string         `json:"title"`
	ROMECode     string         `json:"rome_code"`
	Appellation  int            `json:"appellation,omitempty"`
	Employer     employerJSON   `json:"employer"`
	Location     outreach.Point `json:"location"`
	CommuneCode  string         `json:"commune_code,omitempty"`
	Town         string         `json:"town"`
	ContractType string         `json:"contract_type"`
	Skills       []string       `json:"skills"`
	StartsOn     *string        `json:"starts_on"` // null: as soon as possible
	RadiusKM     float64        `json:"radius_km"`
	Positions    int            `json:"positions"`
	CounsellorID int64          `json:"counsellor_id"`
	CreatedAt    time.Time      `json:"created_at"`
	Questions    []questionJSON `json:"questions"`
	campaignJSON
}

// campaignJSON is where an offer's campaign stands (see outreach.Campaign).
type campaignJSON struct {
	OutreachStartedAt *time.Time `json:"outreach_started_at"` // null until the outreach starts
	ClosesAt          *time.Time `json:"closes_at"`           // null until the outreach starts
	ClosedAt          *time.Time `json:"closed_at"`           // null while open
	Final             bool       `json:"final"`               // closed: the shortlist no longer changes
}

func campaignView(c outreach.Campaign) campaignJSON {
	return campaignJSON{OutreachStartedAt: c.StartedAt, ClosesAt: c.ClosesAt, ClosedAt: c.ClosedAt, Final: c.Final()}
}

func (s *Server) offerJSON(o outreach.Offer) offerResponse {
	return offerResponse{
		ID: o.ID, ExternalID: o.ExternalID, Reference: o.Reference, Title: o.Title, ROMECode: o.ROMECode, Appellation: o.Appellation,
		Employer: employerJSON(o.Employer), Location: o.Location, CommuneCode: o.CommuneCode, Town: o.Town,
		ContractType: o.ContractType, Skills: o.Skills, StartsOn: dateJSON(o.StartsOn), RadiusKM: o.RadiusKM,
		Positions: o.Positions, CounsellorID: o.CounsellorID, CreatedAt: o.CreatedAt,
		Questions: questionsView(o.Reference, o.Questions), campaignJSON: campaignView(s.svc.Campaign(o)),
	}
}

func (s *Server) createOffer(c echo.Context) error {
	var req offerRequest
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	in := outreach.OfferInput{
		ExternalID: req.ExternalID, Title: req.Title, ROMECode: req.ROMECode, Appellation: req.Appellation,
		Employer: outreach.Employer(req.Employer), Location: req.Location, CommuneCode: req.CommuneCode,
		Town: req.Town, ContractType: req.ContractType, Skills: req.Skills, StartsOn: req.StartsOn,
		RadiusKM: req.RadiusKM, Positions: req.Positions, CounsellorID: req.CounsellorID,
	}
	if req.Questions != nil {
		qs, err := questionsFromJSON(*req.Questions)
		if err != nil {
			return err
		}
		in.Questions = &qs
	}
	if err := s.ownCounsellor(c, req.CounsellorID); err != nil {
		return err
	}
	o, err := s.svc.CreateOffer(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.offerJSON(o))
}

func (s *Server) getOffer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	o, err := s.svc.Offer(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.offerJSON(o))
}

type matchJSON struct {
	CandidateID int64            `json:"candidate_id"`
	ExternalID  string           `json:"external_id"`
	FirstName   string           `json:"first_name"`
	Score       float64          `json:"score"`
	DistanceKM  float64          `json:"distance_km"`
	Reasons     []matcher.Reason `json:"reasons"`
}

func (s *Server) matches(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 10000 {
		return apiError(http.StatusBadRequest, "invalid_query", "limit must be between 1 and 10000", "limit")
	}
	ms, err := s.svc.Matches(c.Request().Context(), id, limit)
	if err != nil {
		return err
	}
	out := make([]matchJSON, len(ms))
	ids := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = matchJSON{CandidateID: m.CandidateID, ExternalID: m.ExternalID, FirstName: m.FirstName,
			Score: m.Score, DistanceKM: m.DistanceKM, Reasons: m.Reasons}
		ids[i] = m.CandidateID
	}
	if err := s.export(c, ids); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"offer_id": id, "matches": out})
}

func (s *Server) startOutreach(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Limit int `json:"limit"`
	}
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	res, err := s.svc.StartOutreach(c.Request().Context(), id, req.Limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"offer_id": id, "queued": res.Queued, "matched": res.Matched})
}

type contactJSON struct {
	ContactID    int64      `json:"contact_id"`
	CandidateID  int64      `json:"candidate_id"`
	ExternalID   string     `json:"external_id"`
	FirstName    string     `json:"first_name"`
	Status       string     `json:"status"`
	Reply        *string    `json:"reply"`
	Score        float64    `json:"score"`
	DistanceKM   float64    `json:"distance_km"`
	MessageSID   string     `json:"message_sid,omitempty"`
	ErrorCode    int        `json:"error_code,omitempty"`
	ErrorMessage string     `json:"error_message,omitempty"`
	SentAt       *time.Time `json:"sent_at,omitempty"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
	RepliedAt    *time.Time `json:"replied_at,omitempty"`
	Reminder     string     `json:"reminder,omitempty"` // where its reminder stands: queued, sending, sent, failed, skipped
	RemindedAt   *time.Time `json:"reminded_at,omitempty"`
}

func contactView(k outreach.Contact) contactJSON {
	out := contactJSON{
		ContactID: k.ID, CandidateID: k.CandidateID, ExternalID: k.ExternalID, FirstName: k.FirstName,
		Status: string(k.Status), Score: k.Score, DistanceKM: k.DistanceKM, MessageSID: k.MessageSID,
		ErrorCode: k.ErrorCode, ErrorMessage: k.ErrorMessage, SentAt: k.SentAt, DeliveredAt: k.DeliveredAt,
		RepliedAt: k.RepliedAt, Reminder: string(k.ReminderStatus), RemindedAt: k.RemindedAt,
	}
	if k.Reply != "" {
		r := string(k.Reply)
		out.Reply = &r
	}
	return out
}

func (s *Server) outreachProgress(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.Outreach(c.Request().Context(), id)
	if err != nil {
		return err
	}
	contacts := make([]contactJSON, len(p.Contacts))
	ids := make([]int64, len(p.Contacts))
	for i, k := range p.Contacts {
		contacts[i], ids[i] = contactView(k), k.CandidateID
	}
	if err := s.export(c, ids); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"offer_id": id, "counts": p.Counts, "contacts": contacts})
}
