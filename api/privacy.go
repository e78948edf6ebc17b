package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// Personal data: every export of job seekers' data through the API is
// recorded in the audit log before it is sent (a failure to record fails
// the export), the audit log of one job seeker can be read, and a job
// seeker's data erased.

// registerPrivacy mounts the audit log and erasure routes on /api/v1.
func (s *Server) registerPrivacy(v1 *echo.Group) {
	v1.GET("/candidates/:external_id/audit", s.candidateAudit)
	v1.DELETE("/candidates/:external_id", s.eraseCandidate)
}

// export records that the answer carries the personal data of the job
// seekers ids, for the API token's holder.
func (s *Server) export(c echo.Context, ids []int64) error {
	return s.svc.RecordAccess(c.Request().Context(), outreach.Access{Actor: apiActor(c),
		Action: outreach.AccessExport, What: route(c), CandidateIDs: ids, RequestID: requestID(c)})
}

// route is the request's method and route pattern, never its URL.
func route(c echo.Context) string { return c.Request().Method + " " + c.Path() }

// requestID is the request's id, as the answer's X-Request-Id says (set,
// and checked, by the process's RequestID middleware).
func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// accessJSON is one row of a job seeker's audit log.
type accessJSON struct {
	At     time.Time `json:"at"`
	Actor  actorJSON `json:"actor"`
	Action string    `json:"action"`
	What   string    `json:"what"`
	// Candidates is how many job seekers the access concerned, this one
	// among them (a list page shows many).
	Candidates int            `json:"candidates"`
	Counts     map[string]int `json:"counts,omitempty"`
	RequestID  string         `json:"request_id,omitempty"`
}

type actorJSON struct {
	Kind string `json:"kind"`
	// ID is the counsellor's, or the offer's for an employer; absent for
	// the API and the system.
	ID *int64 `json:"id,omitempty"`
}

func accessView(a outreach.Access) accessJSON {
	v := accessJSON{At: a.At, Actor: actorJSON{Kind: string(a.Actor.Kind)}, Action: string(a.Action), What: a.What,
		Candidates: len(a.CandidateIDs), RequestID: a.RequestID}
	if a.Actor.ID != 0 {
		id := a.Actor.ID
		v.Actor.ID = &id
	}
	if len(a.Counts) > 0 {
		v.Counts = a.Counts
	}
	return v
}

// candidateAudit lists who saw or exported the job seeker's data, oldest
// first.
func (s *Server) candidateAudit(c echo.Context) error {
	id, accesses, err := s.svc.CandidateAudit(c.Request().Context(), c.Param("external_id"))
	if err != nil {
		return err
	}
	out := make([]accessJSON, len(accesses))
	for i, a := range accesses {
		out[i] = accessView(a)
	}
	return c.JSON(http.StatusOK, map[string]any{"candidate_id": id, "accesses": out})
}

// eraseCandidate removes the job seeker's personal data everywhere.
func (s *Server) eraseCandidate(c echo.Context) error {
	e, err := s.svc.Erase(c.Request().Context(), c.Param("external_id"), outreach.Access{
		Actor: apiActor(c), What: route(c), RequestID: requestID(c)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"erased": true, "candidate_id": e.CandidateID, "counts": e.Counts()})
}
