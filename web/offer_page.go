package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
)

// An offer's page: what it is, the questions it asks after a yes, and
// before its outreach the preview of its matches, with their explained
// scores, to set some aside and launch; after, its progress, followed
// live by app.js.

// previewLimit is how many matches the preview shows.
const previewLimit = 50

// offerView is the offer page's data.
type offerView struct {
	Offer     outreach.Offer
	Owner     outreach.Counsellor
	Contract  string
	Radius    string // in km
	Status    string // CSS class: not_started, running, closed
	State     string // in French
	Questions []questionView
	// Matches is the preview, before the outreach starts.
	Matches  []matchView
	Launch   launchForm
	Progress *progressView // once started
}

// questionView is a question as the counsellor reads it.
type questionView struct {
	Label, SMS string
	Qualifying string // "oui" or "non"
}

// matchView is a candidate of the preview with the reasons of the score.
type matchView struct {
	CandidateID int64
	FirstName   string
	Score       string
	Distance    string
	Reasons     []reasonView
	Excluded    bool
}

type reasonView struct {
	Factor, Points, Detail string
}

// launchForm is the launch form's values and error.
type launchForm struct {
	Show  bool
	Limit string
	Error string
}

// progressView is where the outreach stands, as the page shows it first
// and app.js then updates (see progressCounts).
type progressView struct {
	Source string // the JSON app.js polls; "" once the campaign closed
	Counts map[string]int
}

// factorLabels name the factors of a score.
var factorLabels = map[string]string{
	matcher.FactorOccupation: "Métier",
	matcher.FactorDistance:   "Distance",
	matcher.FactorSkills:     "Compétences",
	matcher.FactorFreshness:  "Dernier SMS",
	matcher.FactorFatigue:    "Sollicitations",
	matcher.FactorContract:   "Contrat",
}

// offerPage shows the offer, and the preview of its matches or the
// progress of its outreach.
func (s *Server) offerPage(c echo.Context) error {
	o, owner, err := s.visibleOffer(c)
	if err != nil {
		return s.offerHidden(c, err)
	}
	v, err := s.offerView(c, o, owner, launchForm{}, nil)
	if err != nil {
		return err
	}
	p := page{Title: o.Title + " · offre " + o.Reference, Nav: "offres", Data: v}
	switch {
	case c.QueryParam("cree") != "":
		p.Flash, p.FlashKind = "Offre créée. Vérifiez les candidats proposés, écartez-en si besoin, puis lancez l'envoi.", "ok"
	case c.QueryParam("lancee") != "":
		n, _ := strconv.Atoi(c.QueryParam("lancee"))
		p.Flash, p.FlashKind = fmt.Sprintf("Envoi lancé : %d SMS programmés.", max(n, 0)), "ok"
	case c.QueryParam("deja") != "":
		p.Flash, p.FlashKind = "L'envoi de cette offre était déjà lancé : rien de plus n'est parti.", "error"
	case c.QueryParam("personne") != "":
		p.Flash, p.FlashKind = "Aucun SMS n'est parti : aucun candidat à contacter, en dehors de ceux écartés.", "error"
	}
	return s.render(c, http.StatusOK, "offer", p)
}

// offerView gathers the offer page's data; excluded are the candidates
// to show as set aside.
func (s *Server) offerView(c echo.Context, o outreach.Offer, owner outreach.Counsellor, launch launchForm,
	excluded []int64) (offerView, error) {
	ctx := c.Request().Context()
	st := o.CampaignStatus()
	v := offerView{Offer: o, Owner: owner, Contract: contractLabel(o.ContractType),
		Radius: frenchNumber(o.RadiusKM, 1), Status: string(st),
		State: campaignLabel(st), Launch: launch}
	for i, q := range o.Questions {
		yes := "oui"
		if !q.Qualifies(outreach.AnswerYes) {
			yes = "non"
		}
		v.Questions = append(v.Questions, questionView{Label: q.Label(), SMS: q.SMS(o.Reference, i+1, len(o.Questions)), Qualifying: yes})
	}
	if st != outreach.CampaignNotStarted {
		sum, err := s.svc.OutreachSummary(ctx, o.ID)
		if err != nil {
			return v, err
		}
		v.Progress = &progressView{Counts: progressCounts(sum)}
		if st == outreach.CampaignRunning {
			v.Progress.Source = fmt.Sprintf("/offres/%d/progression", o.ID)
		}
		return v, nil
	}
	matches, err := s.svc.Matches(ctx, o.ID, previewLimit)
	if err != nil {
		return v, err
	}
	ids := make([]int64, len(matches))
	for i, m := range matches {
		ids[i] = m.CandidateID
	}
	if err := s.audit(c, ids); err != nil {
		return v, err
	}
	for _, m := range matches {
		mv := matchView{CandidateID: m.CandidateID, FirstName: m.FirstName, Score: frenchNumber(m.Score, 1),
			Distance: frenchNumber(m.DistanceKM, 1) + " km", Excluded: slices.Contains(excluded, m.CandidateID)}
		for _, r := range m.Reasons {
			label := factorLabels[r.Factor]
			if label == "" {
				label = r.Factor
			}
			mv.Reasons = append(mv.Reasons, reasonView{Factor: label, Points: signedPoints(r.Points), Detail: r.Detail})
		}
		v.Matches = append(v.Matches, mv)
	}
	v.Launch.Show = true
	if v.Launch.Limit == "" {
		v.Launch.Limit = strconv.Itoa(max(len(matches), 1))
	}
	return v, nil
}

