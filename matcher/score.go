package matcher

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Points of the distance and skills factors; see the package documentation.
const (
	maxDistancePoints = 35.0
	maxSkillsPoints   = 20.0
	noSkillsPoints    = 10.0 // when the offer asks for no particular skill
)

// Fixed details.
const (
	noSkillsDetail    = "aucune compétence demandée"
	anyContractDetail = "tout type de contrat"
)

// pairing is an eligible candidate with what the eligibility check measured.
type pairing struct {
	candidate  *Candidate
	distanceKM float64
	limitKM    float64       // min(offer radius, candidate mobility)
	link       *mobilityLink // how the candidate reaches the occupation; nil: exact
}

// part scores one factor of a match, with unrounded points.
type part struct {
	factor string
	score  func(s *scorer, p pairing) (points float64, detail string)
}

// parts are the factors of the score, in the order of Match.Reasons. A new
// factor is a new part here, documented in doc.go.
var parts = [...]part{
	{FactorOccupation, (*scorer).occupation},
	{FactorDistance, (*scorer).distance},
	{FactorSkills, (*scorer).skills},
	{FactorFreshness, (*scorer).freshness},
	{FactorFatigue, (*scorer).fatigue},
	{FactorContract, (*scorer).contract},
}

// scorer holds what ranking one offer needs, prepared once for all its
// candidates, and caches of the details that many candidates share.
type scorer struct {
	offer        Offer
	rome         string // upper case
	contractType string
	startDay     int                      // date by which candidates must be available, as yyyymmdd; 0: any
	related      map[string]*mobilityLink // by the candidate's ROME code, upper case

	requested  []string       // distinct requested skills, as the offer spells them
	skillIndex map[string]int // normalised label -> index in requested
	matched    []bool         // scratch: which skills the current candidate has
	label      []byte         // scratch: a candidate's skill, normalised

	occupationDetail string
	contractDetail   string // when the candidate lists the offer's contract
	town             string // " de Lyon", or ""
	distanceDetails  map[[2]int64]string
	skillsDetails    map[uint64]string // by bit set of matched skills
	freshnessDetails map[int]string    // by whole days since the last contact
	fatigueDetails   map[[2]int]string // by pending offers and SMS in 7 days
}

func newScorer(offer Offer) *scorer {
	s := &scorer{
		offer:            offer,
		rome:             normalROME(offer.ROMECode),
		contractType:     strings.TrimSpace(offer.ContractType),
		town:             fromTown(offer.Town),
		distanceDetails:  make(map[[2]int64]string),
		skillsDetails:    make(map[uint64]string),
		freshnessDetails: make(map[int]string),
		fatigueDetails:   make(map[[2]int]string),
	}
	s.startDay = startDay(offer)
	s.related = mobilityLinks(s.rome, offer.Related, offer.ROMELabels)
	s.occupationDetail = "métier recherché " + romeName(s.rome, offer.ROMELabels)
	s.contractDetail = "accepte le " + strings.ToUpper(s.contractType)
	s.request(offer.Skills)
	return s
}

// request records the offer's distinct skills, in the offer's order.
func (s *scorer) request(skills []string) {
	s.skillIndex = make(map[string]int, len(skills))
	for _, label := range skills {
		key := NormalizeSkill(label)
		if _, dup := s.skillIndex[key]; key == "" || dup {
			continue
		}
		s.skillIndex[key] = len(s.requested)
		s.requested = append(s.requested, strings.Join(strings.Fields(label), " "))
	}
	s.matched = make([]bool, len(s.requested))
}

// eligible returns the candidates that may be offered the job, with their
// distance and limit, in input order.
func (s *scorer) eligible(candidates []Candidate) []pairing {
	if s.rome == "" || !(s.offer.RadiusKM > 0) {
		return nil
	}
	var out []pairing
	for i := range candidates {
		c := &candidates[i]
		link, ok := s.occupationLink(c)
		if !ok || s.overSolicited(c) || !s.available(c) {
			continue
		}
		if len(c.ContractTypes) > 0 && !containsFold(c.ContractTypes, s.contractType) {
			continue
		}
		limit := s.offer.RadiusKM
		if c.MobilityKM > 0 {
			limit = min(limit, c.MobilityKM)
		}
		d := DistanceKM(s.offer.Location, c.Location)
		if !(d <= limit) { // also drops NaN from bad coordinates
			continue
		}
		out = append(out, pairing{candidate: c, distanceKM: d, limitKM: limit, link: link})
	}
	return out
}

