package seed

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/refdata"
)

// Defaults of the national population, used by the matching benchmark.
const (
	// DefaultNationalCandidates is about the number of job seekers
	// registered with France Travail.
	DefaultNationalCandidates = 6_000_000
	// DefaultOptOutShare is the share of the fictional numbers, hence of
	// national candidates, that sent STOP.
	DefaultOptOutShare = 0.01
	// NationalIDPrefix starts the external id of every national candidate,
	// e.g. FT-BENCH-00000001.
	NationalIDPrefix = "FT-BENCH-"
)

// The occupation mix of the national population: commonShare of the job
// seekers look for one of the weighted common occupations (occupations.go);
// the others follow a Zipf law of exponent tailExponent over the whole ROME
// referential, in an order fixed by tailOrderSeed, so that every code has
// some job seekers and a few rare ones have many.
const (
	commonShare   = 0.70
	tailExponent  = 0.8
	tailOrderSeed = 0x524f4d45 // "ROME"
)

// Mobility of national candidates: a triangular law from 5 to 60 km whose
// mode is 30 km, rounded to the kilometre.
const (
	mobilityMinKM  = 5
	mobilityModeKM = 30
	mobilityMaxKM  = 60
)

// Home jitter: candidates live uniformly in a disc around their commune's
// point, 300 m wide in a village and growing with the square root of the
// population up to 1.5 km in a city, so that nobody shares one point and a
// town's people stay in the town.
const (
	jitterBaseKM   = 0.3
	jitterPerSqrt  = 0.008 // km per square root of inhabitant
	jitterMaxKM    = 1.5
	kmPerDegreeLat = 111.195
)

// NationalConfig describes a national population of job seekers.
type NationalConfig struct {
	Candidates int    // how many; 0 means DefaultNationalCandidates
	Seed       uint64 // the same seed gives the same population
	// Counsellors maps a department code (e.g. 69, 2A, 971) to the id of
	// the counsellor who follows its job seekers; a department missing
	// from the map leaves CounsellorID zero.
	Counsellors map[string]int64
	// OptOutShare is the share of fictional numbers that sent STOP (see
	// OptedOutPhones); 0 means DefaultOptOutShare, negative means none.
	OptOutShare float64
}

// National returns a national population of job seekers, generated one at
// a time as the sequence is ranged over, so that millions never sit in
// memory at once. People live in every inhabited commune of France in
// proportion to its population (the arrondissements of Paris, Lyon and
// Marseille rather than the whole city), a few hundred metres around the
// commune's point; their occupations follow commonShare and the Zipf tail
// described above, with one to three codes each; mobility follows a
// triangular law from 5 to 60 km (mode 30); 8% did not consent to SMS.
//
// Phone numbers: no range of real-looking French mobile numbers is
// reserved for fiction beyond ARCEP's 10,000 (+33 6 39 98 00 00 to
// +33 6 39 98 99 99), so candidate i gets number i modulo 10,000 of that
// range: valid E.164, never anyone's, shared by 600 people at 6 million
// (the schema allows it). The numbers OptedOutPhones names are marked
// OptedOut. Ranging over the sequence twice yields the same people.
func National(cfg NationalConfig, communes []refdata.Commune, codes []refdata.ROMECode) (iter.Seq[outreach.Candidate], error) {
	if cfg.Candidates == 0 {
		cfg.Candidates = DefaultNationalCandidates
	}
	if cfg.Candidates < 0 || cfg.Candidates > 99_999_999 {
		return nil, fmt.Errorf("seed: %d national candidates, want 1 to 99,999,999", cfg.Candidates)
	}
	m, err := newMarket(communes, codes)
	if err != nil {
		return nil, err
	}
	optedOut := optOutStep(cfg.OptOutShare)
	return func(yield func(outreach.Candidate) bool) {
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e6174696f6e616c)) // "national"
		for i := range cfg.Candidates {
			c, home := m.candidate(rng, i)
			c.CounsellorID = cfg.Counsellors[home.Department]
			c.OptedOut = optedOut > 0 && i%FictionalPhones%optedOut == 0
			if !yield(c) {
				return
			}
		}
	}, nil
}

// OptedOutPhones returns the fictional numbers that sent STOP in a national
// population: every k-th number of the range, k = 1/share, so that the
// share of candidates opted out is share too. share 0 means
// DefaultOptOutShare; a negative share gives none.
func OptedOutPhones(share float64) []string {
	step := optOutStep(share)
	if step == 0 {
		return nil
	}
	var out []string
	for n := 0; n < FictionalPhones; n += step {
		out = append(out, fictionalPhone(n))
	}
	return out
}

func optOutStep(share float64) int {
	switch {
	case share == 0:
		share = DefaultOptOutShare
	case share < 0:
		return 0
	}
	return max(1, int(math.Round(1/share)))
}

