package web

import (
	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// Every page that shows job seekers' personal data records it in the audit
// log before it is written (outreach.Service.RecordAccess): one row per
// page, naming the route, never the URL, and the job seekers on it. A page
// whose access cannot be recorded fails: nothing is shown unrecorded.

// audit records that the page shows the job seekers ids to the signed-in
// counsellor.
func (s *Server) audit(c echo.Context, ids []int64) error {
	return s.svc.RecordAccess(c.Request().Context(), outreach.Access{
		Actor:  outreach.Actor{Kind: outreach.ActorCounsellor, ID: viewer(c).CounsellorID},
		Action: outreach.AccessView, What: route(c), CandidateIDs: ids, RequestID: requestID(c)})
}

// auditEmployer records that the employer's page of the offer shows the
// job seekers ids.
func (s *Server) auditEmployer(c echo.Context, offerID int64, ids []int64) error {
	return s.svc.RecordAccess(c.Request().Context(), outreach.Access{
		Actor:  outreach.Actor{Kind: outreach.ActorEmployer, ID: offerID},
		Action: outreach.AccessView, What: route(c), CandidateIDs: ids, RequestID: requestID(c)})
}

// route is the request's method and route pattern ("GET /personnes/:id").
func route(c echo.Context) string { return c.Request().Method + " " + c.Path() }

// requestID is the request's id, as the answer's X-Request-Id says (set,
// and checked, by the process's RequestID middleware).
func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// inboxCandidates are the job seekers of the inbox items.
func inboxCandidates(items []outreach.InboxItem) []int64 {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.CandidateID)
	}
	return ids
}
