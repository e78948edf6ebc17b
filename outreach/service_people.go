package outreach

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// CounsellorInput is a counsellor account to create.
type CounsellorInput struct {
	Email  string
	Name   string
	Agency string
}

// CreateCounsellor validates and stores a counsellor account.
func (s *Service) CreateCounsellor(ctx context.Context, in CounsellorInput) (Counsellor, error) {
	c := Counsellor{
		Email:  strings.TrimSpace(in.Email),
		Name:   strings.TrimSpace(in.Name),
		Agency: strings.TrimSpace(in.Agency),
	}
	if _, err := mail.ParseAddress(c.Email); err != nil || strings.ContainsAny(c.Email, "<> ") {
		return Counsellor{}, invalid("email", "must be an e-mail address")
	}
	if err := checkText("name", c.Name, 100); err != nil {
		return Counsellor{}, err
	}
	if err := checkText("agency", c.Agency, 100); err != nil {
		return Counsellor{}, err
	}
	if err := s.store.CreateCounsellor(ctx, &c); err != nil {
		if errors.Is(err, ErrConflict) {
			return Counsellor{}, &ValidationError{Field: "email", Message: "a counsellor with this e-mail already exists"}
		}
		return Counsellor{}, fmt.Errorf("create counsellor: %w", err)
	}
	return c, nil
}

// CandidateInput is a job seeker as an agency system sends it.
type CandidateInput struct {
	ExternalID    string
	FirstName     string
	Phone         string
	Location      *Point
	CommuneCode   string
	MobilityKM    float64 // 0: DefaultMobilityKM
	ROMECodes     []string
	Appellations  []int // job titles (OGR codes); their ROME codes are added
	Skills        []string
	ContractTypes []string
	AvailableFrom string // first day they can start, "YYYY-MM-DD"; empty: now
	SMSConsent    bool
	CounsellorID  int64
}

// DefaultMobilityKM is the commute accepted when a job seeker did not say:
// about 30 km is typical.
const DefaultMobilityKM = 30

// UpsertCandidate validates and stores a job seeker, updating the one with
// the same ExternalID. It never lifts an opt-out: only START or RecordConsent do.
func (s *Service) UpsertCandidate(ctx context.Context, in CandidateInput) (Candidate, bool, error) {
	c, err := s.candidateFromInput(ctx, in)
	if err != nil {
		return Candidate{}, false, err
	}
	created, err := s.store.UpsertCandidate(ctx, &c)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return Candidate{}, false, invalid("external_id", "conflicts with another candidate")
		}
		return Candidate{}, false, fmt.Errorf("upsert candidate: %w", err)
	}
	return c, created, nil
}

func (s *Service) candidateFromInput(ctx context.Context, in CandidateInput) (Candidate, error) {
	c := Candidate{
		ExternalID:   strings.TrimSpace(in.ExternalID),
		FirstName:    strings.TrimSpace(in.FirstName),
		MobilityKM:   in.MobilityKM,
		SMSConsent:   in.SMSConsent,
		CounsellorID: in.CounsellorID,
	}
	if err := checkText("external_id", c.ExternalID, 100); err != nil {
		return c, err
	}
	if strings.HasPrefix(c.ExternalID, ErasedExternalIDPrefix) {
		return c, invalid("external_id", "must not start with %q, kept for erased job seekers", ErasedExternalIDPrefix)
	}
	if err := checkText("first_name", c.FirstName, 100); err != nil {
		return c, err
	}
	phone, err := NormalizePhone(in.Phone)
	if err != nil {
		return c, invalid("phone", "%v", err)
	}
	c.Phone = phone
	if c.MobilityKM == 0 {
		c.MobilityKM = DefaultMobilityKM
	}
	if c.MobilityKM < 0 || c.MobilityKM > 300 {
		return c, invalid("mobility_km", "must be more than 0 and at most 300 km")
	}
	if c.Location, c.CommuneCode, _, err = s.locate(ctx, in.Location, in.CommuneCode); err != nil {
		return c, err
	}
	if c.ROMECodes, err = s.checkROMECodes(ctx, "rome_codes", in.ROMECodes); err != nil {
		return c, err
	}
	c.Appellations = []int{}
	for i, id := range in.Appellations {
		_, code, err := s.appellation(ctx, fmt.Sprintf("appellations[%d]", i), id)
		if err != nil {
			return c, err
		}
		c.Appellations = append(c.Appellations, id)
		if !slices.Contains(c.ROMECodes, code) {
			c.ROMECodes = append(c.ROMECodes, code)
		}
	}
	if len(c.ROMECodes) == 0 {
		return c, invalid("rome_codes", "at least one ROME code or job title (appellations) is required")
	}
	if c.Skills, err = cleanList("skills", in.Skills, 50); err != nil {
		return c, err
	}
	if c.ContractTypes, err = checkContractTypes(in.ContractTypes); err != nil {
		return c, err
	}
	if c.AvailableFrom, err = parseDate("available_from", in.AvailableFrom); err != nil {
		return c, err
	}
	if err := s.checkCounsellor(ctx, c.CounsellorID); err != nil {
		return c, err
	}
	return c, nil
}

