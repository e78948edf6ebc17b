package matcher

import (
	"math"
	"slices"
)

// Gini returns the Gini coefficient of counts, e.g. the offer SMS each job
// seeker of an area received: 0 when everyone received as many, close to 1
// when one person received them all (exactly 1 - 1/len(counts)). Include the
// people who received none, or the spread looks fairer than it is. Negative
// counts count as 0; with no counts or a zero total, Gini returns 0.
func Gini(counts []int) float64 {
	sorted, total := sortedCounts(counts)
	if total == 0 {
		return 0
	}
	// G = 2 Σ i·x(i) / (n Σ x) - (n+1)/n, with x sorted ascending, i from 1.
	var weighted float64
	for i, c := range sorted {
		weighted += float64(i+1) * float64(c)
	}
	n := float64(len(sorted))
	return 2*weighted/(n*float64(total)) - (n+1)/n
}

// TopShare returns the share of the total held by the largest fraction of
// counts, e.g. with 0.10 the share of offer SMS that went to the 10% most
// solicited job seekers: 0.10 when everyone received as many, 1 when a tenth
// of them received all. The number of entries taken is rounded up, so any
// positive fraction takes at least one. Negative counts count as 0; with no
// counts, a zero total or a fraction that is not positive, TopShare returns 0.
func TopShare(counts []int, fraction float64) float64 {
	sorted, total := sortedCounts(counts)
	if total == 0 || !(fraction > 0) {
		return 0
	}
	// The small slack keeps 0.1 × 30 at 3, not 4 from floating-point error.
	k := min(max(int(math.Ceil(fraction*float64(len(sorted))-1e-9)), 1), len(sorted))
	var top int64
	for _, c := range sorted[len(sorted)-k:] {
		top += int64(c)
	}
	return float64(top) / float64(total)
}

// sortedCounts returns a sorted copy of counts, negatives made 0, and their
// total.
func sortedCounts(counts []int) ([]int, int64) {
	sorted := make([]int, len(counts))
	var total int64
	for i, c := range counts {
		sorted[i] = max(c, 0)
		total += int64(sorted[i])
	}
	slices.Sort(sorted)
	return sorted, total
}
