package matcher_test

import (
	"math"
	"testing"

	"github.com/franceoutreach/outreach/matcher"
)

func TestGini(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		want   float64
	}{
		{"empty", nil, 0},
		{"all zero", []int{0, 0, 0}, 0},
		{"one entry", []int{7}, 0},
		{"equal", []int{3, 3, 3, 3}, 0},
		{"one-hot of 4", []int{0, 0, 5, 0}, 1 - 1.0/4},
		{"one-hot of 1000", append(make([]int, 999), 1), 1 - 1.0/1000},
		{"1 to 5", []int{5, 1, 4, 2, 3}, 4.0 / 15}, // mean |xi-xj| 1.6, over twice the mean 3
		{"half have all", []int{0, 2, 0, 2}, 0.5},
		{"negative counts as zero", []int{-3, 0, 5, 0}, 1 - 1.0/4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matcher.Gini(tt.counts); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Gini(%v) = %v, want %v", tt.counts, got, tt.want)
			}
		})
	}
}

func TestTopShare(t *testing.T) {
	tenths := []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 11} // total 20
	thirty := make([]int, 30)
	for i := range thirty {
		thirty[i] = i + 1 // total 465; top 3 = 30+29+28
	}
	tests := []struct {
		name     string
		counts   []int
		fraction float64
		want     float64
	}{
		{"empty", nil, 0.1, 0},
		{"all zero", []int{0, 0}, 0.1, 0},
		{"equal", []int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 0.1, 0.1},
		{"top tenth", tenths, 0.1, 11.0 / 20},
		{"top fifth", tenths, 0.2, 12.0 / 20},
		{"one-hot", []int{0, 0, 0, 9}, 0.1, 1},
		{"rounded up to one entry", []int{1, 3}, 0.01, 0.75},
		{"0.1 of 30 is 3 entries", thirty, 0.1, 87.0 / 465},
		{"whole", tenths, 1, 1},
		{"more than whole", tenths, 1.5, 1},
		{"zero fraction", tenths, 0, 0},
		{"negative counts as zero", []int{-5, 1, 3, 0}, 0.25, 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matcher.TopShare(tt.counts, tt.fraction); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("TopShare(%v, %v) = %v, want %v", tt.counts, tt.fraction, got, tt.want)
			}
		})
	}
}
