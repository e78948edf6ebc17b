package matcher_test

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

// baseOffer is a bakery job in Lyon, 30 km radius, permanent contract.
func baseOffer() matcher.Offer {
	return matcher.Offer{
		ROMECode:     "D1102",
		Location:     lyon,
		RadiusKM:     30,
		ContractType: "CDI",
		Skills:       []string{"Accueil client", "Encaissement", "Hygiène alimentaire"},
		Town:         "Lyon",
	}
}

// north returns a point km due north of the offer.
func north(km float64) matcher.Point { return destination(lyon, 0, km) }

// baseCandidate is eligible for baseOffer, 10 km away.
func baseCandidate() matcher.Candidate {
	return matcher.Candidate{ID: 1, ROMECodes: []string{"D1102"}, Location: north(10)}
}

func TestRankEligibility(t *testing.T) {
	tests := []struct {
		name      string
		offer     func(*matcher.Offer)
		candidate func(*matcher.Candidate)
		eligible  bool
	}{
		{"base case", nil, nil, true},
		{"wrong ROME code", nil, func(c *matcher.Candidate) { c.ROMECodes = []string{"D1101"} }, false},
		{"no ROME code", nil, func(c *matcher.Candidate) { c.ROMECodes = nil }, false},
		{"ROME code among several", nil, func(c *matcher.Candidate) { c.ROMECodes = []string{"K2204", "D1102"} }, true},
		{"offer without ROME code", func(o *matcher.Offer) { o.ROMECode = "" }, func(c *matcher.Candidate) { c.ROMECodes = []string{""} }, false},
		{"within offer radius", nil, func(c *matcher.Candidate) { c.Location = north(29.9) }, true},
		{"too far for offer radius", nil, func(c *matcher.Candidate) { c.Location = north(30.1) }, false},
		{"too far for offer radius despite wider mobility", nil, func(c *matcher.Candidate) { c.Location, c.MobilityKM = north(35), 50 }, false},
		{"within candidate mobility", nil, func(c *matcher.Candidate) { c.Location, c.MobilityKM = north(9.9), 10 }, true},
		{"too far for candidate mobility", nil, func(c *matcher.Candidate) { c.Location, c.MobilityKM = north(10.1), 10 }, false},
		{"negative mobility means offer radius", nil, func(c *matcher.Candidate) { c.Location, c.MobilityKM = north(25), -1 }, true},
		{"same place", nil, func(c *matcher.Candidate) { c.Location = lyon }, true},
		{"offer radius zero", func(o *matcher.Offer) { o.RadiusKM = 0 }, func(c *matcher.Candidate) { c.Location = lyon }, false},
		{"unknown location", nil, func(c *matcher.Candidate) { c.Location.Lat = math.NaN() }, false},
		{"contract mismatch", nil, func(c *matcher.Candidate) { c.ContractTypes = []string{"CDD"} }, false},
		{"empty contract list means any", nil, func(c *matcher.Candidate) { c.ContractTypes = []string{} }, true},
		{"contract among several", nil, func(c *matcher.Candidate) { c.ContractTypes = []string{"CDD", "CDI"} }, true},
		{"contract ignores case", nil, func(c *matcher.Candidate) { c.ContractTypes = []string{"cdi"} }, true},
		{"offer contract ignores case", func(o *matcher.Offer) { o.ContractType = "Cdd" }, func(c *matcher.Candidate) { c.ContractTypes = []string{"CDD"} }, true},
		{"no skill in common is still eligible", nil, func(c *matcher.Candidate) { c.Skills = []string{"soudure"} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, cand := baseOffer(), baseCandidate()
			if tt.offer != nil {
				tt.offer(&offer)
			}
			if tt.candidate != nil {
				tt.candidate(&cand)
			}
			got := matcher.Rank(offer, []matcher.Candidate{cand})
			if eligible := len(got) == 1; eligible != tt.eligible {
				t.Errorf("eligible = %v, want %v (matches %+v)", eligible, tt.eligible, got)
			}
		})
	}
}