// RecordConsent is a counsellor re-recording a job seeker's SMS consent:
// it lifts a STOP, and the change is kept with its source.
func (s *Service) RecordConsent(ctx context.Context, candidateID int64, source string) error {
	if err := checkText("source", source, 200); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.Candidate(ctx, candidateID)
		if err != nil {
			return err
		}
		if err := tx.OptIn(ctx, c.Phone, source); err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		c.SMSConsent = true
		_, err = tx.UpsertCandidate(ctx, &c)
		return err
	})
}

// appellation resolves a job title (OGR code) to its label and ROME code.
func (s *Service) appellation(ctx context.Context, field string, id int) (string, string, error) {
	label, code, err := s.store.Appellation(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return "", "", invalid(field, "unknown job title %d", id)
	}
	if err != nil {
		return "", "", fmt.Errorf("look up job title: %w", err)
	}
	return label, code, nil
}

func (s *Service) checkCounsellor(ctx context.Context, id int64) error {
	if id <= 0 {
		return invalid("counsellor_id", "is required")
	}
	if _, err := s.store.Counsellor(ctx, id); err != nil {
		if errors.Is(err, ErrNotFound) {
			return invalid("counsellor_id", "no counsellor %d", id)
		}
		return fmt.Errorf("check counsellor: %w", err)
	}
	return nil
}

// locate resolves a position given as coordinates or as an INSEE commune code.
func (s *Service) locate(ctx context.Context, p *Point, communeCode string) (Point, string, string, error) {
	communeCode = strings.TrimSpace(communeCode)
	if communeCode != "" {
		if !inseePattern.MatchString(communeCode) {
			return Point{}, "", "", invalid("commune_code", "must be a 5-character INSEE code")
		}
		cm, err := s.store.Commune(ctx, communeCode)
		if errors.Is(err, ErrNotFound) {
			return Point{}, "", "", invalid("commune_code", "unknown commune %s", communeCode)
		}
		if err != nil {
			return Point{}, "", "", fmt.Errorf("resolve commune: %w", err)
		}
		if p == nil {
			p = &cm.Location
		}
		return *p, cm.INSEE, cm.Name, checkPoint(*p)
	}
	if p == nil {
		return Point{}, "", "", invalid("location", "give location {lat, lon} or commune_code")
	}
	return *p, "", "", checkPoint(*p)
}

var inseePattern = regexp.MustCompile(`^(?:[0-9]{2}|2[AB])[0-9]{3}$`)

func checkPoint(p Point) error {
	if p.Lat < -90 || p.Lat > 90 || (p.Lat == 0 && p.Lon == 0) {
		return invalid("location.lat", "must be a latitude between -90 and 90")
	}
	if p.Lon < -180 || p.Lon > 180 {
		return invalid("location.lon", "must be a longitude between -180 and 180")
	}
	return nil
}

var romePattern = regexp.MustCompile(`^[A-N][0-9]{4}$`)

func (s *Service) checkROMECodes(ctx context.Context, field string, codes []string) ([]string, error) {
	out := make([]string, 0, len(codes))
	seen := map[string]bool{}
	for i, code := range codes {
		code = strings.ToUpper(strings.TrimSpace(code))
		f := fmt.Sprintf("%s[%d]", field, i)
		if !romePattern.MatchString(code) {
			return nil, invalid(f, "%q is not a ROME code (a letter A-N and 4 digits)", code)
		}
		if _, err := s.store.ROMELabel(ctx, code); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, invalid(f, "unknown ROME code %s", code)
			}
			return nil, fmt.Errorf("check ROME code: %w", err)
		}
		if !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	return out, nil
}

// ContractTypes are the contract codes used by France Travail offers.
var ContractTypes = map[string]string{
	"CDI": "CDI", "CDD": "CDD", "MIS": "intérim", "SAI": "saisonnier",
	"LIB": "libéral", "FRA": "franchise", "CCE": "commercial", "ALT": "alternance",
	"DIN": "CDI intérimaire", "DDI": "CDD d'insertion",
}

func checkContractTypes(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for i, t := range in {
		t = strings.ToUpper(strings.TrimSpace(t))
		if _, ok := ContractTypes[t]; !ok {
			return nil, invalid(fmt.Sprintf("contract_types[%d]", i), "unknown contract type %q", t)
		}
		out = append(out, t)
	}
	return out, nil
}

func checkText(field, v string, max int) error {
	if v == "" {
		return invalid(field, "is required")
	}
	if len([]rune(v)) > max {
		return invalid(field, "must be at most %d characters", max)
	}
	if strings.ContainsAny(v, "\x00\r\n") {
		return invalid(field, "must be a single line of text")
	}
	if !utf8.ValidString(v) { // PostgreSQL would refuse it
		return invalid(field, "must be UTF-8 text")
	}
	return nil
}

// maxSkillLength fits the labels of the ROME skills (at most 253
// characters), which clients are encouraged to use.
const maxSkillLength = 255

func cleanList(field string, in []string, max int) ([]string, error) {
	if len(in) > max {
		return nil, invalid(field, "at most %d entries", max)
	}
	out := make([]string, 0, len(in))
	for i, v := range in {
		v = strings.TrimSpace(v)
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), v, maxSkillLength); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Counsellor returns one counsellor.
func (s *Service) Counsellor(ctx context.Context, id int64) (Counsellor, error) {
	return s.store.Counsellor(ctx, id)
}
