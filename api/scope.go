package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/accounts"
	"github.com/franceoutreach/outreach/outreach"
)

// Who may call /api/v1: the operator's API_TOKEN sees every agency; an
// agency's API client (accounts.APIClient) sees only what the counsellors
// of its agency follow or own, as an outreach.AgencyViewer. Another
// agency's offer, job seeker or counsellor is 404, exactly as if it did
// not exist (as in the web app), and is checked before anything is
// written. Every route has a rule below; a route without one is refused
// to API clients, so that a route added later opens nothing by mistake.

// Clients authenticates the agencies' API clients by their Bearer token:
// accounts.ErrNoAPIClient when the token opens none.
type Clients interface {
	Authenticate(ctx context.Context, token string) (accounts.APIClient, error)
}

// WithClients accepts the API clients' tokens next to API_TOKEN.
func (s *Server) WithClients(c Clients) *Server {
	s.clients = c
	return s
}

const scopeKey = "api.scope"

// authenticateClient puts the scope of the client holding token in the
// context; false when the token opens no client.
func (s *Server) authenticateClient(c echo.Context, token string) (bool, error) {
	if s.clients == nil {
		return false, nil
	}
	client, err := s.clients.Authenticate(c.Request().Context(), token)
	if errors.Is(err, accounts.ErrNoAPIClient) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.Set(scopeKey, client.Viewer())
	c.Set(clientKey, client.ID)
	return true, nil
}

const clientKey = "api.client"

// apiActor is who calls, for the audit log: the API client, or the
// operator's API_TOKEN (no id).
func apiActor(c echo.Context) outreach.Actor {
	id, _ := c.Get(clientKey).(int64)
	return outreach.Actor{Kind: outreach.ActorAPI, ID: id}
}

// scope returns the viewer of an API client, and false for the operator's
// API_TOKEN, which sees everything.
func scope(c echo.Context) (outreach.Viewer, bool) {
	v, ok := c.Get(scopeKey).(outreach.Viewer)
	return v, ok
}

// rule checks, for an API client, what a route's path or query names.
type rule func(s *Server, c echo.Context, v outreach.Viewer) error

// rules are by method and route pattern.
var rules = map[string]rule{
	"POST /api/v1/counsellors":                       inHandler, // the agency in the body: ownAgency
	"POST /api/v1/candidates":                        inHandler, // counsellor_id and external_id: ownCandidate
	"POST /api/v1/candidates/import":                 inHandler, // each line: ownCandidate
	"POST /api/v1/offers":                            inHandler, // counsellor_id: ownCounsellor
	"POST /api/v1/candidates/:id/consent":            candidateByID,
	"GET /api/v1/candidates/:external_id/audit":      candidateByExternalID,
	"DELETE /api/v1/candidates/:external_id":         candidateByExternalID,
	"GET /api/v1/offers/:id":                         offerByID,
	"GET /api/v1/offers/:id/matches":                 offerByID,
	"GET /api/v1/offers/:id/insight":                 offerByID,
	"POST /api/v1/offers/:id/outreach":               offerByID,
	"GET /api/v1/offers/:id/outreach":                offerByID,
	"GET /api/v1/offers/:id/outreach/summary":        offerByID,
	"GET /api/v1/offers/:id/shortlist":               offerByID,
	"PUT /api/v1/offers/:id/shortlist/:candidate_id": offerByID, // and counsellor_id: ownCounsellor
	"POST /api/v1/offers/:id/referral":               offerByID, // and counsellor_id: ownCounsellor
	"GET /api/v1/offers/:id/questions":               offerByID,
	"PUT /api/v1/offers/:id/questions":               offerByID,
	"GET /api/v1/offers/:id/questions/defaults":      offerByID,
	"GET /api/v1/stats/timings":                      inHandler, // scoped by TimingsFilter.Viewer
	"GET /api/v1/inbox":                              inboxCounsellor,
	"GET /api/v1/inbox/unassigned":                   operatorOnly, // unknown numbers belong to no agency
	"GET /api/v1/question-templates":                 anyClient,
	"GET /api/v1/rome/:code/skills":                  anyClient,
}