func TestRankOrder(t *testing.T) {
	skilled := []string{"accueil client", "encaissement", "hygiene alimentaire"}
	tests := []struct {
		name       string
		candidates []matcher.Candidate
		wantIDs    []int64
	}{
		{
			name: "closer first at equal skills",
			candidates: []matcher.Candidate{
				{ID: 1, ROMECodes: []string{"D1102"}, Location: north(20)},
				{ID: 2, ROMECodes: []string{"D1102"}, Location: north(5)},
				{ID: 3, ROMECodes: []string{"D1102"}, Location: north(12)},
			},
			wantIDs: []int64{2, 3, 1},
		},
		{
			name: "more skills first at equal distance",
			candidates: []matcher.Candidate{
				{ID: 1, ROMECodes: []string{"D1102"}, Location: north(10), Skills: skilled[:1]},
				{ID: 2, ROMECodes: []string{"D1102"}, Location: north(10), Skills: skilled},
				{ID: 3, ROMECodes: []string{"D1102"}, Location: north(10)},
				{ID: 4, ROMECodes: []string{"D1102"}, Location: north(10), Skills: skilled[1:]},
			},
			wantIDs: []int64{2, 4, 1, 3},
		},
		{
			name: "tie broken by ID",
			candidates: []matcher.Candidate{
				{ID: 9, ROMECodes: []string{"D1102"}, Location: north(10)},
				{ID: 3, ROMECodes: []string{"D1102"}, Location: north(10)},
				{ID: 5, ROMECodes: []string{"D1102"}, Location: north(10)},
			},
			wantIDs: []int64{3, 5, 9},
		},
		{
			name: "skills can outweigh distance",
			candidates: []matcher.Candidate{
				{ID: 1, ROMECodes: []string{"D1102"}, Location: north(5)},                   // 40 + 29.2 + 0
				{ID: 2, ROMECodes: []string{"D1102"}, Location: north(10), Skills: skilled}, // 40 + 23.3 + 20
			},
			wantIDs: []int64{2, 1},
		},
		{
			name: "ineligible left out",
			candidates: []matcher.Candidate{
				{ID: 1, ROMECodes: []string{"D1102"}, Location: north(40)},
				{ID: 2, ROMECodes: []string{"D1102"}, Location: north(10)},
				{ID: 3, ROMECodes: []string{"J1501"}, Location: north(1)},
			},
			wantIDs: []int64{2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []int64
			for _, m := range matcher.Rank(baseOffer(), tt.candidates) {
				ids = append(ids, m.CandidateID)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("order = %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}

func TestRankReasons(t *testing.T) {
	tests := []struct {
		name      string
		offer     func(*matcher.Offer)
		candidate matcher.Candidate
		want      matcher.Match
	}{
		{
			name: "documented example",
			candidate: matcher.Candidate{
				ID: 7, ROMECodes: []string{"D1102"}, Location: north(12.3),
				ContractTypes: []string{"cdi", "CDD"},
				Skills:        []string{"encaissement", "ACCUEIL  CLIENT", "Soudure"},
			},
			want: matcher.Match{CandidateID: 7, Score: 74, DistanceKM: 12.3, Reasons: []matcher.Reason{
				{Factor: "occupation", Points: 40, Detail: "métier recherché D1102"},
				{Factor: "distance", Points: 20.6, Detail: "12,3 km de Lyon (limite 30 km)"},
				{Factor: "skills", Points: 13.3, Detail: "2 compétences sur 3 : Accueil client, Encaissement"},
				{Factor: "freshness", Points: 0, Detail: "fraîcheur non évaluée"},
				{Factor: "fatigue", Points: 0, Detail: "aucune offre sans réponse"},
				{Factor: "contract", Points: 0, Detail: "accepte le CDI"},
			}},
		},
		{
			name: "no skills asked, limit from mobility, no town",
			offer: func(o *matcher.Offer) {
				o.Skills, o.Town = nil, ""
			},
			candidate: matcher.Candidate{ID: 8, ROMECodes: []string{"D1102"}, Location: lyon, MobilityKM: 20, Skills: []string{"soudure"}},
			want: matcher.Match{CandidateID: 8, Score: 85, DistanceKM: 0, Reasons: []matcher.Reason{
				{Factor: "occupation", Points: 40, Detail: "métier recherché D1102"},
				{Factor: "distance", Points: 35, Detail: "0 km (limite 20 km)"},
				{Factor: "skills", Points: 10, Detail: "aucune compétence demandée"},
				{Factor: "freshness", Points: 0, Detail: "fraîcheur non évaluée"},
				{Factor: "fatigue", Points: 0, Detail: "aucune offre sans réponse"},
				{Factor: "contract", Points: 0, Detail: "tout type de contrat"},
			}},
		},
		{
			name: "no skill in common, town elided, decimal limit",
			offer: func(o *matcher.Offer) {
				o.Skills, o.Town, o.RadiusKM = []string{"Pétrissage", "Façonnage"}, "Orléans", 12.5
			},
			candidate: matcher.Candidate{ID: 9, ROMECodes: []string{"D1102"}, Location: north(5)},
			want: matcher.Match{CandidateID: 9, Score: 61, DistanceKM: 5, Reasons: []matcher.Reason{
				{Factor: "occupation", Points: 40, Detail: "métier recherché D1102"},
				{Factor: "distance", Points: 21, Detail: "5 km d'Orléans (limite 12,5 km)"},
				{Factor: "skills", Points: 0, Detail: "0 compétence sur 2"},
				{Factor: "freshness", Points: 0, Detail: "fraîcheur non évaluée"},
				{Factor: "fatigue", Points: 0, Detail: "aucune offre sans réponse"},
				{Factor: "contract", Points: 0, Detail: "tout type de contrat"},
			}},
		},
		{
			name: "duplicate offer skills count once, accents ignored",
			offer: func(o *matcher.Offer) {
				o.Skills, o.Town = []string{" Pétrissage ", "petrissage", "Façonnage"}, "Le Havre"
			},
			candidate: matcher.Candidate{ID: 10, ROMECodes: []string{"D1102"}, Location: north(15), Skills: []string{"PETRISSAGE", "pétrissage"}},
			want: matcher.Match{CandidateID: 10, Score: 67.5, DistanceKM: 15, Reasons: []matcher.Reason{
				{Factor: "occupation", Points: 40, Detail: "métier recherché D1102"},
				{Factor: "distance", Points: 17.5, Detail: "15 km du Havre (limite 30 km)"},
				{Factor: "skills", Points: 10, Detail: "1 compétence sur 2 : Pétrissage"},
				{Factor: "freshness", Points: 0, Detail: "fraîcheur non évaluée"},
				{Factor: "fatigue", Points: 0, Detail: "aucune offre sans réponse"},
				{Factor: "contract", Points: 0, Detail: "tout type de contrat"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer := baseOffer()
			if tt.offer != nil {
				tt.offer(&offer)
			}
			got := matcher.Rank(offer, []matcher.Candidate{tt.candidate})
			if len(got) != 1 {
				t.Fatalf("Rank returned %d matches, want 1", len(got))
			}
			if !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("match:\n got %+v\nwant %+v", got[0], tt.want)
			}
		})
	}
}

func TestRankFromTown(t *testing.T) {
	tests := []struct{ town, want string }{
		{"Lyon", "10 km de Lyon (limite 30 km)"},
		{"  Annecy ", "10 km d'Annecy (limite 30 km)"},
		{"Évry-Courcouronnes", "10 km d'Évry-Courcouronnes (limite 30 km)"},
		{"Le Mans", "10 km du Mans (limite 30 km)"},
		{"LES ABYMES", "10 km des ABYMES (limite 30 km)"},
		{"La Rochelle", "10 km de La Rochelle (limite 30 km)"},
		{"Hyères", "10 km de Hyères (limite 30 km)"}, // h not elided: the word decides
		{"", "10 km (limite 30 km)"},
	}
	for _, tt := range tests {
		t.Run(tt.town, func(t *testing.T) {
			offer := baseOffer()
			offer.Town = tt.town
			got := matcher.Rank(offer, []matcher.Candidate{baseCandidate()})
			if len(got) != 1 {
				t.Fatalf("Rank returned %d matches, want 1", len(got))
			}
			if d := got[0].Reasons[1].Detail; d != tt.want {
				t.Errorf("distance detail = %q, want %q", d, tt.want)
			}
		})
	}
}

func TestRankEmpty(t *testing.T) {
	got := matcher.Rank(baseOffer(), nil)
	if got == nil || len(got) != 0 {
		t.Errorf("Rank(offer, nil) = %#v, want an empty, non-nil slice", got)
	}
}

func TestRankReasonsAreIndependent(t *testing.T) {
	c1, c2 := baseCandidate(), baseCandidate()
	c2.ID = 2
	got := matcher.Rank(baseOffer(), []matcher.Candidate{c1, c2})
	_ = append(got[0].Reasons, matcher.Reason{Factor: "extra"})
	if got[1].Reasons[0].Factor != matcher.FactorOccupation {
		t.Errorf("appending to one match's reasons changed another's: %+v", got[1].Reasons)
	}
}

func TestMatchJSON(t *testing.T) {
	m := matcher.Match{CandidateID: 7, Score: 76.9, DistanceKM: 12.3, Reasons: []matcher.Reason{
		{Factor: "distance", Points: 23.6, Detail: "12,3 km de Lyon (limite 30 km)"},
	}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"candidate_id":7,"score":76.9,"distance_km":12.3,"reasons":[{"factor":"distance","points":23.6,"detail":"12,3 km de Lyon (limite 30 km)"}]}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
}