func fictionalPhone(n int) string {
	return fmt.Sprintf("%s%04d", FictionalPhonePrefix, n%FictionalPhones)
}

// NationalFollowedBy is National from the embedded reference data, every
// job seeker followed by the one counsellor given: the population of a
// benchmark or a test, where who follows whom does not matter.
func NationalFollowedBy(n int, seed uint64, counsellor int64) (iter.Seq[outreach.Candidate], error) {
	communes, err := refdata.Communes()
	if err != nil {
		return nil, err
	}
	codes, err := refdata.ROMECodes()
	if err != nil {
		return nil, err
	}
	counsellors := map[string]int64{}
	for _, c := range communes {
		counsellors[c.Department] = counsellor
	}
	return National(NationalConfig{Candidates: n, Seed: seed, Counsellors: counsellors}, communes, codes)
}

// OfferSpec is a random job offer for the benchmark: where, which
// occupation, which contract and how far to look.
type OfferSpec struct {
	ROMECode     string
	Title        string // the ROME label
	CommuneCode  string // INSEE code of the workplace
	Town         string
	Department   string
	Location     outreach.Point // the commune's point
	ContractType string         // CDI, CDD or MIS
	RadiusKM     float64        // 10, 20, 30 or 50
	Skills       []string       // two or three typical skills of the occupation; none in the tail
}

// offerContracts and offerRadii are the contract and radius mixes of the
// benchmark offers, weights out of 100.
var (
	offerContracts = []struct {
		code   string
		weight float64
	}{{"CDI", 45}, {"CDD", 35}, {"MIS", 20}}
	offerRadii = []struct {
		km     float64
		weight float64
	}{{10, 15}, {20, 30}, {30, 40}, {50, 15}}
)

// Offers returns n random offers, the same for the same seed: occupations
// drawn like the national population's (common occupations weighted, Zipf
// tail), workplaces in communes drawn in proportion to population.
func Offers(n int, seed uint64, communes []refdata.Commune, codes []refdata.ROMECode) ([]OfferSpec, error) {
	if n < 0 {
		return nil, fmt.Errorf("seed: negative offer count %d", n)
	}
	m, err := newMarket(communes, codes)
	if err != nil {
		return nil, err
	}
	contracts := make([]float64, len(offerContracts))
	for i, c := range offerContracts {
		contracts[i] = c.weight
	}
	radii := make([]float64, len(offerRadii))
	for i, r := range offerRadii {
		radii[i] = r.weight
	}
	contractPick, radiusPick := newAlias(contracts), newAlias(radii)

	rng := rand.New(rand.NewPCG(seed, 0x6f6666657273)) // "offers"
	out := make([]OfferSpec, n)
	for i := range out {
		home := m.homes[m.places.pick(rng)]
		code, _, skills := m.occupation(rng)
		if len(skills) > 3 {
			skills = skills[:2+rng.IntN(2)]
		}
		out[i] = OfferSpec{
			ROMECode:     code,
			Title:        m.labels[code],
			CommuneCode:  home.INSEE,
			Town:         home.Name,
			Department:   home.Department,
			Location:     outreach.Point{Lat: home.Lat, Lon: home.Lon},
			ContractType: offerContracts[contractPick.pick(rng)].code,
			RadiusKM:     offerRadii[radiusPick.pick(rng)].km,
			Skills:       skills,
		}
	}
	return out, nil
}

// market holds the weighted draws shared by the national population and
// the benchmark offers.
type market struct {
	homes  []refdata.Commune
	places alias // over homes, by population

	common    alias    // over occupations, by weight
	tail      alias    // over tailCodes, Zipf
	tailCodes []string // every ROME code, in tail order
	labels    map[string]string
	family    map[string][]string // codes by domain and sub-domain, e.g. "D15"
}

func newMarket(communes []refdata.Commune, codes []refdata.ROMECode) (*market, error) {
	if err := checkOccupations(codes); err != nil {
		return nil, err
	}
	m := &market{labels: make(map[string]string, len(codes)), family: map[string][]string{}}
	var population []float64
	for _, c := range communes {
		if !c.HasCoordinates || c.Population <= 0 || splitCities[c.INSEE] {
			continue
		}
		m.homes = append(m.homes, c)
		population = append(population, float64(c.Population))
	}
	if len(m.homes) == 0 {
		return nil, errors.New("seed: no inhabited commune with coordinates")
	}
	m.places = newAlias(population)

	weights := make([]float64, len(occupations))
	for i, o := range occupations {
		weights[i] = float64(o.weight)
	}
	m.common = newAlias(weights)

	for _, c := range codes {
		m.labels[c.Code] = c.Label
		m.tailCodes = append(m.tailCodes, c.Code)
		m.family[c.Code[:3]] = append(m.family[c.Code[:3]], c.Code)
	}
	order := rand.New(rand.NewPCG(tailOrderSeed, tailOrderSeed))
	order.Shuffle(len(m.tailCodes), func(i, j int) {
		m.tailCodes[i], m.tailCodes[j] = m.tailCodes[j], m.tailCodes[i]
	})
	zipf := make([]float64, len(m.tailCodes))
	for rank := range zipf {
		zipf[rank] = math.Pow(float64(rank+1), -tailExponent)
	}
	m.tail = newAlias(zipf)
	return m, nil
}

