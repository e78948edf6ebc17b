package matcher_test

import (
	"math/rand/v2"
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

// benchCandidates returns n job seekers for an offer in Lyon, the same ones
// on every run, as the SQL pre-filter would pass them: the offer's ROME code
// among theirs and a home inside the offer's bounding box, so that some are
// still too far or want another contract.
func benchCandidates(offer matcher.Offer, n int) []matcher.Candidate {
	minLat, maxLat, minLon, maxLon := matcher.BoundingBox(offer.Location, offer.RadiusKM)
	rng := rand.New(rand.NewPCG(2026, 1))
	romes := [][]string{{"D1102"}, {"D1102", "D1104"}, {"D1104", "D1102"}}
	contracts := [][]string{nil, {"CDI"}, {"cdi", "CDD"}, {"CDD"}, {"MIS"}}
	mobility := []float64{0, 10, 20, 30, 50}
	skills := []string{
		"accueil client", "Encaissement", "hygiène alimentaire", "HYGIENE ALIMENTAIRE",
		"petrissage", "Façonnage", "vente", "cuisson  au four", "soudure", "gestion des stocks",
	}
	out := make([]matcher.Candidate, n)
	for i := range out {
		own := make([]string, rng.IntN(5))
		for j := range own {
			own[j] = skills[rng.IntN(len(skills))]
		}
		out[i] = matcher.Candidate{
			ID:        int64(i + 1),
			ROMECodes: romes[rng.IntN(len(romes))],
			Location: matcher.Point{
				Lat: minLat + rng.Float64()*(maxLat-minLat),
				Lon: minLon + rng.Float64()*(maxLon-minLon),
			},
			MobilityKM:    mobility[rng.IntN(len(mobility))],
			ContractTypes: contracts[rng.IntN(len(contracts))],
			Skills:        own,
		}
	}
	return out
}

func BenchmarkRank(b *testing.B) {
	offer := baseOffer()
	offer.Skills = []string{"Accueil client", "Encaissement", "Hygiène alimentaire", "Pétrissage"}
	candidates := benchCandidates(offer, 50_000)
	b.ReportAllocs()
	var matches int
	for b.Loop() {
		matches = len(matcher.Rank(offer, candidates))
	}
	b.ReportMetric(float64(matches), "matches")
}

func BenchmarkAllocate(b *testing.B) {
	offer := baseOffer()
	offer.Skills = []string{"Accueil client", "Encaissement", "Hygiène alimentaire", "Pétrissage"}
	matches := matcher.Rank(offer, benchCandidates(offer, 50_000))
	b.ReportAllocs()
	var seed uint64
	for b.Loop() {
		seed++
		matcher.Allocate(matches, 50, seed)
	}
	b.ReportMetric(float64(len(matches)), "matches")
}

// BenchmarkSpread plays the spread model of TestSpreadAcrossSimilarOffers
// (200 similar offers texting 20 each among 2,000 job seekers) and reports
// how concentrated the SMS are: the share that went to the 10% most solicited
// and the Gini coefficient of SMS per job seeker.
func BenchmarkSpread(b *testing.B) {
	var run matcher.CampaignResult
	for b.Loop() {
		run = simulateSpread(allocated)
	}
	b.ReportMetric(matcher.TopShare(run.Counts, 0.10), "top10_share")
	b.ReportMetric(matcher.Gini(run.Counts), "gini")
}
