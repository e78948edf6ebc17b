package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// shortlistView is the shortlist validation page's data.
type shortlistView struct {
	Offer      outreach.Offer
	List       outreach.Shortlist
	Employer   map[int64]outreach.EmployerStatusChange // latest per contact
	Link       string                                  // the employer's link, once someone is referred
	LinkExpiry time.Time
	Referred   int
	ToRefer    int
}

// offerParam loads the :id offer when the viewer sees it; a 404 page
// otherwise.
func (s *Server) offerParam(c echo.Context) (outreach.Offer, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err == nil && id > 0 {
		var o outreach.Offer
		o, err = s.svc.OfferFor(c.Request().Context(), viewer(c), id)
		if err == nil {
			return o, nil
		}
	}
	if err == nil || errors.Is(err, outreach.ErrNotFound) {
		return outreach.Offer{}, echo.NewHTTPError(http.StatusNotFound, "Offre introuvable.")
	}
	return outreach.Offer{}, err
}

// shortlistPage shows those who said yes, with their pre-screening and
// whether they are proposed to the employer, for the counsellor to
// validate.
func (s *Server) shortlistPage(c echo.Context) error {
	o, err := s.offerParam(c)
	if err != nil {
		return err
	}
	v, err := s.shortlistView(c, o)
	if err != nil {
		return err
	}
	p := page{Title: "Liste pour l'employeur · " + o.Title, Nav: "offres", Data: v}
	if msg, ok := done[c.QueryParam("fait")]; ok {
		p.Flash, p.FlashKind = msg, "ok"
	}
	return s.render(c, http.StatusOK, "shortlist", p)
}

func (s *Server) shortlistView(c echo.Context, o outreach.Offer) (shortlistView, error) {
	ctx := c.Request().Context()
	list, err := s.svc.Shortlist(ctx, o.ID)
	if err != nil {
		return shortlistView{}, err
	}
	v := shortlistView{Offer: o, List: list, Employer: map[int64]outreach.EmployerStatusChange{}}
	ids := make([]int64, 0, len(list.Contacts))
	for _, k := range list.Contacts {
		ids = append(ids, k.CandidateID)
		switch {
		case k.ReferredAt != nil:
			v.Referred++
		case k.Proposed:
			v.ToRefer++
		}
	}
	changes, err := s.svc.EmployerStatuses(ctx, viewer(c), o.ID)
	if err != nil {
		return shortlistView{}, err
	}
	for _, ch := range changes { // oldest first: the latest stays
		v.Employer[ch.ContactID] = ch
	}
	if err := s.audit(c, ids); err != nil {
		return shortlistView{}, err
	}
	if v.Referred > 0 {
		token, expires, err := s.svc.EmployerLink(ctx, viewer(c), o.ID)
		if err != nil {
			return shortlistView{}, err
		}
		v.Link, v.LinkExpiry = s.cfg.PublicURL+"/employeur/"+token, expires
	}
	return v, nil
}

// decide records the counsellor's decision on one candidate.
func (s *Server) decide(c echo.Context) error {
	o, err := s.offerParam(c)
	if err != nil {
		return err
	}
	candidateID, err := strconv.ParseInt(c.Param("candidate"), 10, 64)
	if err != nil || candidateID <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, "Candidat introuvable.")
	}
	proposed := c.FormValue("proposed") == "1"
	_, err = s.svc.DecideShortlist(c.Request().Context(), o.ID, candidateID, viewer(c).CounsellorID, proposed, c.FormValue("reason"))
	var invalid *outreach.ValidationError
	switch {
	case errors.Is(err, outreach.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "Candidat introuvable.")
	case errors.As(err, &invalid):
		v, lerr := s.shortlistView(c, o)
		if lerr != nil {
			return lerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "shortlist", page{Title: "Liste pour l'employeur · " + o.Title,
			Nav: "offres", Data: v, Flash: frenchInvalid(invalid), FlashKind: "error"})
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/offres/"+strconv.FormatInt(o.ID, 10)+"/liste#candidat-"+strconv.FormatInt(candidateID, 10))
}

// refer sends the validated list to the employer: every proposed
// candidate not referred yet is referred, and the page shows the link.
func (s *Server) refer(c echo.Context) error {
	o, err := s.offerParam(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.Refer(c.Request().Context(), o.ID, viewer(c).CounsellorID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/offres/"+strconv.FormatInt(o.ID, 10)+"/liste?fait=transmise")
}
