package seed

import (
	"math/rand/v2"
	"slices"
)

// occupationPicker draws occupations according to their weights.
type occupationPicker struct {
	cumulative []int
}

func newOccupationPicker() occupationPicker {
	var p occupationPicker
	total := 0
	for _, o := range occupations {
		total += o.weight
		p.cumulative = append(p.cumulative, total)
	}
	return p
}

func (p occupationPicker) pick(rng *rand.Rand) occupation {
	n := rng.IntN(p.cumulative[len(p.cumulative)-1])
	i, _ := slices.BinarySearch(p.cumulative, n+1)
	return occupations[i]
}

// pickCodes returns the main ROME code, plus one related code for about a
// third of candidates and two for about one in ten.
func pickCodes(rng *rand.Rand, o occupation) []string {
	extra := 0
	switch r := rng.Float64(); {
	case r < 0.10:
		extra = 2
	case r < 0.35:
		extra = 1
	}
	extra = min(extra, len(o.related))
	codes := []string{o.code}
	for _, i := range rng.Perm(len(o.related))[:extra] {
		codes = append(codes, o.related[i])
	}
	return codes
}

// pickSkills returns two to five of the occupation's typical skills.
func pickSkills(rng *rand.Rand, o occupation) []string {
	n := min(2+rng.IntN(4), len(o.skills))
	skills := make([]string, 0, n)
	for _, i := range rng.Perm(len(o.skills))[:n] {
		skills = append(skills, o.skills[i])
	}
	return skills
}

// contractChoices are the contract preferences of job seekers; an empty list
// accepts any contract (and is not nil, to match the NOT NULL column).
// Weights are out of 100.
var contractChoices = []struct {
	types  []string
	weight int
}{
	{[]string{}, 55},
	{[]string{"CDI"}, 15},
	{[]string{"CDI", "CDD"}, 15},
	{[]string{"CDD", "MIS"}, 8},
	{[]string{"MIS"}, 4},
	{[]string{"CDD"}, 3},
}

func pickContracts(rng *rand.Rand) []string {
	n := rng.IntN(100)
	for _, c := range contractChoices {
		if n < c.weight {
			return slices.Clone(c.types)
		}
		n -= c.weight
	}
	return []string{}
}

// mobilityChoices are accepted commute distances in km, with weights out of
// 100; about 30 km is typical.
var mobilityChoices = []struct {
	km     float64
	weight int
}{
	{10, 8}, {15, 10}, {20, 20}, {30, 35}, {40, 12}, {50, 15},
}

func pickMobility(rng *rand.Rand) float64 {
	n := rng.IntN(100)
	for _, m := range mobilityChoices {
		if n < m.weight {
			return m.km
		}
		n -= m.weight
	}
	return 30
}
