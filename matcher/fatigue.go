package matcher

import (
	"strconv"
	"strings"
	"time"
)

// Points of the freshness and fatigue factors; see the package documentation.
const (
	maxFreshnessPoints = 5.0
	freshAfterDays     = 28  // days without an offer SMS that earn every freshness point
	pendingPenalty     = 5.0 // per offer left unanswered
	maxFatiguePenalty  = 15.0
)

// Fixed details.
const (
	noFreshnessDetail = "fraîcheur non évaluée"
	neverSentDetail   = "aucun SMS d'offre reçu"
)

// overSolicited reports whether the candidate already received as many offer
// SMS in the rolling 7 days as the offer allows.
func (s *scorer) overSolicited(c *Candidate) bool {
	return s.offer.MaxPer7Days > 0 && c.Solicitations7d >= s.offer.MaxPer7Days
}

// freshness rewards a candidate not texted lately: 0 points the day of the
// last offer SMS, rising by whole days to 5 after 28 days or when never
// texted. Without a time of ranking, it scores nothing for anyone.
func (s *scorer) freshness(p pairing) (float64, string) {
	if s.offer.Now.IsZero() {
		return 0, noFreshnessDetail
	}
	last := p.candidate.LastContactedAt
	if last.IsZero() {
		return maxFreshnessPoints, neverSentDetail
	}
	days := max(int(s.offer.Now.Sub(last)/(24*time.Hour)), 0) // a future date counts as today
	points := maxFreshnessPoints * float64(min(days, freshAfterDays)) / freshAfterDays
	detail, ok := s.freshnessDetails[days]
	if !ok {
		detail = freshnessDetail(days)
		s.freshnessDetails[days] = detail
	}
	return points, detail
}

// freshnessDetail says how long ago the last offer SMS was sent:
// "dernier SMS d'offre il y a 3 jours".
func freshnessDetail(days int) string {
	if days == 0 {
		return "dernier SMS d'offre il y a moins d'un jour"
	}
	return "dernier SMS d'offre il y a " + strconv.Itoa(days) + plural(days, " jour")
}

// fatigue penalises a candidate who left offers unanswered: 5 points per
// pending offer, at most 15.
func (s *scorer) fatigue(p pairing) (float64, string) {
	pending := max(p.candidate.PendingUnanswered, 0)
	recent := max(p.candidate.Solicitations7d, 0)
	key := [2]int{pending, recent}
	detail, ok := s.fatigueDetails[key]
	if !ok {
		detail = s.fatigueDetail(pending, recent)
		s.fatigueDetails[key] = detail
	}
	if pending == 0 {
		return 0, detail // not -0, which JSON would print
	}
	return -min(pendingPenalty*float64(pending), maxFatiguePenalty), detail
}

// fatigueDetail describes the candidate's pending offers and recent SMS:
// "2 offres sans réponse, 1 SMS d'offre en 7 jours (plafond 2)".
func (s *scorer) fatigueDetail(pending, recent int) string {
	var b strings.Builder
	if pending == 0 {
		b.WriteString("aucune offre sans réponse")
	} else {
		b.WriteString(strconv.Itoa(pending))
		b.WriteString(plural(pending, " offre"))
		b.WriteString(" sans réponse")
	}
	if limit := s.offer.MaxPer7Days; limit > 0 || recent > 0 {
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(recent))
		b.WriteString(" SMS d'offre en 7 jours")
		if limit > 0 {
			b.WriteString(" (plafond " + strconv.Itoa(limit) + ")")
		}
	}
	return b.String()
}