// startDay is the date by which a candidate must be available for the
// offer, as yyyymmdd: its start date, or the day of Now when it has none or
// when it is already past; 0 when neither is known.
func startDay(offer Offer) int {
	var start int
	if !offer.StartsOn.IsZero() {
		start = day(offer.StartsOn)
	}
	if !offer.Now.IsZero() {
		start = max(start, day(offer.Now))
	}
	return start
}

// available reports whether the candidate can start by the offer's start.
func (s *scorer) available(c *Candidate) bool {
	return s.startDay == 0 || c.AvailableFrom.IsZero() || day(c.AvailableFrom) <= s.startDay
}

// day is the date of t in its own location, as yyyymmdd.
func day(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// match scores an eligible candidate, filling reasons (one per part).
func (s *scorer) match(p pairing, reasons []Reason) Match {
	var total float64
	for i, pt := range parts {
		points, detail := pt.score(s, p)
		total += points
		reasons[i] = Reason{Factor: pt.factor, Points: round1(points), Detail: detail}
	}
	return Match{
		CandidateID: p.candidate.ID,
		Score:       round1(min(max(total, 0), 100)),
		DistanceKM:  round1(p.distanceKM),
		Reasons:     reasons,
	}
}

// distance scores closeness: 35 points at 0 km, 0 at the limit.
func (s *scorer) distance(p pairing) (float64, string) {
	points := min(max(maxDistancePoints*(1-p.distanceKM/p.limitKM), 0), maxDistancePoints)
	key := [2]int64{tenths(p.distanceKM), tenths(p.limitKM)}
	detail, ok := s.distanceDetails[key]
	if !ok {
		detail = formatKM(p.distanceKM) + " km" + s.town + " (limite " + formatKM(p.limitKM) + " km)"
		s.distanceDetails[key] = detail
	}
	return points, detail
}

// skills scores the share of the offer's skills the candidate has.
func (s *scorer) skills(p pairing) (float64, string) {
	if len(s.requested) == 0 {
		return noSkillsPoints, noSkillsDetail
	}
	clear(s.matched)
	n := 0
	for _, label := range p.candidate.Skills {
		if i, ok := s.skillIndexOf(label); ok && !s.matched[i] {
			s.matched[i] = true
			n++
		}
	}
	points := maxSkillsPoints * float64(n) / float64(len(s.requested))
	if len(s.requested) > 64 { // too many for a cache key; never seen in practice
		return points, s.skillsDetail(n)
	}
	var key uint64
	for i, m := range s.matched {
		if m {
			key |= 1 << i
		}
	}
	detail, ok := s.skillsDetails[key]
	if !ok {
		detail = s.skillsDetail(n)
		s.skillsDetails[key] = detail
	}
	return points, detail
}

// skillIndexOf returns the index of the requested skill that label names,
// normalising it in a reused buffer rather than in a new string.
func (s *scorer) skillIndexOf(label string) (int, bool) {
	if isNormalSkill(label) {
		i, ok := s.skillIndex[label]
		return i, ok
	}
	s.label = appendNormalSkill(s.label[:0], label)
	i, ok := s.skillIndex[string(s.label)] // no allocation: the compiler sees the lookup
	return i, ok
}

// skillsDetail describes the n skills marked in s.matched:
// "2 compétences sur 3 : accueil client, encaissement".
func (s *scorer) skillsDetail(n int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	b.WriteString(plural(n, " compétence"))
	b.WriteString(" sur ")
	b.WriteString(strconv.Itoa(len(s.requested)))
	sep := " : "
	for i, m := range s.matched {
		if m {
			b.WriteString(sep)
			b.WriteString(s.requested[i])
			sep = ", "
		}
	}
	return b.String()
}

// contract scores nothing but says why the contract suits the candidate.
func (s *scorer) contract(p pairing) (float64, string) {
	if len(p.candidate.ContractTypes) == 0 {
		return 0, anyContractDetail
	}
	return 0, s.contractDetail
}

// containsFold reports whether list holds v, ignoring case and surrounding
// spaces.
func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), v) {
			return true
		}
	}
	return false
}

// tenths is x rounded to 0.1, as a whole number of tenths: the precision of
// the details, so equal keys give equal text.
func tenths(x float64) int64 { return int64(math.Round(x * 10)) }
