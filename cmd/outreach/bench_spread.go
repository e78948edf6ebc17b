package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
)

// The spread campaign: 200 similar order-picker offers (N1103, CDI, 20 km)
// within 5 km of Lyon, published over 4 weeks, each texting 20 people, with
// the product's rules (at most 2 offer SMS in 7 days, score-weighted draw),
// played over the bench's own job seekers of the area.
const (
	spreadCode     = "N1103"
	spreadOffers   = 200
	spreadPerOffer = 20
	spreadRadiusKM = 20
)

// spread is how concentrated the campaign's SMS were.
type spread struct {
	eligible, reached int
	top10, gini       float64
}

func (b *bench) spread(ctx context.Context) (spread, error) {
	lyon := matcher.Point{Lat: 45.7640, Lon: 4.8357}
	found, err := b.store.MatchCandidates(ctx, outreach.MatchQuery{
		Offer:     outreach.Offer{Location: outreach.Point(lyon), RadiusKM: spreadRadiusKM + 5},
		ROMECodes: []string{spreadCode},
	})
	if err != nil {
		return spread{}, fmt.Errorf("spread population: %w", err)
	}
	people := make([]matcher.Candidate, len(found))
	for i, c := range found {
		people[i] = c.Candidate
	}
	offers := spreadCampaignOffers(lyon)
	res := matcher.Simulate(people, matcher.Campaign{Offers: offers, PerOffer: spreadPerOffer,
		MaxPer7Days: outreach.DefaultMaxOfferSMSPer7Days, AnswerRate: 0.5, Seed: 1})
	// Measure over those at least one offer could reach: nobody can be
	// texted about an offer out of their range.
	reachable := map[int64]bool{}
	for _, o := range offers {
		for _, m := range matcher.Rank(o, people) {
			reachable[m.CandidateID] = true
		}
	}
	var counts []int
	s := spread{}
	for i, p := range people {
		if reachable[p.ID] {
			counts = append(counts, res.Counts[i])
			if res.Counts[i] > 0 {
				s.reached++
			}
		}
	}
	s.eligible, s.top10, s.gini = len(counts), matcher.TopShare(counts, 0.10), matcher.Gini(counts)
	fmt.Fprintf(b.out, "spread: %d similar offers (%s, %d km, within 5 km of Lyon) over 4 weeks, %d SMS each, among %d reachable job seekers: "+
		"%d texted, top 10%% got %.1f%% of the SMS, Gini %.2f\n", spreadOffers, spreadCode, spreadRadiusKM, spreadPerOffer,
		s.eligible, s.reached, 100*s.top10, s.gini)
	return s, nil
}

func spreadCampaignOffers(centre matcher.Point) []matcher.Offer {
	rng := rand.New(rand.NewPCG(2026, 11))
	start := time.Now().Truncate(time.Hour)
	step := 4 * 7 * 24 * time.Hour / spreadOffers
	offers := make([]matcher.Offer, spreadOffers)
	for i := range offers {
		// A point within 5 km of the centre (small-distance approximation).
		d, a := 5*math.Sqrt(rng.Float64()), 2*math.Pi*rng.Float64()
		p := matcher.Point{Lat: centre.Lat + d*math.Cos(a)/111.2, Lon: centre.Lon + d*math.Sin(a)/(111.2*math.Cos(centre.Lat*math.Pi/180))}
		offers[i] = matcher.Offer{ROMECode: spreadCode, Location: p, RadiusKM: spreadRadiusKM, ContractType: "CDI",
			Town: "Lyon", Now: start.Add(time.Duration(i) * step)}
	}
	return offers
}
