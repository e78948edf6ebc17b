package matcher_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/matcher"
)

// now is the time of ranking in these tests.
var now = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

func daysAgo(d float64) time.Time { return now.Add(-time.Duration(d * 24 * float64(time.Hour))) }

func TestRankSolicitationLimit(t *testing.T) {
	tests := []struct {
		name     string
		max, got int
		eligible bool
	}{
		{"no limit", 0, 50, true},
		{"below the limit", 2, 1, true},
		{"at the limit", 2, 2, false},
		{"over the limit", 2, 3, false},
		{"limit of one, none received", 1, 0, true},
		{"negative limit means none", -1, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, cand := baseOffer(), baseCandidate()
			offer.MaxPer7Days, cand.Solicitations7d = tt.max, tt.got
			if got := len(matcher.Rank(offer, []matcher.Candidate{cand})) == 1; got != tt.eligible {
				t.Errorf("eligible = %v, want %v", got, tt.eligible)
			}
		})
	}
}

func TestRankFreshness(t *testing.T) {
	tests := []struct {
		name       string
		now, last  time.Time
		wantPoints float64
		wantDetail string
	}{
		{"no time of ranking", time.Time{}, daysAgo(1), 0, "fraîcheur non évaluée"},
		{"never texted", now, time.Time{}, 5, "aucun SMS d'offre reçu"},
		{"an hour ago", now, daysAgo(0.04), 0, "dernier SMS d'offre il y a moins d'un jour"},
		{"one day and a half", now, daysAgo(1.5), 0.2, "dernier SMS d'offre il y a 1 jour"},
		{"a week", now, daysAgo(7), 1.3, "dernier SMS d'offre il y a 7 jours"},
		{"two weeks", now, daysAgo(14), 2.5, "dernier SMS d'offre il y a 14 jours"},
		{"four weeks", now, daysAgo(28), 5, "dernier SMS d'offre il y a 28 jours"},
		{"a month", now, daysAgo(30), 5, "dernier SMS d'offre il y a 30 jours"},
		{"in the future", now, daysAgo(-2), 0, "dernier SMS d'offre il y a moins d'un jour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, cand := baseOffer(), baseCandidate()
			offer.Now, cand.LastContactedAt = tt.now, tt.last
			got := matcher.Rank(offer, []matcher.Candidate{cand})
			if r := got[0].Reasons[3]; r.Factor != "freshness" || r.Points != tt.wantPoints || r.Detail != tt.wantDetail {
				t.Errorf("reason = %+v, want freshness %v %q", r, tt.wantPoints, tt.wantDetail)
			}
		})
	}
}

func TestRankFatigue(t *testing.T) {
	tests := []struct {
		name              string
		max, got, pending int
		wantPoints        float64
		wantDetail        string
	}{
		{"nothing pending, no limit", 0, 0, 0, 0, "aucune offre sans réponse"},
		{"nothing pending, limit", 2, 0, 0, 0, "aucune offre sans réponse, 0 SMS d'offre en 7 jours (plafond 2)"},
		{"one pending", 2, 1, 1, -5, "1 offre sans réponse, 1 SMS d'offre en 7 jours (plafond 2)"},
		{"two pending, no limit", 0, 4, 2, -10, "2 offres sans réponse, 4 SMS d'offre en 7 jours"},
		{"three pending", 0, 0, 3, -15, "3 offres sans réponse"},
		{"penalty capped", 0, 0, 7, -15, "7 offres sans réponse"},
		{"negative counts as none", 0, -1, -2, 0, "aucune offre sans réponse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, cand := baseOffer(), baseCandidate()
			offer.MaxPer7Days = tt.max
			cand.Solicitations7d, cand.PendingUnanswered = tt.got, tt.pending
			got := matcher.Rank(offer, []matcher.Candidate{cand})
			if r := got[0].Reasons[4]; r.Factor != "fatigue" || r.Points != tt.wantPoints || r.Detail != tt.wantDetail {
				t.Errorf("reason = %+v, want fatigue %v %q", r, tt.wantPoints, tt.wantDetail)
			}
		})
	}
}

