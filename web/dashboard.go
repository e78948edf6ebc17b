package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/franceoutreach/outreach/chart"
	"github.com/franceoutreach/outreach/outreach"
)

// The dashboard: how the outreach of the offers the viewer sees is doing,
// next to the pilot's figures, with charts drawn on the server (package
// chart) and the same figures as tables.

// dashboardView is the dashboard page's data.
type dashboardView struct {
	Filter   dashboardFilterForm
	Figures  []figure
	Charts   []dashboardChart
	Offers   []offerFiguresRow
	Agencies []agencyFiguresRow
	Empty    bool // no SMS in the period
}

// dashboardFilterForm is the filter form as typed, with its choices.
type dashboardFilterForm struct {
	Since, Until string // "YYYY-MM-DD"
	OfferID      int64
	Offers       []option
}

// figure is one headline figure, with the pilot's reference when there
// is one and whether it does as well ("ok") or not ("warn").
type figure struct {
	Label, Value, Detail string
	Reference, Verdict   string
	Kind                 string // "ok", "warn" or ""
}

// dashboardChart is a chart and its table.
type dashboardChart struct {
	Title string
	SVG   template.HTML
	Table template.HTML
}

type offerFiguresRow struct {
	outreach.OfferFigures
	ReplyRate string
}

type agencyFiguresRow struct {
	outreach.AgencyFigures
	ReplyRate, InterestRate string
}

// dashboardPage shows the dashboard of the offers the viewer sees, for
// the period (?du=, ?au=, dates included) and the offer (?offre=) asked.
func (s *Server) dashboardPage(c echo.Context) error {
	v := viewer(c)
	f, form, bad := dashboardFilter(c, v)
	if bad != "" {
		return s.render(c, http.StatusBadRequest, "error", page{Title: "Paramètre invalide", Nav: "tableau", Data: bad})
	}
	d, err := s.svc.Dashboard(c.Request().Context(), f)
	var invalid *outreach.ValidationError
	switch {
	case errors.Is(err, outreach.ErrNotFound):
		return s.render(c, http.StatusNotFound, "error", page{Title: "Offre introuvable", Nav: "tableau",
			Data: "Paramètre « offre » : cette offre n'existe pas, ou vous n'y avez pas accès."})
	case errors.As(err, &invalid):
		return s.render(c, http.StatusBadRequest, "error", page{Title: "Paramètre invalide", Nav: "tableau",
			Data: "Paramètre « au » : la fin de la période doit suivre son début."})
	case err != nil:
		return err
	}
	offers, err := s.svc.Offers(c.Request().Context(), v, offersListLimit)
	if err != nil {
		return err
	}
	for _, o := range offers {
		form.Offers = append(form.Offers, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Reference + " · " + o.Title})
	}
	view := dashboardView{Filter: form, Figures: dashboardFigures(d), Charts: dashboardCharts(d),
		Empty: d.Totals.Sent == 0}
	for _, o := range d.Offers {
		view.Offers = append(view.Offers, offerFiguresRow{OfferFigures: o, ReplyRate: percent(o.ReplyRate())})
	}
	for _, a := range d.Agencies {
		view.Agencies = append(view.Agencies, agencyFiguresRow{AgencyFigures: a, ReplyRate: percent(a.ReplyRate()),
			InterestRate: percent(a.InterestRate())})
	}
	return s.render(c, http.StatusOK, "dashboard", page{Title: "Tableau de bord", Nav: "tableau", Data: view})
}

