package matcher_test

import (
	"testing"
	"time"

	"github.com/franceoutreach/outreach/matcher"
)

// TestRankAvailability: a candidate is eligible only if they can start by
// the offer's start date, or by the day of ranking when it has none.
func TestRankAvailability(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, paris)
	tests := []struct {
		name      string
		startsOn  time.Time
		now       time.Time
		available time.Time
		eligible  bool
	}{
		{"available now (no date)", day("2026-09-01"), now, time.Time{}, true},
		{"available before the start", day("2026-09-01"), now, day("2026-08-15"), true},
		{"available on the start date", day("2026-09-01"), now, day("2026-09-01"), true},
		{"available the day after the start", day("2026-09-01"), now, day("2026-09-02"), false},
		{"time of day does not count", day("2026-09-01"), now, day("2026-09-01").Add(23 * time.Hour), true},
		{"start without Now", day("2026-09-01"), time.Time{}, day("2026-09-02"), false},
		{"no start: available today", time.Time{}, now, day("2026-06-01"), true},
		{"no start: available tomorrow", time.Time{}, now, day("2026-06-02"), false},
		{"no start: today is the day of Now in its location", time.Time{}, time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC), day("2026-06-02"), false},
		{"no start and no Now: not checked", time.Time{}, time.Time{}, day("2099-01-01"), true},
		{"start already past: available since", day("2026-05-01"), now, day("2026-05-20"), true},
		{"start already past: available later", day("2026-05-01"), now, day("2026-06-02"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, cand := baseOffer(), baseCandidate()
			offer.StartsOn, offer.Now, cand.AvailableFrom = tt.startsOn, tt.now, tt.available
			got := matcher.Rank(offer, []matcher.Candidate{cand})
			if eligible := len(got) == 1; eligible != tt.eligible {
				t.Errorf("eligible = %v, want %v", eligible, tt.eligible)
			}
		})
	}
}

// TestAvailabilityLeavesScoreAlone: an eligible candidate's score and
// reasons do not depend on their availability date.
func TestAvailabilityLeavesScoreAlone(t *testing.T) {
	offer := baseOffer()
	offer.StartsOn = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	now, later := baseCandidate(), baseCandidate()
	later.AvailableFrom = offer.StartsOn
	a, b := matcher.Rank(offer, []matcher.Candidate{now}), matcher.Rank(offer, []matcher.Candidate{later})
	if len(a) != 1 || len(b) != 1 || a[0].Score != b[0].Score || len(b[0].Reasons) != 6 {
		t.Fatalf("available now %+v, available on the start %+v: want the same score and six reasons", a, b)
	}
}
