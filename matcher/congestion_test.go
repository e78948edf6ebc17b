package matcher_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/matcher"
)

// The spread model: one area, 2,000 job seekers who all look for D1102
// (bakery), live within 20 km of Lyon (uniform over the disc) and accept
// permanent contracts, some also CDD, with mobilities from 15 km to none; and
// 200 similar bakery offers within 5 km of the centre (radius 30 km, three of
// six skills, a quarter of them CDD), published over 4 weeks: 50 a week, one
// every 3 h 22 min. Each offer texts 20 people. A texted person answers half
// of the time; an unanswered SMS stays pending for 7 days, when the offer
// closes. Before each offer, every job seeker's Solicitations7d,
// PendingUnanswered and LastContactedAt are computed from the SMS they got in
// the 7 days before it: a truly rolling window, not weekly buckets.
//
// Nearly everyone can be reached by most offers, so the figures measure the
// choice of whom to text, not who is eligible: no draw can text people whom
// no offer reaches, and a population with many of them looks concentrated
// whatever the strategy: with homes up to 25 km, a fifth of the people
// accepting CDD only and a quarter with a mobility of 10 km, even a uniform
// draw gives the top 10% a quarter of the SMS.
const (
	spreadPeople   = 2000
	spreadOffers   = 200
	spreadPerOffer = 20
	spreadWeeks    = 4
	spreadMaxPer7  = 2
)

const week = 7 * 24 * time.Hour // for spacing the offers

// spreadArea returns the job seekers and offers of the model, the same on
// every run.
func spreadArea() ([]matcher.Candidate, []matcher.Offer) {
	rng := rand.New(rand.NewPCG(2026, 3))
	skills := []string{"Pétrissage", "Façonnage", "Cuisson", "Hygiène alimentaire", "Vente", "Encaissement"}
	subset := func(n int) []string {
		out := make([]string, 0, n)
		for _, i := range rng.Perm(len(skills))[:n] {
			out = append(out, skills[i])
		}
		return out
	}
	contracts := [][]string{nil, nil, {"CDI"}, {"CDI", "CDD"}, {"CDI", "MIS"}}
	people := make([]matcher.Candidate, spreadPeople)
	for i := range people {
		people[i] = matcher.Candidate{
			ID:            int64(i + 1),
			ROMECodes:     []string{"D1102"},
			Location:      destination(lyon, rng.Float64()*360, 20*math.Sqrt(rng.Float64())), // uniform in the disc
			MobilityKM:    []float64{0, 15, 20, 30, 40}[rng.IntN(5)],
			ContractTypes: contracts[rng.IntN(len(contracts))],
			Skills:        normalized(subset(rng.IntN(len(skills) + 1))),
		}
	}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	step := spreadWeeks * week / spreadOffers
	offers := make([]matcher.Offer, spreadOffers)
	for i := range offers {
		offers[i] = matcher.Offer{
			ROMECode:     "D1102",
			Location:     destination(lyon, rng.Float64()*360, 5*rng.Float64()),
			RadiusKM:     30,
			ContractType: []string{"CDI", "CDI", "CDI", "CDD"}[rng.IntN(4)],
			Skills:       subset(3),
			Town:         "Lyon",
			Now:          start.Add(time.Duration(i) * step),
		}
	}
	return people, offers
}

// normalized returns skills as a store would keep them, already normalised,
// so that ranking does not redo it for every offer.
func normalized(skills []string) []string {
	for i, s := range skills {
		skills[i] = matcher.NormalizeSkill(s)
	}
	return skills
}

// Strategies compared: the product's (fatigue rules, then Allocate), the
// first matcher's (the top 20 of every offer), and the top 20 under the
// fatigue rules.
var (
	allocated = matcher.Campaign{PerOffer: spreadPerOffer, MaxPer7Days: spreadMaxPer7, AnswerRate: 0.5, Seed: 1}
	naive     = matcher.Campaign{PerOffer: spreadPerOffer, AnswerRate: 0.5, Seed: 1, Pick: topN}
	cappedTop = matcher.Campaign{PerOffer: spreadPerOffer, MaxPer7Days: spreadMaxPer7, AnswerRate: 0.5, Seed: 1, Pick: topN}
)

// simulateSpread plays the model's area with a strategy.
func simulateSpread(c matcher.Campaign) matcher.CampaignResult {
	people, offers := spreadArea()
	c.Offers = offers
	return matcher.Simulate(people, c)
}

// topN picks the best 20 of the ranked matches.
func topN(ranked []matcher.Match, _ int) []matcher.Match {
	return ranked[:min(spreadPerOffer, len(ranked))]
}

// TestSpreadAcrossSimilarOffers shows the effect of Rank with the fatigue
// rules and Allocate against texting the top 20 of every offer.
func TestSpreadAcrossSimilarOffers(t *testing.T) {
	runs := map[string]matcher.CampaignResult{
		"allocated":  simulateSpread(allocated),
		"naive":      simulateSpread(naive),
		"capped top": simulateSpread(cappedTop),
	}
	for _, name := range []string{"allocated", "capped top", "naive"} {
		r := runs[name]
		t.Logf("%-10s  sms=%d  top10_share=%.3f  gini=%.3f  mean_score=%.1f  reached=%d",
			name, r.Sent, matcher.TopShare(r.Counts, 0.10), matcher.Gini(r.Counts), r.MeanScore, reached(r.Counts))
	}
	a, n := runs["allocated"], runs["naive"]
	if want := spreadOffers * spreadPerOffer; a.Sent != want || n.Sent != want {
		t.Fatalf("sent %d (allocated) and %d (naive) SMS, want %d each", a.Sent, n.Sent, want)
	}
	if a.MaxIn7d > spreadMaxPer7 {
		t.Errorf("someone got %d SMS within 7 days, limit %d", a.MaxIn7d, spreadMaxPer7)
	}
	top := matcher.TopShare(a.Counts, 0.10)
	if top > 0.25 {
		t.Errorf("allocated: top 10%% of job seekers got %.3f of the SMS, want at most 0.25", top)
	}
	if naiveTop := matcher.TopShare(n.Counts, 0.10); naiveTop < 0.9 || naiveTop < 3*top {
		t.Errorf("naive: top 10%% got %.3f of the SMS, want at least 0.9 and 3 × allocated (%.3f)", naiveTop, top)
	}
}

// reached counts the job seekers who got at least one SMS.
func reached(counts []int) int {
	n := 0
	for _, c := range counts {
		if c > 0 {
			n++
		}
	}
	return n
}
