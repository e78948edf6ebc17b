package outreach

import (
	"context"
	"fmt"
	"slices"

	"github.com/franceoutreach/outreach/matcher"
)

// InsightRadiiKM are the distances at which an offer's pool is counted.
var InsightRadiiKM = []float64{10, 30, 50}

// Insight tells an employer, through the counsellor, how easy an offer
// looks to fill compared with the local market.
type Insight struct {
	OfferID  int64
	Eligible map[int]int // eligible candidates by radius in km (10, 30, 50)
	// AtRadius counts those eligible with the offer's own criteria, within
	// its radius RadiusKM.
	AtRadius int
	RadiusKM float64
	// Department and the median of AtRadius over the latest offers of the
	// same ROME code there; MarketMedian is nil with fewer than
	// minMarketOffers such offers.
	Department    string
	MarketOffers  int
	MarketMedian  *float64
	HardToFill    bool
	Reasons       []string // why it looks hard to fill, in French
	Widen         []Widening
	ContractFreed int // candidates in range excluded only by the contract type
}

// Widening is one change that would bring more candidates.
type Widening struct {
	Criterion  string `json:"criterion"` // radius, contract_type, skills
	Suggestion string `json:"suggestion"`
	Gain       int    `json:"gain"` // more eligible candidates
}

const (
	minMarketOffers = 3  // offers needed before a market median means anything
	marketSample    = 25 // latest same-code offers compared
	fewCandidates   = 5  // per position, below which an offer is hard to fill
)

// OfferInsight counts the offer's eligible candidates at 10, 30 and 50 km,
// compares them with other offers for the same occupation in the same
// department, and says what would widen the pool.
func (s *Service) OfferInsight(ctx context.Context, offerID int64) (Insight, error) {
	o, err := s.store.Offer(ctx, offerID)
	if err != nil {
		return Insight{}, err
	}
	in := Insight{OfferID: o.ID, Eligible: map[int]int{}, RadiusKM: o.RadiusKM}
	pool, err := s.poolWithin(ctx, o, slices.Max(append(slices.Clone(InsightRadiiKM), o.RadiusKM)))
	if err != nil {
		return Insight{}, err
	}
	for _, r := range InsightRadiiKM {
		in.Eligible[int(r)] = countEligible(o, pool, r)
	}
	in.AtRadius = countEligible(o, pool, o.RadiusKM)
	in.ContractFreed = countEligible(withContract(o, ""), pool, o.RadiusKM) - in.AtRadius
	if err := s.market(ctx, o, &in); err != nil {
		return Insight{}, err
	}
	judge(o, &in)
	return in, nil
}

// poolPart is what insight ranks: the matcher's view plus the offer's related codes.
type poolPart struct {
	cands   []matcher.Candidate
	related map[string]int
}

func (s *Service) poolWithin(ctx context.Context, o Offer, radius float64) (poolPart, error) {
	related, err := s.store.RelatedOccupations(ctx, o.ROMECode)
	if err != nil {
		return poolPart{}, fmt.Errorf("related occupations: %w", err)
	}
	codes := []string{o.ROMECode}
	for code := range related {
		codes = append(codes, code)
	}
	wide := o
	wide.RadiusKM = radius
	found, err := s.store.MatchCandidates(ctx, MatchQuery{Offer: wide, ROMECodes: codes})
	if err != nil {
		return poolPart{}, fmt.Errorf("match candidates: %w", err)
	}
	p := poolPart{related: related, cands: make([]matcher.Candidate, len(found))}
	for i, c := range found {
		p.cands[i] = c.Candidate
	}
	return p, nil
}

// countEligible counts the pool's candidates eligible for o at radius km.
// The contract type "" means any contract.
func countEligible(o Offer, p poolPart, radius float64) int {
	mo := matcher.Offer{ROMECode: o.ROMECode, Location: matcher.Point{Lat: o.Location.Lat, Lon: o.Location.Lon},
		RadiusKM: radius, ContractType: o.ContractType, Related: p.related}
	cands := p.cands
	if o.ContractType == "" {
		cands = make([]matcher.Candidate, len(p.cands))
		for i, c := range p.cands {
			c.ContractTypes = nil
			cands[i] = c
		}
	}
	return len(matcher.Rank(mo, cands))
}

func withContract(o Offer, contract string) Offer {
	o.ContractType = contract
	return o
}

// market finds the median pool of the latest offers for the same ROME code
// in the offer's department.
func (s *Service) market(ctx context.Context, o Offer, in *Insight) error {
	dept, peers, err := s.store.MarketOffers(ctx, o, marketSample)
	if err != nil {
		return fmt.Errorf("market offers: %w", err)
	}
	in.Department, in.MarketOffers = dept, len(peers)
	if len(peers) < minMarketOffers {
		return nil
	}
	counts := make([]float64, 0, len(peers))
	for _, peer := range peers {
		if peer.ID == o.ID { // counted already
			counts = append(counts, float64(in.AtRadius))
			continue
		}
		p, err := s.poolWithin(ctx, peer, peer.RadiusKM)
		if err != nil {
			return err
		}
		counts = append(counts, float64(countEligible(peer, p, peer.RadiusKM)))
	}
	slices.Sort(counts)
	median := counts[len(counts)/2]
	if len(counts)%2 == 0 {
		median = (counts[len(counts)/2-1] + median) / 2
	}
	in.MarketMedian = &median
	return nil
}

// judge flags a hard-to-fill offer and lists what would widen it.
func judge(o Offer, in *Insight) {
	if in.AtRadius < fewCandidates*o.Positions {
		in.Reasons = append(in.Reasons, fmt.Sprintf("seulement %d candidat(s) dans un rayon de %.0f km pour %d poste(s)", in.AtRadius, o.RadiusKM, o.Positions))
	}
	if in.MarketMedian != nil && float64(in.AtRadius) < *in.MarketMedian/2 {
		in.Reasons = append(in.Reasons, fmt.Sprintf("moins de la moitié des candidats des offres comparables du département (médiane %.0f)", *in.MarketMedian))
	}
	in.HardToFill = len(in.Reasons) > 0
	if wider := in.Eligible[50]; o.RadiusKM < 50 && wider > in.AtRadius {
		in.Widen = append(in.Widen, Widening{Criterion: "radius", Gain: wider - in.AtRadius,
			Suggestion: fmt.Sprintf("élargir le rayon à 50 km : %d candidats au lieu de %d", wider, in.AtRadius)})
	}
	if in.ContractFreed > 0 {
		in.Widen = append(in.Widen, Widening{Criterion: "contract_type", Gain: in.ContractFreed,
			Suggestion: fmt.Sprintf("%d candidat(s) à portée ne cherchent pas de %s : proposer un autre type de contrat", in.ContractFreed, ContractLabel(o.ContractType))})
	}
	if len(o.Skills) > 0 {
		in.Widen = append(in.Widen, Widening{Criterion: "skills",
			Suggestion: "les compétences demandées ne filtrent pas les candidats, elles les classent : en demander moins ne change pas le nombre, seulement l'ordre"})
	}
}