// authorize runs the route's rule for an API client before the handler.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, scoped := scope(c)
		if !scoped {
			return next(c)
		}
		r := rules[c.Request().Method+" "+c.Path()]
		if r == nil {
			r = operatorOnly
		}
		if err := r(s, c, v); err != nil {
			return err
		}
		return next(c)
	}
}

func anyClient(*Server, echo.Context, outreach.Viewer) error { return nil }

// inHandler: the handler checks what its body names (see own*).
func inHandler(*Server, echo.Context, outreach.Viewer) error { return nil }

func operatorOnly(*Server, echo.Context, outreach.Viewer) error {
	return apiError(http.StatusForbidden, "forbidden", "open to the operator's API token only", "")
}

func offerByID(s *Server, c echo.Context, v outreach.Viewer) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, err = s.svc.OfferFor(c.Request().Context(), v, id)
	return err
}

func candidateByID(s *Server, c echo.Context, v outreach.Viewer) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, err = s.svc.CandidateFor(c.Request().Context(), v, id)
	return err
}

func candidateByExternalID(s *Server, c echo.Context, v outreach.Viewer) error {
	_, err := s.svc.ExternalCandidateFor(c.Request().Context(), v, c.Param("external_id"))
	return err
}

// inboxCounsellor: the counsellor whose inbox is asked for; a missing or
// bad counsellor_id is left to the handler's 400.
func inboxCounsellor(s *Server, c echo.Context, v outreach.Viewer) error {
	id, err := queryInt(c, "counsellor_id", 0)
	if err != nil || id <= 0 {
		return nil
	}
	_, err = s.svc.CounsellorFor(c.Request().Context(), v, int64(id))
	return err
}

// ownCounsellor refuses, for an API client, a counsellor_id in a body that
// is not of its agency: 422 naming counsellor_id, before anything is
// written.
func (s *Server) ownCounsellor(c echo.Context, counsellorID int64) error {
	v, scoped := scope(c)
	if !scoped {
		return nil
	}
	_, err := s.svc.CounsellorFor(c.Request().Context(), v, counsellorID)
	if errors.Is(err, outreach.ErrNotFound) {
		return &outreach.ValidationError{Field: "counsellor_id", Message: "must be a counsellor of your agency"}
	}
	return err
}

// ownCandidate refuses, for an API client, a job seeker to create or
// update whose counsellor, or whose existing holder of the external id,
// is of another agency.
func (s *Server) ownCandidate(c echo.Context, in outreach.CandidateInput) error {
	if err := s.ownCounsellor(c, in.CounsellorID); err != nil {
		return err
	}
	v, scoped := scope(c)
	if !scoped {
		return nil
	}
	return s.svc.CheckExternalID(c.Request().Context(), v, in.ExternalID)
}

// ownAgency refuses, for an API client, a counsellor of another agency.
func ownAgency(c echo.Context, agency string) error {
	v, scoped := scope(c)
	if scoped && strings.TrimSpace(agency) != v.Agency {
		return &outreach.ValidationError{Field: "agency", Message: "must be your agency"}
	}
	return nil
}

// scopeTimings keeps, for an API client, its agency's offers, and refuses
// an offer or counsellor of another agency as not found.
func (s *Server) scopeTimings(c echo.Context, f *outreach.TimingsFilter) error {
	v, scoped := scope(c)
	if !scoped {
		return nil
	}
	f.Viewer = v
	ctx := c.Request().Context()
	if f.OfferID != 0 {
		if _, err := s.svc.OfferFor(ctx, v, f.OfferID); err != nil {
			return err
		}
	}
	if f.CounsellorID != 0 {
		if _, err := s.svc.CounsellorFor(ctx, v, f.CounsellorID); err != nil {
			return err
		}
	}
	return nil
}
