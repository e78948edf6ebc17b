package matcher

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomPeople draws job seekers around Lyon with a few codes, contracts
// and skills each, some with contact history that only lowers scores.
func randomPeople(rng *rand.Rand, n int, firstID int64) []Candidate {
	codes := []string{"N1103", "N1101", "H2605", "b1806", "D1102 ", "K2204"}
	skills := []string{"Cariste", "caces 3", "Accueil client", "encaissement", "Soudure", "hygiène"}
	contracts := []string{"CDI", "CDD", "MIS", "cdi", "APP"}
	people := make([]Candidate, n)
	for i := range people {
		c := Candidate{
			ID:         firstID + int64(i),
			Location:   Point{Lat: 45.76 + rng.NormFloat64()*0.3, Lon: 4.84 + rng.NormFloat64()*0.4},
			MobilityKM: []float64{0, 5, 12.5, 30, 60, 300}[rng.IntN(6)],
		}
		for range 1 + rng.IntN(4) {
			c.ROMECodes = append(c.ROMECodes, codes[rng.IntN(len(codes))])
		}
		for range rng.IntN(3) {
			c.ContractTypes = append(c.ContractTypes, contracts[rng.IntN(len(contracts))])
		}
		for range rng.IntN(5) {
			c.Skills = append(c.Skills, skills[rng.IntN(len(skills))])
		}
		people[i] = c
	}
	return people
}

func entryOf(c Candidate) IndexEntry {
	return IndexEntry{ID: c.ID, ROMECodes: c.ROMECodes, Location: c.Location, MobilityKM: c.MobilityKM,
		ContractTypes: c.ContractTypes, Skills: c.Skills}
}

func randomOffer(rng *rand.Rand) Offer {
	return Offer{
		ROMECode:     []string{"N1103", "n1101", "H2605", "K2204"}[rng.IntN(4)],
		Location:     Point{Lat: 45.76 + rng.NormFloat64()*0.2, Lon: 4.84 + rng.NormFloat64()*0.2},
		RadiusKM:     []float64{5, 10, 30, 50, 100}[rng.IntN(5)],
		ContractType: []string{"CDI", "CDD", "MIS", "APP", "CDI-INTERIM"}[rng.IntN(5)],
		Skills:       [][]string{nil, {"cariste"}, {"Caces 3", "accueil client", "soudure"}}[rng.IntN(3)],
		Related:      map[string]int{"N1101": 1, "B1806": 7, "D1102": 0},
		Now:          time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	}
}

// checkBounds asserts the index's promise: every job seeker Rank finds
// eligible is proposed, once, with a bound at least their score; and with
// a floor, every one scoring above it, and no bound under it.
func checkBounds(t *testing.T, ix *Index, offer Offer, people []Candidate) {
	t.Helper()
	checkBoundsFrom(t, ix, offer, people, 0)
	ranked := Rank(offer, people)
	for _, k := range []int{1, 10, 50} {
		if len(ranked) >= k {
			checkBoundsFrom(t, ix, offer, people, ranked[k-1].Score-0.06)
		}
	}
}

