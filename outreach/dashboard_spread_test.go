package outreach

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// TestGini checks the coefficient against the mean absolute difference
// computed pair by pair, on distributions worked out by hand.
func TestGini(t *testing.T) {
	tests := []struct {
		name string
		dist []SMSCount
		want float64 // -1: none
	}{
		{"nobody", nil, -1},
		{"no SMS", []SMSCount{{0, 5}}, -1},
		{"everyone the same", []SMSCount{{2, 4}}, 0},
		{"one of two got it all", []SMSCount{{0, 1}, {1, 1}}, 0.5},
		{"one of four got it all", []SMSCount{{0, 3}, {5, 1}}, 0.75},
		{"0, 1, 3, 4", []SMSCount{{0, 1}, {1, 1}, {3, 1}, {4, 1}}, 14.0 / 32},
		{"0, 0, 1, 1, 3", []SMSCount{{0, 2}, {1, 2}, {3, 1}}, 14.0 / 25},
		{"unordered", []SMSCount{{3, 1}, {1, 2}, {0, 2}}, 14.0 / 25},
	}
	for _, tt := range tests {
		got := gini(tt.dist)
		switch {
		case tt.want < 0:
			if got != nil {
				t.Errorf("%s: Gini %v, want none", tt.name, *got)
			}
		case got == nil || math.Abs(*got-tt.want) > 1e-12:
			t.Errorf("%s: Gini %v, want %v", tt.name, got, tt.want)
		case math.Abs(*got-pairwiseGini(tt.dist)) > 1e-12:
			t.Errorf("%s: Gini %v, pair by pair %v", tt.name, *got, pairwiseGini(tt.dist))
		}
	}
}

// pairwiseGini is the textbook definition: Σ|xi − xj| / (2 n² mean).
func pairwiseGini(dist []SMSCount) float64 {
	var xs []float64
	for _, d := range dist {
		for range d.JobSeekers {
			xs = append(xs, float64(d.SMS))
		}
	}
	var diff, sum float64
	for _, a := range xs {
		sum += a
		for _, b := range xs {
			diff += math.Abs(a - b)
		}
	}
	n := float64(len(xs))
	return diff / (2 * n * n * (sum / n))
}

func TestSpreadOf(t *testing.T) {
	sp := spreadOf([]SMSCount{{0, 3}, {1, 4}, {2, 2}, {5, 1}, {7, 2}})
	var hist []string
	for _, b := range sp.Histogram {
		hist = append(hist, fmt.Sprintf("%s:%d", b.Label(), b.JobSeekers))
	}
	if sp.JobSeekers != 12 || sp.Reached != 9 || sp.SMS != 27 || sp.Max != 7 ||
		!slices.Equal(hist, []string{"1:4", "2:2", "3:0", "4 et +:3"}) || sp.Gini == nil {
		t.Errorf("spread %+v, histogram %v", sp, hist)
	}
}

func TestReplyDelayBuckets(t *testing.T) {
	var got []string
	for _, b := range delayBuckets([]int{1, 2, 3, 4, 5, 6, 7, 8}) {
		got = append(got, fmt.Sprintf("%s:%d", b.Label(), b.Replies))
	}
	want := []string{"0-5 min:1", "5-15 min:2", "15-30 min:3", "30-60 min:4", "1-2 h:5", "2-6 h:6", "6-24 h:7",
		"plus de 24 h:8"}
	if !slices.Equal(got, want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
}

// TestFillWeeks: the weeks without SMS between two others are added, so
// that a chart over time shows them.
func TestFillWeeks(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, time.March, d, 0, 0, 0, 0, time.UTC) }
	week := func(d, sent int) WeekFigures {
		return WeekFigures{Start: day(d), ContactCounts: ContactCounts{Sent: sent}}
	}
	tests := []struct {
		name string
		in   []WeekFigures
		want []WeekFigures
	}{
		{"none", nil, nil},
		{"one", []WeekFigures{week(2, 1)}, []WeekFigures{week(2, 1)}},
		{"consecutive", []WeekFigures{week(2, 1), week(9, 2)}, []WeekFigures{week(2, 1), week(9, 2)}},
		{"two gaps, over the change to summer time", []WeekFigures{week(2, 1), week(23, 4), week(30, 5)},
			[]WeekFigures{week(2, 1), week(9, 0), week(16, 0), week(23, 4), week(30, 5)}},
	}
	for _, tt := range tests {
		if got := fillWeeks(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRates(t *testing.T) {
	c := ContactCounts{Sent: 10, Delivered: 8, Failed: 2, Replied: 4, Interested: 1}
	if *c.ReplyRate() != 0.5 || *c.InterestRate() != 0.25 || *c.FailureRate() != 0.2 {
		t.Errorf("rates %v %v %v", *c.ReplyRate(), *c.InterestRate(), *c.FailureRate())
	}
	var none ContactCounts
	if none.ReplyRate() != nil || none.InterestRate() != nil || none.FailureRate() != nil {
		t.Error("rates without denominators, want nil")
	}
}
