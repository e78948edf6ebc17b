package outreach_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestSearchJobTitles: job titles are found by the starts of their words,
// accents, case and punctuation aside, or by ROME code.
func TestSearchJobTitles(t *testing.T) {
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	tests := []struct {
		name  string
		q     string
		limit int
		first string // label of the first result; "" for none
		has   []int  // job titles that must be found
		all   string // ROME code every result must have, "" for any
	}{
		{"word start", "boul", 10, "Boulanger / Boulangère", []int{11573}, ""},
		{"any word of a hyphenated label", "boulanger", 20, "Boulanger / Boulangère", []int{10868, 17407}, ""},
		{"accents and case aside", "BOULANGERE", 20, "Boulanger / Boulangère", []int{10868}, ""},
		{"accented query", "boulangère", 20, "Boulanger / Boulangère", []int{10868}, ""},
		{"every word", "aide boul", 10, "Aide-boulanger / Aide-boulangère", []int{10868}, "D1102"},
		{"ligature spelt out", "oeufs", 10, "Ramasseur / Ramasseuse d'œufs", []int{18282}, ""},
		{"ligature typed", "Œufs", 10, "Ramasseur / Ramasseuse d'œufs", []int{18282}, ""},
		{"the whole label", "Dentellier / Dentellière à la main", 10, "Dentellier / Dentellière à la main", []int{13959}, ""},
		{"ROME code", "d1102", 50, "Boulanger / Boulangère", []int{11573, 10868}, "D1102"},
		{"a word inside another is no word start", "langer", 10, "", nil, ""},
		{"nothing", "zzqx", 10, "", nil, ""},
		{"punctuation only", " - / ", 10, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Service.SearchJobTitles(context.Background(), tt.q, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > tt.limit {
				t.Errorf("%d results, limit %d", len(got), tt.limit)
			}
			if tt.first == "" {
				if len(got) != 0 {
					t.Errorf("found %v, want nothing", got)
				}
				return
			}
			if len(got) == 0 || got[0].Label != tt.first {
				t.Fatalf("results %v, want %q first", got, tt.first)
			}
			ids := make([]int, len(got))
			for i, jt := range got {
				ids[i] = jt.Appellation
				if tt.all != "" && jt.ROMECode != tt.all {
					t.Errorf("%q under %s, want %s", jt.Label, jt.ROMECode, tt.all)
				}
				if jt.ROMELabel == "" {
					t.Errorf("%q without its occupation's label", jt.Label)
				}
			}
			for _, id := range tt.has {
				if !slices.Contains(ids, id) {
					t.Errorf("job title %d not found in %v", id, got)
				}
			}
		})
	}
	for _, bad := range []struct {
		q     string
		limit int
		field string
	}{{"boul", 0, "limit"}, {"boul", outreach.MaxJobTitleResults + 1, "limit"}, {strings.Repeat("a", 201), 10, "q"}} {
		var v *outreach.ValidationError
		if _, err := st.Service.SearchJobTitles(context.Background(), bad.q, bad.limit); !errors.As(err, &v) || v.Field != bad.field {
			t.Errorf("SearchJobTitles(%.10q, %d): %v, want a ValidationError on %s", bad.q, bad.limit, err, bad.field)
		}
	}
}
