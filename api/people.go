package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

const maxJSONBody = 1 << 20

type counsellorRequest struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Agency string `json:"agency"`
}

type counsellorResponse struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Agency    string    `json:"agency"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) createCounsellor(c echo.Context) error {
	var req counsellorRequest
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	if err := ownAgency(c, req.Agency); err != nil {
		return err
	}
	co, err := s.svc.CreateCounsellor(c.Request().Context(), outreach.CounsellorInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, counsellorResponse{ID: co.ID, Email: co.Email, Name: co.Name, Agency: co.Agency, CreatedAt: co.CreatedAt})
}

type candidateRequest struct {
	ExternalID    string          `json:"external_id"`
	FirstName     string          `json:"first_name"`
	Phone         string          `json:"phone"`
	Location      *outreach.Point `json:"location"`
	CommuneCode   string          `json:"commune_code"`
	MobilityKM    float64         `json:"mobility_km"`
	ROMECodes     []string        `json:"rome_codes"`
	Appellations  []int           `json:"appellations"`
	Skills        []string        `json:"skills"`
	ContractTypes []string        `json:"contract_types"`
	AvailableFrom string          `json:"available_from"` // "YYYY-MM-DD"; empty or null: now
	SMSConsent    *bool           `json:"sms_consent"`
	CounsellorID  int64           `json:"counsellor_id"`
}

func (r candidateRequest) input() (outreach.CandidateInput, error) {
	if r.SMSConsent == nil {
		return outreach.CandidateInput{}, &outreach.ValidationError{Field: "sms_consent", Message: "is required: true only with the job seeker's recorded consent"}
	}
	return outreach.CandidateInput{
		ExternalID: r.ExternalID, FirstName: r.FirstName, Phone: r.Phone, Location: r.Location,
		CommuneCode: r.CommuneCode, MobilityKM: r.MobilityKM, ROMECodes: r.ROMECodes, Appellations: r.Appellations, Skills: r.Skills,
		ContractTypes: r.ContractTypes, AvailableFrom: r.AvailableFrom, SMSConsent: *r.SMSConsent, CounsellorID: r.CounsellorID,
	}, nil
}

type candidateResponse struct {
	ID            int64          `json:"id"`
	ExternalID    string         `json:"external_id"`
	FirstName     string         `json:"first_name"`
	Phone         string         `json:"phone"`
	Location      outreach.Point `json:"location"`
	CommuneCode   string         `json:"commune_code,omitempty"`
	MobilityKM    float64        `json:"mobility_km"`
	ROMECodes     []string       `json:"rome_codes"`
	Appellations  []int          `json:"appellations"`
	Skills        []string       `json:"skills"`
	ContractTypes []string       `json:"contract_types"`
	AvailableFrom *string        `json:"available_from"` // null: available now
	SMSConsent    bool           `json:"sms_consent"`
	CounsellorID  int64          `json:"counsellor_id"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

func candidateJSON(c outreach.Candidate) candidateResponse {
	return candidateResponse{
		ID: c.ID, ExternalID: c.ExternalID, FirstName: c.FirstName, Phone: c.Phone, Location: c.Location,
		CommuneCode: c.CommuneCode, MobilityKM: c.MobilityKM, ROMECodes: c.ROMECodes, Appellations: c.Appellations, Skills: c.Skills,
		ContractTypes: c.ContractTypes, AvailableFrom: dateJSON(c.AvailableFrom), SMSConsent: c.SMSConsent,
		CounsellorID: c.CounsellorID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func (s *Server) upsertCandidate(c echo.Context) error {
	var req candidateRequest
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	if err := s.ownCandidate(c, in); err != nil {
		return err
	}
	cand, created, err := s.svc.UpsertCandidate(c.Request().Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, candidateJSON(cand))
}

func (s *Server) recordConsent(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Source string `json:"source"`
	}
	if err := decodeJSON(c, maxJSONBody, &req); err != nil {
		return err
	}
	if req.Source == "" {
		return &outreach.ValidationError{Field: "source", Message: "is required: who recorded the consent, and how"}
	}
	if err := s.svc.RecordConsent(c.Request().Context(), id, "counsellor: "+req.Source); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// pathID reads a positive integer path parameter.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apiError(http.StatusNotFound, "not_found", name+" must be a positive integer id", name)
	}
	return id, nil
}

// queryInt reads an optional integer query parameter.
func queryInt(c echo.Context, name string, def int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apiError(http.StatusBadRequest, "invalid_query", name+" must be an integer", name)
	}
	return n, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// dateJSON writes a day as "YYYY-MM-DD", and the zero time as null.
func dateJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}