// TestRankScoreBounds checks the documented extremes: 100 for the best
// possible match, 0 for the worst eligible one, with every reason in order.
func TestRankScoreBounds(t *testing.T) {
	best, worst := baseOffer(), wiringOffer()
	best.Now, best.MaxPer7Days, best.Skills = now, 2, []string{"Accueil client"}
	worst.Now, worst.MaxPer7Days, worst.Skills = now, 5, []string{"Soudure"}
	worst.Related["I1307"] = 12
	tests := []struct {
		name      string
		offer     matcher.Offer
		candidate matcher.Candidate
		want      matcher.Match
	}{
		{"best", best, matcher.Candidate{ID: 1, ROMECodes: []string{"D1102"}, Location: lyon, Skills: []string{"accueil client"}},
			matcher.Match{CandidateID: 1, Score: 100, Reasons: []matcher.Reason{
				{Factor: "occupation", Points: 40, Detail: "métier recherché D1102"},
				{Factor: "distance", Points: 35, Detail: "0 km de Lyon (limite 30 km)"},
				{Factor: "skills", Points: 20, Detail: "1 compétence sur 1 : Accueil client"},
				{Factor: "freshness", Points: 5, Detail: "aucun SMS d'offre reçu"},
				{Factor: "fatigue", Points: 0, Detail: "aucune offre sans réponse, 0 SMS d'offre en 7 jours (plafond 2)"},
				{Factor: "contract", Points: 0, Detail: "tout type de contrat"},
			}}},
		{"worst", worst, matcher.Candidate{ID: 2, ROMECodes: []string{"I1307"}, Location: north(30), ContractTypes: []string{"CDI"},
			Solicitations7d: 4, PendingUnanswered: 4, LastContactedAt: now},
			matcher.Match{CandidateID: 2, Score: 0, DistanceKM: 30, Reasons: []matcher.Reason{
				{Factor: "occupation", Points: 15, Detail: "métier proche : I1307 → H2605 (mobilité n°12)"},
				{Factor: "distance", Points: 0, Detail: "30 km de Lyon (limite 30 km)"},
				{Factor: "skills", Points: 0, Detail: "0 compétence sur 1"},
				{Factor: "freshness", Points: 0, Detail: "dernier SMS d'offre il y a moins d'un jour"},
				{Factor: "fatigue", Points: -15, Detail: "4 offres sans réponse, 4 SMS d'offre en 7 jours (plafond 5)"},
				{Factor: "contract", Points: 0, Detail: "accepte le CDI"},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matcher.Rank(tt.offer, []matcher.Candidate{tt.candidate})
			if len(got) != 1 {
				t.Fatalf("Rank returned %d matches, want 1", len(got))
			}
			if !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("match:\n got %+v\nwant %+v", got[0], tt.want)
			}
		})
	}
}

// TestRankFatigueOrder checks that, all else equal, the rested candidate
// comes before the one texted yesterday, who comes before the one with
// offers left unanswered.
func TestRankFatigueOrder(t *testing.T) {
	offer := baseOffer()
	offer.Now, offer.MaxPer7Days = now, 2
	at := north(10)
	candidates := []matcher.Candidate{
		{ID: 1, ROMECodes: []string{"D1102"}, Location: at, Solicitations7d: 1, PendingUnanswered: 1, LastContactedAt: daysAgo(1)},
		{ID: 2, ROMECodes: []string{"D1102"}, Location: at, Solicitations7d: 1, LastContactedAt: daysAgo(1)},
		{ID: 3, ROMECodes: []string{"D1102"}, Location: at, LastContactedAt: daysAgo(20)},
		{ID: 4, ROMECodes: []string{"D1102"}, Location: at, Solicitations7d: 2, LastContactedAt: daysAgo(2)},
	}
	var ids []int64
	for _, m := range matcher.Rank(offer, candidates) {
		ids = append(ids, m.CandidateID)
	}
	if want := []int64{3, 2, 1}; !reflect.DeepEqual(ids, want) {
		t.Errorf("order = %v, want %v", ids, want)
	}
}