// candidate draws the i-th job seeker of the population and the commune
// they live in.
func (m *market) candidate(rng *rand.Rand, i int) (outreach.Candidate, refdata.Commune) {
	home := m.homes[m.places.pick(rng)]
	code, related, skills := m.occupation(rng)
	return outreach.Candidate{
		ExternalID:    fmt.Sprintf("%s%08d", NationalIDPrefix, i+1),
		FirstName:     firstNames[rng.IntN(len(firstNames))],
		Phone:         fictionalPhone(i),
		Location:      jitter(rng, home),
		CommuneCode:   home.INSEE,
		MobilityKM:    nationalMobility(rng),
		ROMECodes:     withRelated(rng, code, related),
		Skills:        skills,
		ContractTypes: pickContracts(rng),
		SMSConsent:    rng.Float64() < consentShare,
	}, home
}

// occupation draws a main ROME code, the codes close to it and skills:
// for a common occupation its related codes and two to five of its typical
// skills; for one of the tail the codes of its ROME sub-domain and no skills.
func (m *market) occupation(rng *rand.Rand) (code string, related, skills []string) {
	if rng.Float64() < commonShare {
		o := occupations[m.common.pick(rng)]
		return o.code, o.related, pickSkills(rng, o)
	}
	code = m.tailCodes[m.tail.pick(rng)]
	return code, m.family[code[:3]], []string{}
}

// withRelated returns the main code plus, for about a third of
// candidates, one or two of the related codes.
func withRelated(rng *rand.Rand, main string, related []string) []string {
	related = slices.DeleteFunc(slices.Clone(related), func(c string) bool { return c == main })
	extra := 0
	switch r := rng.Float64(); {
	case r < 0.10:
		extra = 2
	case r < 0.35:
		extra = 1
	}
	extra = min(extra, len(related))
	out := append(make([]string, 0, 1+extra), main)
	for _, j := range rng.Perm(len(related))[:extra] {
		out = append(out, related[j])
	}
	return out
}

// jitter returns a point drawn uniformly in a disc around the commune's
// point, whose radius grows with the commune's population.
func jitter(rng *rand.Rand, c refdata.Commune) outreach.Point {
	radius := min(jitterBaseKM+jitterPerSqrt*math.Sqrt(float64(c.Population)), jitterMaxKM)
	d := radius * math.Sqrt(rng.Float64())
	theta := 2 * math.Pi * rng.Float64()
	dLat := d * math.Cos(theta) / kmPerDegreeLat
	dLon := d * math.Sin(theta) / (kmPerDegreeLat * math.Cos(c.Lat*math.Pi/180))
	return outreach.Point{Lat: c.Lat + dLat, Lon: c.Lon + dLon}
}

// nationalMobility draws a commuting distance from the triangular law
// (mobilityMinKM, mobilityModeKM, mobilityMaxKM), in whole kilometres.
func nationalMobility(rng *rand.Rand) float64 {
	const lo, mode, hi float64 = mobilityMinKM, mobilityModeKM, mobilityMaxKM
	u := rng.Float64()
	var km float64
	if u < (mode-lo)/(hi-lo) {
		km = lo + math.Sqrt(u*(hi-lo)*(mode-lo))
	} else {
		km = hi - math.Sqrt((1-u)*(hi-lo)*(hi-mode))
	}
	return math.Round(km)
}

// alias draws indexes in proportion to weights in constant time (Vose's
// alias method): pick a column at random, then either it or its alias.
type alias struct {
	prob  []float64 // chance of keeping the column
	alias []int32   // the column's alias
}

// newAlias builds the table for positive weights.
func newAlias(weights []float64) alias {
	n := len(weights)
	a := alias{prob: make([]float64, n), alias: make([]int32, n)}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	var small, large []int32
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small, large = small[:len(small)-1], large[:len(large)-1]
		a.prob[s], a.alias[s] = scaled[s], l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			small = append(small, l)
		} else {
			large = append(large, l)
		}
	}
	// What is left has a scaled weight of 1, give or take rounding.
	for _, i := range append(small, large...) {
		a.prob[i], a.alias[i] = 1, i
	}
	return a
}

func (a alias) pick(rng *rand.Rand) int {
	i := rng.IntN(len(a.prob))
	if rng.Float64() < a.prob[i] {
		return i
	}
	return int(a.alias[i])
}
