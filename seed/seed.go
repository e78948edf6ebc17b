// Package seed generates a realistic, deterministic demo population of job
// seekers: real communes around a few big cities, real ROME 4.0 codes of
// common occupations, plausible skills, and phone numbers from the range
// ARCEP reserves for fiction, so that no real person can ever be texted.
package seed

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/refdata"
)

// Defaults applied to a zero Config field.
const (
	// DefaultCandidates is the size of the demo population.
	DefaultCandidates = 3000
	// DefaultAreaRadiusKM is how far from an area centre candidates live.
	DefaultAreaRadiusKM = 40
)

// DefaultAreas are the INSEE codes of the city centres candidates live
// around: Lyon, Lille, Nantes, Toulouse, Rennes and Bordeaux.
var DefaultAreas = []string{"69123", "59350", "44109", "31555", "35238", "33063"}

// Fictional phone numbers: ARCEP reserves +33 6 39 98 00 00 to
// +33 6 39 98 99 99 for works of fiction, so the demo can never reach a real
// person.
const (
	// FictionalPhonePrefix starts every demo phone number (E.164).
	FictionalPhonePrefix = "+3363998"
	// FictionalPhones is how many numbers the range holds, hence the
	// largest population Candidates can generate.
	FictionalPhones = 10000
)

// consentShare is the share of demo candidates who agreed to receive SMS.
const consentShare = 0.92

// Config describes the demo population to generate.
type Config struct {
	Candidates   int      // how many; 0 means DefaultCandidates, at most FictionalPhones
	Seed         int64    // the same seed gives the same population
	Counsellors  []int64  // counsellor ids, assigned round-robin; none leaves CounsellorID zero
	Areas        []string // INSEE codes of the city centres; none means DefaultAreas
	AreaRadiusKM float64  // candidates live within this distance of an area centre; 0 means DefaultAreaRadiusKM
}

func (cfg Config) withDefaults() Config {
	if cfg.Candidates == 0 {
		cfg.Candidates = DefaultCandidates
	}
	if len(cfg.Areas) == 0 {
		cfg.Areas = DefaultAreas
	}
	if cfg.AreaRadiusKM == 0 {
		cfg.AreaRadiusKM = DefaultAreaRadiusKM
	}
	return cfg
}

// Candidates returns a demo population of job seekers living in the given
// communes, searching for jobs among the given ROME codes. The result
// depends only on cfg and the reference data.
func Candidates(cfg Config, communes []refdata.Commune, codes []refdata.ROMECode) ([]outreach.Candidate, error) {
	cfg = cfg.withDefaults()
	switch {
	case cfg.Candidates < 0:
		return nil, fmt.Errorf("seed: negative candidate count %d", cfg.Candidates)
	case cfg.Candidates > FictionalPhones:
		return nil, fmt.Errorf("seed: %d candidates but only %d fictional phone numbers", cfg.Candidates, FictionalPhones)
	case cfg.AreaRadiusKM < 0:
		return nil, errors.New("seed: negative area radius")
	}
	if err := checkOccupations(codes); err != nil {
		return nil, err
	}
	h, err := newHomes(communes, cfg.Areas, cfg.AreaRadiusKM)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}

	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6f75747265616368)) // "outreach"
	jobs := newOccupationPicker()
	phones := rng.Perm(FictionalPhones)
	out := make([]outreach.Candidate, cfg.Candidates)
	for i := range out {
		home := h.pick(rng)
		job := jobs.pick(rng)
		c := outreach.Candidate{
			ExternalID:    fmt.Sprintf("FT-DEMO-%06d", i+1),
			FirstName:     firstNames[rng.IntN(len(firstNames))],
			Phone:         fmt.Sprintf("%s%04d", FictionalPhonePrefix, phones[i]),
			Location:      outreach.Point{Lat: home.Lat, Lon: home.Lon},
			CommuneCode:   home.INSEE,
			MobilityKM:    pickMobility(rng),
			ROMECodes:     pickCodes(rng, job),
			Skills:        pickSkills(rng, job),
			ContractTypes: pickContracts(rng),
			SMSConsent:    rng.Float64() < consentShare,
		}
		if len(cfg.Counsellors) > 0 {
			c.CounsellorID = cfg.Counsellors[i%len(cfg.Counsellors)]
		}
		out[i] = c
	}
	return out, nil
}

// checkOccupations makes sure every code the generator may use exists in
// the referential, so that a ROME update cannot silently produce bad data.
func checkOccupations(codes []refdata.ROMECode) error {
	known := make(map[string]string, len(codes))
	for _, c := range codes {
		known[c.Code] = c.Label
	}
	for _, o := range occupations {
		label, ok := known[o.code]
		if !ok {
			return fmt.Errorf("seed: occupation %s (%s) is not in the ROME referential", o.code, o.label)
		}
		if label != o.label {
			return fmt.Errorf("seed: occupation %s is %q in the referential, expected %q", o.code, label, o.label)
		}
		for _, r := range o.related {
			if _, ok := known[r]; !ok {
				return fmt.Errorf("seed: related code %s of %s is not in the ROME referential", r, o.code)
			}
		}
	}
	return nil
}
