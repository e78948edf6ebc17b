package matcher_test

import (
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

// mobility holds a few ROME 4.0 mobility links, from_code → to_code with the
// rank of to_code in from_code's list, as in rome/mobility.csv.
var mobility = []struct {
	from, to string
	rank     int
}{
	{"H2604", "H2605", 1}, // assembly of electrical products → electronic wiring
	{"H2602", "H2605", 2},
	{"H2603", "H2605", 3},
	{"I1307", "H2605", 10},
	{"H2605", "H2604", 4}, // the reverse link, with its own rank
	{"B1806", "H2604", 6}, // lace-making (tapestry) → electrical assembly
}

// relatedTo builds Offer.Related as the database adapter does: the links
// whose target is the offer's code, keyed by their source.
func relatedTo(code string) map[string]int {
	related := make(map[string]int)
	for _, l := range mobility {
		if l.to == code {
			related[l.from] = l.rank
		}
	}
	return related
}

// wiringOffer is an electronic wiring job in Lyon open to related occupations.
func wiringOffer() matcher.Offer {
	o := baseOffer()
	o.ROMECode, o.Skills, o.Related = "H2605", nil, relatedTo("H2605")
	return o
}

func TestRankRelatedOccupation(t *testing.T) {
	tests := []struct {
		name       string
		offer      func(*matcher.Offer)
		codes      []string
		wantPoints float64 // -1: not eligible
		wantDetail string
	}{
		{"exact", nil, []string{"H2605"}, 40, "métier recherché H2605"},
		{"rank 1", nil, []string{"H2604"}, 25, "métier proche : H2604 → H2605 (mobilité n°1)"},
		{"rank 2", nil, []string{"H2602"}, 24, "métier proche : H2602 → H2605 (mobilité n°2)"},
		{"rank 10", nil, []string{"I1307"}, 16, "métier proche : I1307 → H2605 (mobilité n°10)"},
		{"rank 21 floors at 15", func(o *matcher.Offer) { o.Related["I1307"] = 21 }, []string{"I1307"}, 15, "métier proche : I1307 → H2605 (mobilité n°21)"},
		{"unranked", func(o *matcher.Offer) { o.Related["I1307"] = 0 }, []string{"I1307"}, 15, "métier proche : I1307 → H2605"},
		{"best of several links", nil, []string{"H2603", "I1307", "H2602"}, 24, "métier proche : H2602 → H2605 (mobilité n°2)"},
		{"exact beats a listed link", nil, []string{"H2604", "h2605"}, 40, "métier recherché H2605"},
		{"case and spaces ignored", nil, []string{" h2603 "}, 23, "métier proche : H2603 → H2605 (mobilité n°3)"},
		{"related keys normalised", func(o *matcher.Offer) { o.Related = map[string]int{" h2603": 3} }, []string{"H2603"}, 23, "métier proche : H2603 → H2605 (mobilité n°3)"},
		{"unrelated code", nil, []string{"D1102"}, -1, ""},
		{"no links given", func(o *matcher.Offer) { o.Related = nil }, []string{"H2604"}, -1, ""},
		{"reverse link has its own rank", func(o *matcher.Offer) { o.ROMECode, o.Related = "H2604", relatedTo("H2604") }, []string{"H2605"}, 22, "métier proche : H2605 → H2604 (mobilité n°4)"},
		{"links are directional", func(o *matcher.Offer) { o.ROMECode, o.Related = "B1806", relatedTo("B1806") }, []string{"H2604"}, -1, ""},
		{"offer's own code in Related is exact", func(o *matcher.Offer) { o.Related["H2605"] = 1 }, []string{"H2605"}, 40, "métier recherché H2605"},
		{"exact with label", func(o *matcher.Offer) { o.ROMELabels = map[string]string{"H2605": "Monteur-câbleur"} }, []string{"H2605"}, 40, "métier recherché H2605 Monteur-câbleur"},
		{
			"labels", func(o *matcher.Offer) {
				o.ROMELabels = map[string]string{"H2605": "Monteur-câbleur / Monteuse-câbleuse en électronique", "h2604": " Assembleur  en électronique "}
			}, []string{"H2604"}, 25,
			"métier proche : H2604 Assembleur en électronique → H2605 Monteur-câbleur / Monteuse-câbleuse en électronique (mobilité n°1)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer := wiringOffer()
			if tt.offer != nil {
				tt.offer(&offer)
			}
			cand := baseCandidate()
			cand.ROMECodes = tt.codes
			got := matcher.Rank(offer, []matcher.Candidate{cand})
			if tt.wantPoints < 0 {
				if len(got) != 0 {
					t.Fatalf("eligible, want not: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("Rank returned %d matches, want 1", len(got))
			}
			if r := got[0].Reasons[0]; r.Points != tt.wantPoints || r.Detail != tt.wantDetail {
				t.Errorf("occupation = %v %q, want %v %q", r.Points, r.Detail, tt.wantPoints, tt.wantDetail)
			}
		})
	}
}

// TestRankExactBeatsRelated checks that the exact occupation outranks the
// closest related one whatever the other parts, as long as they are equal,
// and by at least 15 points.
func TestRankExactBeatsRelated(t *testing.T) {
	skills := []string{"Soudure", "Câblage", "Lecture de plans"}
	for _, km := range []float64{0, 5, 15, 29.9} {
		for _, n := range []int{0, 1, 3} {
			offer := wiringOffer()
			offer.Skills = skills
			exact := matcher.Candidate{ID: 2, ROMECodes: []string{"H2605"}, Location: north(km), Skills: skills[:n]}
			related := matcher.Candidate{ID: 1, ROMECodes: []string{"H2604"}, Location: north(km), Skills: skills[:n]}
			got := matcher.Rank(offer, []matcher.Candidate{related, exact})
			ids := []int64{got[0].CandidateID, got[1].CandidateID}
			if !slices.Equal(ids, []int64{2, 1}) || got[0].Score-got[1].Score < 14.95 { // scores are rounded to 0.1
				t.Errorf("%v km, %d skills: got %v, scores %v and %v", km, n, ids, got[0].Score, got[1].Score)
			}
		}
	}
}

func TestRankLinkOrder(t *testing.T) {
	offer := wiringOffer()
	candidates := []matcher.Candidate{
		{ID: 1, ROMECodes: []string{"I1307"}, Location: north(10)},
		{ID: 2, ROMECodes: []string{"H2602"}, Location: north(10)},
		{ID: 3, ROMECodes: []string{"H2605"}, Location: north(10)},
		{ID: 4, ROMECodes: []string{"H2604"}, Location: north(10)},
		{ID: 5, ROMECodes: []string{"B1806"}, Location: north(10)}, // links to H2604, not H2605
	}
	var ids []int64
	for _, m := range matcher.Rank(offer, candidates) {
		ids = append(ids, m.CandidateID)
	}
	if want := []int64{3, 4, 2, 1}; !slices.Equal(ids, want) {
		t.Errorf("order = %v, want %v", ids, want)
	}
}
