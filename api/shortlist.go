package api

import (
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// shortlistJSON is a candidate on an offer's shortlist.
type shortlistJSON struct {
	ContactID   int64      `json:"contact_id"`
	CandidateID int64      `json:"candidate_id"`
	ExternalID  string     `json:"external_id"`
	FirstName   string     `json:"first_name"`
	Phone       string     `json:"phone"`
	Score       float64    `json:"score"`
	DistanceKM  float64    `json:"distance_km"`
	RepliedAt   *time.Time `json:"replied_at"`
	// Screening is null when no pre-screening started.
	Screening         *screeningResultJSON `json:"screening"`
	Proposed          bool                 `json:"proposed"`
	ProposedByDefault bool                 `json:"proposed_by_default"`
	Decisions         []decisionJSON       `json:"decisions"` // oldest first
	ReferredAt        *time.Time           `json:"referred_at"`
	ReferredBy        *int64               `json:"referred_by"`
	ScreeningMinutes  *float64             `json:"screening_minutes"` // yes to completed pre-screening
	ReferralHours     *float64             `json:"referral_hours"`    // offer to referral
}

// screeningResultJSON is a candidate's pre-screening, as the counsellor
// reads it.
type screeningResultJSON struct {
	Status        string `json:"status"`
	QuestionCount int    `json:"question_count"`
	QuestionIndex int    `json:"question_index"` // from 0: the question asked, the one that failed, or where it stopped
	// Question is the label of question_index, null without questions.
	Question *string `json:"question"`
	// FailedQuestion is set when not_qualified; StoppedAt when incomplete
	// or opted_out.
	FailedQuestion *string           `json:"failed_question"`
	StoppedAt      *string           `json:"stopped_at"`
	Answers        []screeningAnswer `json:"answers"`
	Reminded       bool              `json:"reminded"`
	HandedOver     bool              `json:"handed_over"`
	StartedAt      time.Time         `json:"started_at"`
	EndedAt        *time.Time        `json:"ended_at"`
}

type screeningAnswer struct {
	Question  string `json:"question"`
	Answer    string `json:"answer"`    // yes or no
	Qualifies bool   `json:"qualifies"` // the answer keeps the candidate in
}

type decisionJSON struct {
	CounsellorID   int64     `json:"counsellor_id"`
	CounsellorName string    `json:"counsellor_name"`
	Proposed       bool      `json:"proposed"`
	Reason         string    `json:"reason"`
	DecidedAt      time.Time `json:"decided_at"`
}

func shortlistView(k outreach.ShortlistContact) shortlistJSON {
	out := shortlistJSON{ContactID: k.ID, CandidateID: k.CandidateID, ExternalID: k.ExternalID, FirstName: k.FirstName,
		Phone: k.Phone, Score: k.Score, DistanceKM: k.DistanceKM, RepliedAt: k.RepliedAt,
		Screening: screeningResultView(k.Screening), Proposed: k.Proposed, ProposedByDefault: k.ProposedByDefault,
		Decisions: make([]decisionJSON, len(k.Decisions)), ReferredAt: k.ReferredAt,
		ScreeningMinutes: inUnits(k.ScreeningTime, time.Minute), ReferralHours: inUnits(k.ReferralTime, time.Hour)}
	for i, d := range k.Decisions {
		out.Decisions[i] = decisionJSON{CounsellorID: d.CounsellorID, CounsellorName: d.CounsellorName,
			Proposed: d.Proposed, Reason: d.Reason, DecidedAt: d.DecidedAt}
	}
	if k.ReferredBy != 0 {
		out.ReferredBy = &k.ReferredBy
	}
	return out
}

func screeningResultView(sc *outreach.ShortlistScreening) *screeningResultJSON {
	if sc == nil {
		return nil
	}
	out := &screeningResultJSON{Status: string(sc.Status), QuestionCount: len(sc.Questions), QuestionIndex: sc.Question,
		Answers: make([]screeningAnswer, len(sc.Answers)), Reminded: sc.Reminded, HandedOver: sc.HandedOver,
		StartedAt: sc.StartedAt, EndedAt: sc.EndedAt}
	if label := sc.QuestionLabel(sc.Question); label != "" {
		out.Question = &label
		switch sc.Status {
		case outreach.ScreeningNotQualified:
			out.FailedQuestion = &label
		case outreach.ScreeningIncomplete, outreach.ScreeningOptedOut:
			out.StoppedAt = &label
		}
	}
	for i, a := range sc.Answers {
		out.Answers[i] = screeningAnswer{Question: sc.QuestionLabel(i), Answer: string(a)}
		if i < len(sc.Questions) {
			out.Answers[i].Qualifies = sc.Questions[i].Qualifies(a)
		}
	}
	return out
}

// inUnits writes a duration in the unit, to two decimals; nil stays null.
func inUnits(d *time.Duration, unit time.Duration) *float64 {
	if d == nil {
		return nil
	}
	v := math.Round(float64(*d)/float64(unit)*100) / 100
	return &v
}

func (s *Server) shortlist(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.Shortlist(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]shortlistJSON, len(list.Contacts))
	ids := make([]int64, len(list.Contacts))
	for i, k := range list.Contacts {
		out[i], ids[i] = shortlistView(k), k.CandidateID
	}
	if err := s.export(c, ids); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		OfferID    int64           `json:"offer_id"`
		Candidates []shortlistJSON `json:"candidates"`
		campaignJSON
	}{id, out, campaignView(list.Campaign)})
}

// decideShortlist records the counsellor's decision on one candidate.
func (s *Server) decideShortlist(c echo.Context) error {
	offerID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	candidateID, err := pathID(c, "candidate_id")
	if err != nil {
		return err
	}
	var req struct {
		CounsellorID int64  `json:"counsellor_id"`
		Proposed     *bool  `json:"proposed"`
		Reason       string `json:"reason"`
	}
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	if req.Proposed == nil {
		return &outreach.ValidationError{Field: "proposed", Message: "is required: true to propose the candidate to the employer, false not to"}
	}
	if err := s.ownCounsellor(c, req.CounsellorID); err != nil {
		return err
	}
	k, err := s.svc.DecideShortlist(c.Request().Context(), offerID, candidateID, req.CounsellorID, *req.Proposed, req.Reason)
	if err != nil {
		return err
	}
	if err := s.export(c, []int64{k.CandidateID}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, shortlistView(k))
}

// refer refers the proposed candidates not referred yet to the employer.
func (s *Server) refer(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		CounsellorID int64 `json:"counsellor_id"`
	}
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	if err := s.ownCounsellor(c, req.CounsellorID); err != nil {
		return err
	}
	ks, err := s.svc.Refer(c.Request().Context(), id, req.CounsellorID)
	if err != nil {
		return err
	}
	out := make([]shortlistJSON, len(ks))
	ids := make([]int64, len(ks))
	for i, k := range ks {
		out[i], ids[i] = shortlistView(k), k.CandidateID
	}
	if err := s.export(c, ids); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"offer_id": id, "referred": out})
}
