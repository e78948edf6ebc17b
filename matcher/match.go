package matcher

import (
	"cmp"
	"slices"
	"time"
)

// Factor names, as found in Reason.Factor. They are part of the API contract.
const (
	FactorOccupation = "occupation"
	FactorDistance   = "distance"
	FactorSkills     = "skills"
	FactorFreshness  = "freshness"
	FactorFatigue    = "fatigue"
	FactorContract   = "contract"
)

// Offer is what ranking needs to know about a job offer.
type Offer struct {
	ROMECode     string   // occupation sought, e.g. D1102
	Location     Point    // workplace
	RadiusKM     float64  // farthest a candidate may live; must be positive
	ContractType string   // contract code, e.g. CDI, CDD, MIS
	Skills       []string // skills asked for, as the offer spells them
	Town         string   // workplace town, named in the distance reason; optional

	// Related lists the occupations from which a job seeker can move to
	// ROMECode: each key X is a ROME code with a mobility link X → ROMECode
	// in the ROME referential, and its value is the rank of ROMECode in X's
	// list of mobilities (1 = closest). Nil: exact occupation only.
	Related map[string]int
	// ROMELabels names ROME codes in the occupation reason, e.g.
	// "D1102" → "Boulanger / Boulangère"; optional.
	ROMELabels map[string]string

	// MaxPer7Days is the most offer SMS a job seeker may have received in
	// the rolling 7 days and still be proposed; 0: no limit.
	MaxPer7Days int
	// Now is the time of ranking, against which the freshness of the last
	// contact is measured; zero: freshness is not scored.
	Now time.Time
	// StartsOn is the first day of work (its date counts, not its time);
	// zero: as soon as possible, that is the day of Now.
	StartsOn time.Time
}

// Candidate is a job seeker the database pre-selected for an offer.
type Candidate struct {
	ID            int64
	ROMECodes     []string // occupations the job seeker looks for
	Location      Point
	MobilityKM    float64  // farthest the job seeker will travel; 0 or less: the offer's radius
	ContractTypes []string // contracts accepted; empty: any
	Skills        []string

	Solicitations7d   int       // offer SMS received in the rolling 7 days
	PendingUnanswered int       // offers texted to them, still open, not answered
	LastContactedAt   time.Time // last offer SMS; zero: never

	// AvailableFrom is the first day the job seeker can start (its date
	// counts, not its time); zero: available now.
	AvailableFrom time.Time
}

// Reason explains one part of a match's score to the counsellor and to API
// clients. The package documentation lists the factors and their points.
type Reason struct {
	Factor string  `json:"factor"` // one of the Factor constants
	Points float64 `json:"points"` // contribution to the score, rounded to 0.1
	Detail string  `json:"detail"` // French, e.g. "12,3 km de Lyon (limite 30 km)"
}

// Match is an eligible candidate with a score and the reasons for it.
type Match struct {
	CandidateID int64    `json:"candidate_id"`
	Score       float64  `json:"score"`       // 0 to 100, rounded to 0.1
	DistanceKM  float64  `json:"distance_km"` // rounded to 0.1
	Reasons     []Reason `json:"reasons"`     // one per factor, in documented order
}

// Rank returns the candidates eligible for offer, best first, each with its
// score and reasons, following the rules of the package documentation.
// Candidates that are not eligible are left out. The result is never nil.
func Rank(offer Offer, candidates []Candidate) []Match {
	s := newScorer(offer)
	eligible := s.eligible(candidates)
	matches := make([]Match, len(eligible))
	// One backing array for every match's reasons; each match gets a slice
	// capped at its own reasons, so appending to one cannot touch another.
	n := len(parts)
	reasons := make([]Reason, n*len(eligible))
	for i, p := range eligible {
		matches[i] = s.match(p, reasons[i*n:(i+1)*n:(i+1)*n])
	}
	slices.SortFunc(matches, compareMatches)
	return matches
}

// compareMatches orders matches best first: higher score, then shorter
// distance, then lower candidate ID.
func compareMatches(a, b Match) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if c := cmp.Compare(a.DistanceKM, b.DistanceKM); c != 0 {
		return c
	}
	return cmp.Compare(a.CandidateID, b.CandidateID)
}
