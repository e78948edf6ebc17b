package matcher_test

import (
	"math"
	"slices"
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

// pool returns n matches with scores spread from 100 down to 1, in a
// scrambled order.
func pool(n int) []matcher.Match {
	out := make([]matcher.Match, n)
	for i := range out {
		id := int64((i*7919)%n + 1)
		out[i] = matcher.Match{CandidateID: id, Score: float64(100 - (id-1)*99/int64(n)), DistanceKM: 1}
	}
	return out
}

func ids(ms []matcher.Match) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.CandidateID
	}
	return out
}

func TestAllocateSizes(t *testing.T) {
	tests := []struct {
		name    string
		matches []matcher.Match
		n, want int
	}{
		{"nil", nil, 5, 0},
		{"zero wanted", pool(10), 0, 0},
		{"negative wanted", pool(10), -1, 0},
		{"fewer than wanted", pool(3), 5, 3},
		{"as many as wanted", pool(5), 5, 5},
		{"some", pool(100), 20, 20},
		{"one", pool(100), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matcher.Allocate(tt.matches, tt.n, 42)
			if got == nil || len(got) != tt.want {
				t.Fatalf("got %d matches (nil %v), want %d", len(got), got == nil, tt.want)
			}
			if !slices.IsSortedFunc(got, func(a, b matcher.Match) int { return cmpScore(b, a) }) {
				t.Errorf("not best first: %v", got)
			}
			if picked := ids(got); len(slices.Compact(slices.Sorted(slices.Values(picked)))) != len(picked) {
				t.Errorf("a candidate picked twice: %v", picked)
			}
		})
	}
}

func cmpScore(a, b matcher.Match) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return 0
}

func TestAllocateDeterministic(t *testing.T) {
	matches := pool(500)
	first := ids(matcher.Allocate(matches, 20, 7))
	if again := ids(matcher.Allocate(matches, 20, 7)); !slices.Equal(first, again) {
		t.Errorf("same seed, different picks:\n%v\n%v", first, again)
	}
	reversed := slices.Clone(matches)
	slices.Reverse(reversed)
	if got := ids(matcher.Allocate(reversed, 20, 7)); !slices.Equal(first, got) {
		t.Errorf("input order changed the picks:\n%v\n%v", first, got)
	}
	if other := ids(matcher.Allocate(matches, 20, 8)); slices.Equal(first, other) {
		t.Errorf("another seed, same picks: %v", other)
	}
	if !slices.Equal(ids(matches), ids(pool(500))) {
		t.Error("Allocate changed its input")
	}
}

// TestAllocateWeights checks that picks follow score²: with one pick out of
// a 80-point and a 40-point match, the first wins 6400/8000 of the draws.
func TestAllocateWeights(t *testing.T) {
	matches := []matcher.Match{{CandidateID: 1, Score: 80}, {CandidateID: 2, Score: 40}}
	const draws = 20_000
	wins := 0
	for seed := range uint64(draws) {
		if matcher.Allocate(matches, 1, seed)[0].CandidateID == 1 {
			wins++
		}
	}
	if share := float64(wins) / draws; math.Abs(share-0.8) > 0.015 {
		t.Errorf("80-point match won %.3f of draws, want 0.8 ± 0.015", share)
	}
}

func TestAllocateZeroScoreLast(t *testing.T) {
	matches := []matcher.Match{
		{CandidateID: 1, Score: 0}, {CandidateID: 2, Score: 1}, {CandidateID: 3, Score: 0}, {CandidateID: 4, Score: 2},
	}
	for seed := range uint64(50) {
		if got := ids(matcher.Allocate(matches, 3, seed)); !slices.Equal(got, []int64{4, 2, 1}) {
			t.Fatalf("seed %d: picked %v, want [4 2 1]", seed, got)
		}
	}
}
