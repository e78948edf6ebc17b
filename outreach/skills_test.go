package outreach_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestOfferSkillsDefault: an offer created without skills asks for the first
// core skills of its ROME code, so that skills still rank its candidates;
// skills given are kept as they are.
func TestOfferSkillsDefault(t *testing.T) {
	ctx := context.Background()
	env := testenv.Service(t, nil, outreach.ServiceConfig{})
	svc, co := env.Service, env.Counsellor
	occ, err := svc.OccupationSkills(ctx, "d1102 ")
	if err != nil {
		t.Fatal(err)
	}
	var core []string
	for _, sk := range occ.Skills {
		if sk.Core {
			core = append(core, sk.Label)
		}
	}
	if len(core) <= outreach.DefaultOfferSkills {
		t.Fatalf("D1102 has %d core skills, want more than %d for this test", len(core), outreach.DefaultOfferSkills)
	}
	tests := []struct {
		name   string
		skills []string
		want   []string
	}{
		{"no skills: the first core skills", nil, core[:outreach.DefaultOfferSkills]},
		{"empty list: the same", []string{}, core[:outreach.DefaultOfferSkills]},
		{"skills given: kept", []string{"Pétrissage", "Cuisson"}, []string{"Pétrissage", "Cuisson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := svc.CreateOffer(ctx, outreach.OfferInput{Title: "Boulanger", ROMECode: "D1102", CommuneCode: "69123",
				ContractType: "CDI", Skills: tt.skills, Employer: outreach.Employer{Name: "Fournil", Email: "rh@fournil.example"},
				CounsellorID: co.ID})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := svc.Offer(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.Skills, tt.want) || !slices.Equal(stored.Skills, tt.want) {
				t.Errorf("skills %q, stored %q, want %q", o.Skills, stored.Skills, tt.want)
			}
		})
	}

	// A baker who lists two of these skills, spelt by the referential,
	// scores 2 of 5 for an offer without skills of its own.
	cand, o := env.Bakery(t, "0639980001")
	if _, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: cand.ExternalID, FirstName: cand.FirstName,
		Phone: cand.Phone, CommuneCode: "69123", ROMECodes: []string{"D1102"}, Skills: []string{core[0], core[3]},
		SMSConsent: true, CounsellorID: co.ID}); err != nil {
		t.Fatal(err)
	}
	matches, err := svc.Matches(ctx, o.ID, 10)
	if err != nil || len(matches) != 1 {
		t.Fatalf("matches %+v, %v; want the baker", matches, err)
	}
	if r := matches[0].Reasons[2]; r.Factor != "skills" || r.Points != 8 {
		t.Errorf("skills reason %+v, want 8 points (2 of 5)", r)
	}
}

// TestOccupationSkills lists an occupation's skills, core skills first.
func TestOccupationSkills(t *testing.T) {
	ctx := context.Background()
	env := testenv.Service(t, nil, outreach.ServiceConfig{})
	occ, err := env.Service.OccupationSkills(ctx, "D1102")
	if err != nil {
		t.Fatal(err)
	}
	if occ.ROMECode != "D1102" || occ.Label != "Boulanger / Boulangère" || len(occ.Skills) < 20 {
		t.Fatalf("D1102: %s %q, %d skills", occ.ROMECode, occ.Label, len(occ.Skills))
	}
	firstOther := slices.IndexFunc(occ.Skills, func(s outreach.ROMESkill) bool { return !s.Core })
	if firstOther <= 0 || slices.ContainsFunc(occ.Skills[firstOther:], func(s outreach.ROMESkill) bool { return s.Core }) {
		t.Errorf("core skills do not come first: %+v", occ.Skills)
	}
	for _, code := range []string{"Z9999", "D99", ""} {
		if _, err := env.Service.OccupationSkills(ctx, code); !errors.Is(err, outreach.ErrNotFound) {
			t.Errorf("%q: %v, want not found", code, err)
		}
	}
}