func checkBoundsFrom(t *testing.T, ix *Index, offer Offer, people []Candidate, floor float64) {
	t.Helper()
	proposals := ix.Search(offer, floor)
	var all []Bounded
	for {
		next := proposals.Next(7)
		if len(next) == 0 {
			break
		}
		all = append(all, next...)
	}
	if !slices.IsSortedFunc(all, func(a, b Bounded) int { return -cmpFloat(a.Max, b.Max) }) {
		t.Fatalf("proposals not best bound first")
	}
	bound := map[int64]float64{}
	for _, b := range all {
		if _, dup := bound[b.ID]; dup {
			t.Fatalf("candidate %d proposed twice", b.ID)
		}
		bound[b.ID] = b.Max
	}
	for id, max := range bound {
		if max < floor {
			t.Fatalf("candidate %d proposed with bound %.3f under the floor %.3f", id, max, floor)
		}
	}
	for _, m := range Rank(offer, people) {
		if m.Score < floor+0.06 {
			continue
		}
		max, ok := bound[m.CandidateID]
		switch {
		case !ok:
			t.Fatalf("offer %+v: eligible candidate %d (score %.1f) not proposed", offer, m.CandidateID, m.Score)
		case max < m.Score-0.05:
			t.Fatalf("offer %+v: candidate %d bound %.3f under score %.1f", offer, m.CandidateID, max, m.Score)
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestIndexNeverMissesAnEligibleCandidate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	people := randomPeople(rng, 3000, 1)
	ix := NewIndex()
	for _, c := range people {
		ix.Put(entryOf(c))
	}
	ix.Compact()
	if ix.Len() != len(people) {
		t.Fatalf("Len %d, want %d", ix.Len(), len(people))
	}
	for range 60 {
		checkBounds(t, ix, randomOffer(rng), people)
	}
}

func TestIndexFollowsChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	people := randomPeople(rng, 1500, 1000)
	ix := NewIndex()
	// Out of ID order, as concurrent inserts commit.
	for _, i := range rng.Perm(len(people)) {
		ix.Put(entryOf(people[i]))
	}
	ix.Compact()
	// Move, retrain or remove a third of them; add newcomers.
	moved := randomPeople(rng, len(people), 1000)
	var removed []int64
	for i := range people {
		switch rng.IntN(6) {
		case 0:
			people[i] = moved[i]
			ix.Put(entryOf(people[i]))
		case 1:
			removed = append(removed, people[i].ID)
		}
	}
	if !slices.Contains(removed, people[0].ID) {
		removed = append(removed, people[0].ID)
	}
	ix.Apply(nil, removed)
	ix.Remove(people[0].ID) // twice is harmless
	ix.Remove(99999)        // unknown too
	people = slices.DeleteFunc(people, func(c Candidate) bool { return slices.Contains(removed, c.ID) })
	newcomers := randomPeople(rng, 200, 10)
	for _, c := range newcomers {
		ix.Put(entryOf(c))
	}
	people = append(people, newcomers...)
	if ix.Len() != len(people) {
		t.Fatalf("Len %d, want %d", ix.Len(), len(people))
	}
	for i := range 60 {
		if i == 30 { // half the checks on the rebuilt base
			ix.Compact()
		}
		offer := randomOffer(rng)
		checkBounds(t, ix, offer, people)
		// And nobody removed comes back.
		p := ix.Search(offer, 0)
		for _, b := range p.Next(p.Len()) {
			if slices.Contains(removed, b.ID) {
				t.Fatalf("removed candidate %d proposed", b.ID)
			}
		}
	}
}

func TestIndexEmptyAndInvalidOffers(t *testing.T) {
	ix := NewIndex()
	if p := ix.Search(Offer{ROMECode: "N1103", RadiusKM: 10}, 0); p.Len() != 0 {
		t.Errorf("empty index proposes %d", p.Len())
	}
	ix.Put(IndexEntry{ID: 1, ROMECodes: []string{"N1103"}, Location: Point{45, 4}})
	for _, o := range []Offer{
		{ROMECode: "", RadiusKM: 10, Location: Point{45, 4}},
		{ROMECode: "N1103", RadiusKM: 0, Location: Point{45, 4}},
		{ROMECode: "N1103", RadiusKM: 10, Location: Point{46, 4}},
		{ROMECode: "A1101", RadiusKM: 10, Location: Point{45, 4}},
	} {
		if p := ix.Search(o, 0); p.Len() != 0 {
			t.Errorf("offer %+v: %d proposals, want none", o, p.Len())
		}
	}
	if _, ok := ix.Search(Offer{ROMECode: "n1103", RadiusKM: 10, Location: Point{45, 4}}, 0).Bound(); !ok {
		t.Error("a lower-case code finds nobody")
	}
}

func TestIndexRebuildsAfterManyChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	people := randomPeople(rng, 6000, 1)
	entries := make([]IndexEntry, len(people))
	for i, c := range people {
		entries[i] = entryOf(c)
	}
	ix := NewIndex()
	ix.Apply(entries[:3000], nil) // under the rebuild threshold
	ix.Apply(entries[3000:], nil) // over: the base is rebuilt
	if ix.added != 0 {
		t.Fatalf("%d entries still in added lists after a large batch", ix.added)
	}
	for range 30 {
		checkBounds(t, ix, randomOffer(rng), people)
	}
}
