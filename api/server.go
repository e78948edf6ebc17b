// Package api is the HTTP adapter of the JSON API under /api/v1, for the
// agency's systems (Bearer API_TOKEN).
package api

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// Server holds what the handlers need.
type Server struct {
	svc      *outreach.Service
	apiToken string
	clients  Clients // the agencies' API clients (scope.go); nil: API_TOKEN only
	log      *slog.Logger
}

// New returns the API server; apiToken guards /api/v1.
func New(svc *outreach.Service, apiToken string, log *slog.Logger) *Server {
	return &Server{svc: svc, apiToken: apiToken, log: log.With("component", "api")}
}

// Register mounts the routes on e and installs the error handler.
func (s *Server) Register(e *echo.Echo) {
	e.HTTPErrorHandler = s.handleError
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })

	v1 := e.Group("/api/v1", s.requireToken, limitBodies)
	v1.POST("/counsellors", s.createCounsellor)
	v1.POST("/candidates", s.upsertCandidate)
	v1.POST("/candidates/import", s.importCandidates)
	v1.POST("/candidates/:id/consent", s.recordConsent)
	v1.POST("/offers", s.createOffer)
	v1.GET("/offers/:id", s.getOffer)
	v1.GET("/offers/:id/matches", s.matches)
	v1.GET("/offers/:id/insight", s.insight)
	v1.POST("/offers/:id/outreach", s.startOutreach)
	v1.GET("/offers/:id/outreach", s.outreachProgress)
	v1.GET("/offers/:id/outreach/summary", s.outreachSummary)
	v1.GET("/offers/:id/shortlist", s.shortlist)
	v1.PUT("/offers/:id/shortlist/:candidate_id", s.decideShortlist)
	v1.POST("/offers/:id/referral", s.refer)
	v1.GET("/stats/timings", s.timings)
	v1.GET("/offers/:id/questions", s.offerQuestions)
	v1.PUT("/offers/:id/questions", s.setOfferQuestions)
	v1.GET("/offers/:id/questions/defaults", s.defaultOfferQuestions)
	v1.GET("/question-templates", s.questionTemplates)
	v1.GET("/inbox", s.inbox)
	v1.GET("/inbox/unassigned", s.unassignedInbox)
	v1.GET("/rome/:code/skills", s.romeSkills)
	s.registerPrivacy(v1)
}

// requireToken checks the Bearer token: API_TOKEN, compared in constant
// time, sees every agency; an API client's token only its agency's data
// (scope.go).
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	authorized := s.authorize(next)
	return func(c echo.Context) error {
		auth := c.Request().Header.Get(echo.HeaderAuthorization)
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(token), []byte(s.apiToken)) == 1 {
			return next(c)
		}
		if ok {
			client, err := s.authenticateClient(c, token)
			if err != nil {
				return err
			}
			if client {
				return authorized(c)
			}
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="outreach"`)
		return apiError(http.StatusUnauthorized, "unauthorized", "a valid Bearer API token is required", "")
	}
}
