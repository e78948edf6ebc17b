package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/outreach"
)

// The offers pages: the list of the viewer's offers, the form creating
// one, an offer with the preview of its matches and the launch of its
// outreach, its progress as JSON, and the dashboard.

// registerOffers mounts the offers pages and the dashboard on the
// signed-in group.
func (s *Server) registerOffers(app *echo.Group) {
	app.GET("/offres", s.offersPage)
	app.GET("/offres/nouvelle", s.newOfferPage)
	app.POST("/offres", s.createOffer)
	app.GET("/offres/metiers", s.jobTitles)
	app.GET("/offres/:id", s.offerPage)
	app.POST("/offres/:id/lancer", s.launchOutreach)
	app.GET("/offres/:id/progression", s.outreachProgress)
	app.GET("/tableau", s.dashboardPage)
}

// offersListLimit is the most offers the list shows.
const offersListLimit = 200

// offerRow is one line of the offers list.
type offerRow struct {
	outreach.OfferListing
	Status string // CSS class: not_started, running, closed
	State  string // in French
}

type offersView struct {
	Offers []offerRow
	Admin  bool // show each offer's counsellor
}

// offersPage lists the viewer's offers, newest first: their own, or the
// agency's for an administrator.
func (s *Server) offersPage(c echo.Context) error {
	v := viewer(c)
	list, err := s.svc.Offers(c.Request().Context(), v, offersListLimit)
	if err != nil {
		return err
	}
	rows := make([]offerRow, len(list))
	for i, o := range list {
		rows[i] = offerRow{OfferListing: o, Status: string(o.CampaignStatus()), State: campaignLabel(o.CampaignStatus())}
	}
	return s.render(c, http.StatusOK, "offers", page{Title: "Offres", Nav: "offres", Data: offersView{Offers: rows, Admin: v.Admin}})
}

// campaignLabel says in French where an offer's outreach stands.
func campaignLabel(st outreach.CampaignStatus) string {
	switch st {
	case outreach.CampaignRunning:
		return "en cours"
	case outreach.CampaignClosed:
		return "clôturée"
	}
	return "pas encore lancée"
}

// jobTitleJSON is one job title proposed while typing an offer's title.
type jobTitleJSON struct {
	Appellation int    `json:"appellation"`
	Label       string `json:"label"`
	ROMECode    string `json:"rome_code"`
	ROMELabel   string `json:"rome_label"`
}

// jobTitlesLimit is the most job titles proposed at once.
const jobTitlesLimit = 15

// jobTitles answers the job title search of the offer form: the ROME job
// titles matching ?q=, as JSON.
func (s *Server) jobTitles(c echo.Context) error {
	titles, err := s.svc.SearchJobTitles(c.Request().Context(), c.QueryParam("q"), jobTitlesLimit)
	var invalid *outreach.ValidationError
	if errors.As(err, &invalid) {
		return c.JSON(http.StatusBadRequest, map[string]any{"error": map[string]string{
			"message": "Recherche refusée : du texte, 200 caractères au plus.", "field": invalid.Field}})
	}
	if err != nil {
		return err
	}
	out := make([]jobTitleJSON, len(titles))
	for i, t := range titles {
		out[i] = jobTitleJSON{Appellation: t.Appellation, Label: t.Label, ROMECode: t.ROMECode, ROMELabel: t.ROMELabel}
	}
	return c.JSON(http.StatusOK, out)
}

// errOfferHidden is the answer about an offer the viewer may not see,
// exactly the same as about one that does not exist.
var errOfferHidden = errors.New("offer not found or not seen")

// visibleOffer loads the :id offer, with its questions and its owner, when
// the viewer sees it: their own, or one of their agency's for an
// administrator (outreach.Viewer.Sees). Any other, a malformed id
// included, is errOfferHidden: see offerHidden.
func (s *Server) visibleOffer(c echo.Context) (outreach.Offer, outreach.Counsellor, error) {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return outreach.Offer{}, outreach.Counsellor{}, errOfferHidden
	}
	o, err := s.svc.Offer(ctx, id)
	if errors.Is(err, outreach.ErrNotFound) {
		return outreach.Offer{}, outreach.Counsellor{}, errOfferHidden
	}
	if err != nil {
		return outreach.Offer{}, outreach.Counsellor{}, err
	}
	owner, err := s.svc.Counsellor(ctx, o.CounsellorID)
	if err != nil {
		return outreach.Offer{}, outreach.Counsellor{}, err
	}
	if !viewer(c).Sees(owner.ID, owner.Agency) {
		return outreach.Offer{}, outreach.Counsellor{}, errOfferHidden
	}
	return o, owner, nil
}

// offerHidden answers a request about an offer the viewer does not see
// (errOfferHidden) with a 404 that tells nothing of it: a page, or JSON
// for a script; other errors go to the error handler.
func (s *Server) offerHidden(c echo.Context, err error) error {
	if !errors.Is(err, errOfferHidden) {
		return err
	}
	const msg = "Cette offre n'existe pas, ou vous n'y avez pas accès."
	if strings.Contains(c.Request().Header.Get("Accept"), "application/json") {
		return c.JSON(http.StatusNotFound, map[string]any{"error": map[string]string{"message": msg}})
	}
	return s.render(c, http.StatusNotFound, "error", page{Title: "Offre introuvable", Nav: "offres", Data: msg})
}