// dashboardFilter reads the filter of the query; bad says in French
// which parameter is wrong, "" when none is.
func dashboardFilter(c echo.Context, v outreach.Viewer) (outreach.DashboardFilter, dashboardFilterForm, string) {
	f := outreach.DashboardFilter{Viewer: v}
	form := dashboardFilterForm{Since: strings.TrimSpace(c.QueryParam("du")), Until: strings.TrimSpace(c.QueryParam("au"))}
	const badDate = "Paramètre « %s » : « %s » n'est pas une date au format AAAA-MM-JJ, par exemple 2026-03-01."
	if form.Since != "" {
		d, err := time.ParseInLocation(time.DateOnly, form.Since, paris)
		if err != nil {
			return f, form, fmt.Sprintf(badDate, "du", form.Since)
		}
		f.Since = d
	}
	if form.Until != "" {
		d, err := time.ParseInLocation(time.DateOnly, form.Until, paris)
		if err != nil {
			return f, form, fmt.Sprintf(badDate, "au", form.Until)
		}
		f.Until = d.AddDate(0, 0, 1) // the day given is included
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, form, "Paramètre « au » : la fin de la période doit suivre son début."
	}
	if raw := strings.TrimSpace(c.QueryParam("offre")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return f, form, "Paramètre « offre » : « " + raw + " » n'est pas un numéro d'offre."
		}
		f.OfferID, form.OfferID = id, id
	}
	return f, form, ""
}

// dashboardFigures are the headline figures, next to the pilot's.
func dashboardFigures(d outreach.Dashboard) []figure {
	t := d.Totals
	figs := []figure{
		{Label: "Taux de réponse", Value: percent(t.ReplyRate()),
			Detail: plural(t.Replied, "réponse") + fmt.Sprintf(" sur %d SMS remis", t.Delivered)},
		{Label: "Taux d'intérêt", Value: percent(t.InterestRate()),
			Detail: fmt.Sprintf("%d « oui » sur ", t.Interested) + plural(t.Replied, "réponse")},
		{Label: "Échecs de remise", Value: percent(t.FailureRate()),
			Detail: fmt.Sprintf("%d SMS non remis sur %d envoyés", t.Failed, t.Sent)},
		firstReplyFigure(d.FirstReply),
	}
	share, ok := d.Timings.Screening.ShareWithin()
	figs = append(figs, referenceFigure("Pré-sélection terminée en moins de 5 h", share, ok, outreach.ReferenceScreeningShare,
		fmt.Sprintf("%d sur ", d.Timings.Screening.CompletedWithin)+plural(d.Timings.Screening.Settled, "pré-sélection")))
	share, ok = d.Timings.Referral.ShareWithin()
	figs = append(figs, referenceFigure("Mise en relation en moins de 24 h", share, ok, outreach.ReferenceReferralShare,
		fmt.Sprintf("%d sur ", d.Timings.Referral.Within)+plural(d.Timings.Referral.Referred, "candidat")+" transmis à l'employeur"))
	return append(figs, spreadFigure(d.Spread))
}

func firstReplyFigure(r outreach.FirstReplyTimes) figure {
	f := figure{Label: "Délai médian de première réponse", Value: "—",
		Reference: "Référence du pilote : " + frenchDuration(outreach.ReferenceFirstReply),
		Detail:    "sur " + plural(r.Replied, "réponse")}
	if r.Median == nil {
		return f
	}
	f.Value = frenchDuration(*r.Median)
	if r.P90 != nil {
		f.Detail += ", 9 sur 10 en moins de " + frenchDuration(*r.P90)
	}
	f.Verdict, f.Kind = "plus rapide que la référence", "ok"
	if *r.Median > outreach.ReferenceFirstReply {
		f.Verdict, f.Kind = "plus lent que la référence", "warn"
	}
	return f
}

func referenceFigure(label string, share float64, ok bool, reference float64, detail string) figure {
	f := figure{Label: label, Value: "—", Detail: detail, Reference: "Référence du pilote : " + chart.Percent(reference)}
	if !ok {
		return f
	}
	f.Value = chart.Percent(share)
	f.Verdict, f.Kind = "au niveau de la référence", "ok"
	if share < reference {
		f.Verdict, f.Kind = "en dessous de la référence", "warn"
	}
	return f
}