// launchOutreach texts the offer's matches but those set aside, then
// shows the offer and its progress. A campaign already started is not
// launched again.
func (s *Server) launchOutreach(c echo.Context) error {
	o, owner, err := s.visibleOffer(c)
	if err != nil {
		return s.offerHidden(c, err)
	}
	if o.CampaignStatus() != outreach.CampaignNotStarted {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/offres/%d?deja=1", o.ID))
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Formulaire illisible.")
	}
	var excluded []int64
	for _, raw := range form["exclure"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "Candidat à écarter inconnu : « "+raw+" ».")
		}
		excluded = append(excluded, id)
	}
	launch := launchForm{Limit: strings.TrimSpace(form.Get("limit"))}
	limit, err := strconv.Atoi(launch.Limit)
	if err != nil || limit < 1 || limit > 10000 {
		launch.Error = "Indiquez un nombre de SMS entre 1 et 10 000."
		return s.refuseLaunch(c, o, owner, launch, excluded)
	}
	res, err := s.svc.StartOutreachExcluding(c.Request().Context(), viewer(c), o.ID, limit, excluded)
	var invalid *outreach.ValidationError
	switch {
	case errors.Is(err, outreach.ErrNotFound):
		return s.offerHidden(c, errOfferHidden)
	case errors.As(err, &invalid):
		launch.Error = launchMessage(invalid)
		return s.refuseLaunch(c, o, owner, launch, excluded)
	case err != nil:
		return err
	}
	s.log.InfoContext(c.Request().Context(), "outreach launched from the web", "offer_id", o.ID, "queued", res.Queued, "excluded", len(excluded))
	if res.Queued == 0 {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/offres/%d?personne=1", o.ID))
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/offres/%d?lancee=%d", o.ID, res.Queued))
}

// refuseLaunch shows the offer again with what was wrong (422), the
// candidates set aside still ticked.
func (s *Server) refuseLaunch(c echo.Context, o outreach.Offer, owner outreach.Counsellor, launch launchForm,
	excluded []int64) error {
	// Reload: the campaign may have moved since.
	o, err := s.svc.Offer(c.Request().Context(), o.ID)
	if err != nil {
		return err
	}
	v, err := s.offerView(c, o, owner, launch, excluded)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, "offer", page{Title: o.Title + " · offre " + o.Reference,
		Nav: "offres", Flash: "L'envoi n'est pas lancé : " + launch.Error, FlashKind: "error", Data: v})
}

// launchMessage says in French why the outreach did not start.
func launchMessage(e *outreach.ValidationError) string {
	switch e.Field {
	case "limit":
		return "Indiquez un nombre de SMS entre 1 et 10 000."
	case "offer":
		return "la campagne de cette offre est close."
	case "excluded":
		return "10 000 candidats écartés au plus."
	}
	return "valeur refusée (" + e.Field + ")."
}

// progressJSON is what app.js polls while the campaign runs: the counts
// by key (each shown in a [data-count=KEY] element), and done once no
// count may change (the campaign closed, or nothing was sent).
type progressJSON struct {
	Counts map[string]int `json:"counts"`
	Done   bool           `json:"done"`
}

// outreachProgress answers where the offer's outreach stands, as JSON.
func (s *Server) outreachProgress(c echo.Context) error {
	o, _, err := s.visibleOffer(c)
	if err != nil {
		return s.offerHidden(c, err)
	}
	sum, err := s.svc.OutreachSummary(c.Request().Context(), o.ID)
	if err != nil {
		return err
	}
	done := o.CampaignStatus() == outreach.CampaignClosed || sum.Total == 0
	return c.JSON(http.StatusOK, progressJSON{Counts: progressCounts(sum), Done: done})
}

// progressCounts are the figures of an outreach: total contacts, those
// still waiting to go (pending), sent (handed to the provider), delivered,
// failed (undelivered or refused), replied, and the replies by interest.
func progressCounts(sum outreach.OutreachSummary) map[string]int {
	st, re := sum.Statuses, sum.Replies
	return map[string]int{
		"total":      sum.Total,
		"pending":    st[outreach.StatusPlanned] + st[outreach.StatusQueued] + st[outreach.StatusSending],
		"sent":       st[outreach.StatusSent] + st[outreach.StatusDelivered] + st[outreach.StatusUndelivered],
		"delivered":  st[outreach.StatusDelivered],
		"failed":     st[outreach.StatusUndelivered] + st[outreach.StatusFailed],
		"replied":    sum.Replied,
		"interested": re[outreach.InterestInterested],
		"declined":   re[outreach.InterestDeclined],
		"unclear":    re[outreach.InterestUnclear],
		"opted_out":  re[outreach.InterestOptedOut],
	}
}

// contractLabel names a contract type: "MIS (intérim)".
func contractLabel(code string) string {
	if name, ok := outreach.ContractTypes[code]; ok && name != code {
		return code + " (" + name + ")"
	}
	return code
}

// frenchNumber writes v with at most decimals digits after a comma.
func frenchNumber(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, ".", ",", 1)
}

// signedPoints writes a contribution to a score: "+12,5", "−3", "0".
func signedPoints(p float64) string {
	switch {
	case p > 0:
		return "+" + frenchNumber(p, 1)
	case p < 0:
		return "−" + frenchNumber(-p, 1)
	}
	return "0"
}
