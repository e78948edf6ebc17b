package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// employerCookie holds the CSRF token of the employer's forms: they have
// no session, only the signed link.
const employerCookie = "outreach_employer"

// employerView is the employer's page's data.
type employerView struct {
	Token    string
	CSRF     string
	List     outreach.EmployerShortlist
	Statuses []outreach.EmployerStatus
}

var employerStatuses = []outreach.EmployerStatus{outreach.EmployerContacted, outreach.EmployerInterviewed,
	outreach.EmployerHired, outreach.EmployerNotRetained}

// registerEmployer mounts the employer's shortlist page, reached by a
// signed, expiring link without account.
func (s *Server) registerEmployer(public *echo.Group) {
	public.GET("/employeur/:token", s.employerPage)
	public.POST("/employeur/:token/candidats/:contact", s.employerStatus)
}

// badEmployerLink is what a link that opens nothing says.
const badEmployerLink = "Ce lien n'est pas valide : vérifiez qu'il est complet, ou demandez-en un nouveau à votre conseiller."

// employerOffer checks the link's token: a tampered one is a 404 page, an
// expired one a 410 page, each saying what to do.
func (s *Server) employerOffer(c echo.Context) (int64, error) {
	offerID, err := s.svc.VerifyEmployerLink(c.Param("token"))
	switch {
	case errors.Is(err, outreach.ErrLinkExpired):
		return 0, echo.NewHTTPError(http.StatusGone,
			"Ce lien a expiré. Demandez un nouveau lien au conseiller qui vous l'a envoyé.")
	case err != nil:
		return 0, echo.NewHTTPError(http.StatusNotFound, badEmployerLink)
	}
	return offerID, nil
}

// employerPage shows the candidates the counsellor referred: first name
// and how to reach them, nothing else.
func (s *Server) employerPage(c echo.Context) error {
	offerID, err := s.employerOffer(c)
	if err != nil {
		return err
	}
	list, err := s.svc.EmployerShortlist(c.Request().Context(), offerID)
	if errors.Is(err, outreach.ErrNotFound) { // signed for an offer that is gone
		return echo.NewHTTPError(http.StatusNotFound, badEmployerLink)
	}
	if err != nil {
		return err
	}
	ids := make([]int64, len(list.Candidates))
	for i, k := range list.Candidates {
		ids[i] = k.CandidateID
	}
	if err := s.auditEmployer(c, offerID, ids); err != nil {
		return err
	}
	token := randomState()
	if cookie, err := c.Cookie(employerCookie); err == nil && len(cookie.Value) == len(token) {
		token = cookie.Value
	}
	s.setCookie(c, employerCookie, token, time.Time{}, 24*3600)
	p := page{Title: "Candidatures · " + list.Title,
		Data: employerView{Token: c.Param("token"), CSRF: token, List: list, Statuses: employerStatuses}}
	if c.QueryParam("fait") == "1" {
		p.Flash, p.FlashKind = "C'est noté, merci : le conseiller le voit.", "ok"
	}
	return s.render(c, http.StatusOK, "employer", p)
}

// employerStatus records what the employer did with one candidate.
func (s *Server) employerStatus(c echo.Context) error {
	offerID, err := s.employerOffer(c)
	if err != nil {
		return err
	}
	cookie, err := c.Cookie(employerCookie)
	if err != nil || !sameToken(c.FormValue(csrfField), cookie.Value) {
		return echo.NewHTTPError(http.StatusForbidden, "Le formulaire a expiré : rechargez la page et recommencez.")
	}
	contactID, err := strconv.ParseInt(c.Param("contact"), 10, 64)
	if err != nil || contactID <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, "Candidat introuvable.")
	}
	err = s.svc.SetEmployerStatus(c.Request().Context(), offerID, contactID, outreach.EmployerStatus(c.FormValue("status")))
	var invalid *outreach.ValidationError
	switch {
	case errors.Is(err, outreach.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "Candidat introuvable.")
	case errors.As(err, &invalid):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choisissez une suite dans la liste.")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/employeur/"+c.Param("token")+"?fait=1#candidat-"+strconv.FormatInt(contactID, 10))
}