func spreadFigure(sp outreach.SMSSpread) figure {
	f := figure{Label: "Répartition des SMS", Value: "—",
		Detail: fmt.Sprintf("%d SMS à ", sp.SMS) + plural(sp.Reached, "personne") +
			fmt.Sprintf(" sur %d suivie(s) ; au plus %d SMS pour une personne", sp.JobSeekers, sp.Max),
		Reference: "Indice de Gini : 0 quand chacun en reçoit autant, vers 1 quand quelques-uns les reçoivent tous"}
	if sp.Gini != nil {
		f.Value = "Gini " + chart.Number(math.Round(*sp.Gini*100)/100)
	}
	return f
}

// dashboardCharts draws the charts over time and the distributions.
func dashboardCharts(d outreach.Dashboard) []dashboardChart {
	labels := make([]string, len(d.Weeks))
	sent, replied, interested := make([]float64, len(d.Weeks)), make([]float64, len(d.Weeks)), make([]float64, len(d.Weeks))
	replyRate, interestRate := make([]float64, len(d.Weeks)), make([]float64, len(d.Weeks))
	for i, w := range d.Weeks {
		_, n := w.Start.ISOWeek()
		labels[i] = fmt.Sprintf("S%d (%s)", n, w.Start.Format("02/01"))
		sent[i], replied[i], interested[i] = float64(w.Sent), float64(w.Replied), float64(w.Interested)
		replyRate[i], interestRate[i] = orNaN(w.ReplyRate()), orNaN(w.InterestRate())
	}
	counts := []chart.Series{{Name: "SMS envoyés", Values: sent}, {Name: "Réponses", Values: replied},
		{Name: "Intéressés", Values: interested}}
	rates := []chart.Series{{Name: "Taux de réponse", Values: replyRate}, {Name: "Taux d'intérêt", Values: interestRate}}
	delays := make([]chart.Point, len(d.ReplyDelays))
	for i, b := range d.ReplyDelays {
		delays[i] = chart.Point{Label: b.Label(), Value: float64(b.Replies)}
	}
	spread := []chart.Point{{Label: "0", Value: float64(d.Spread.JobSeekers - d.Spread.Reached)}}
	for _, b := range d.Spread.Histogram {
		spread = append(spread, chart.Point{Label: b.Label(), Value: float64(b.JobSeekers)})
	}
	return []dashboardChart{
		{Title: "SMS et réponses par semaine",
			SVG: chart.Lines("SMS et réponses par semaine", "Nombre de SMS envoyés, de réponses et de réponses intéressées, "+
				"par semaine d'envoi.", labels, nil, counts...),
			Table: chart.SeriesTable("SMS et réponses par semaine", "Semaine", labels, nil, counts...)},
		{Title: "Taux de réponse et d'intérêt par semaine",
			SVG: chart.Lines("Taux de réponse et d'intérêt par semaine", "Part des SMS remis qui ont reçu une réponse, "+
				"et part des réponses intéressées, par semaine d'envoi.", labels, chart.Percent, rates...),
			Table: chart.SeriesTable("Taux par semaine", "Semaine", labels, chart.Percent, rates...)},
		{Title: "Délai de première réponse",
			SVG: chart.Bars("Délai de première réponse", "Nombre de réponses selon le temps écoulé depuis le SMS ; "+
				"la référence du pilote est une médiane de 19 minutes.", delays),
			Table: chart.PointsTable("Délai de première réponse", "Délai", "Réponses", delays)},
		{Title: "SMS reçus par personne suivie",
			SVG: chart.Bars("SMS reçus par personne suivie", "Nombre de personnes suivies selon le nombre de SMS "+
				"d'offre reçus sur la période : des barres proches disent des SMS bien répartis.", spread),
			Table: chart.PointsTable("SMS reçus par personne suivie", "SMS reçus", "Personnes", spread)},
	}
}

// plural writes n and the word, with an s from 2 on: "1 réponse",
// "0 réponse", "3 réponses".
func plural(n int, word string) string {
	if n > 1 {
		word += "s"
	}
	return strconv.Itoa(n) + " " + word
}

func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// frenchDuration writes a duration for a reader: "45 s", "19 min",
// "2 h 05", "3 j 4 h".
func frenchDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d j %d h", int(d.Hours())/24, int(d.Hours())%24)
}
