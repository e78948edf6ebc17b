package outreach

import (
	"context"
	"fmt"
	"strings"
)

// DefaultOfferSkills is how many of its occupation's core skills an offer
// asks for when it names none, so that skills still rank its candidates.
const DefaultOfferSkills = 5

// OccupationSkills are the skills the ROME referential lists for one
// occupation: the labels clients can offer to choose from, so that offers
// and job seekers spell skills alike.
type OccupationSkills struct {
	ROMECode string
	Label    string      // the occupation, e.g. "Boulanger / Boulangère"
	Skills   []ROMESkill // core skills first, then by id
}

// OccupationSkills returns the skills of a ROME code; an unknown code is
// ErrNotFound.
func (s *Service) OccupationSkills(ctx context.Context, code string) (OccupationSkills, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !romePattern.MatchString(code) {
		return OccupationSkills{}, &NotFoundError{What: "ROME code " + code}
	}
	label, err := s.store.ROMELabel(ctx, code)
	if err != nil {
		return OccupationSkills{}, err
	}
	skills, err := s.store.ROMESkills(ctx, code)
	if err != nil {
		return OccupationSkills{}, fmt.Errorf("occupation skills: %w", err)
	}
	return OccupationSkills{ROMECode: code, Label: label, Skills: skills}, nil
}

// coreSkills returns the labels of the first DefaultOfferSkills core skills
// of a ROME code, in the referential's order (see ROMESkills).
func (s *Service) coreSkills(ctx context.Context, code string) ([]string, error) {
	all, err := s.store.ROMESkills(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("core skills of %s: %w", code, err)
	}
	out := []string{}
	for _, sk := range all {
		if sk.Core && len(out) < DefaultOfferSkills {
			out = append(out, sk.Label)
		}
	}
	return out, nil
}
