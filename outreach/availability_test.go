package outreach_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestAvailability ranks, in PostgreSQL, bakers who can start at different
// dates for offers starting at different dates.
func TestAvailability(t *testing.T) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, paris)
	env := testenv.Service(t, nil, outreach.ServiceConfig{Now: func() time.Time { return now }})
	svc, store, co := env.Service, env.Store, env.Counsellor

	people := []struct{ id, phone, available string }{
		{"now", "0639980001", ""},
		{"today", "0639980002", "2026-06-01"},
		{"sept-1", "0639980003", "2026-09-01"},
		{"sept-2", "0639980004", "2026-09-02"},
	}
	ids := map[int64]string{} // candidate ID -> available_from
	for _, p := range people {
		c, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: p.id, FirstName: "Léa", Phone: p.phone,
			CommuneCode: "69123", ROMECodes: []string{"D1102"}, AvailableFrom: p.available, SMSConsent: true, CounsellorID: co.ID})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := store.Candidate(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := dateOf(stored.AvailableFrom); got != p.available {
			t.Errorf("%s: stored available_from %q, want %q", p.id, got, p.available)
		}
		ids[c.ID] = p.available
	}

	tests := []struct {
		name, startsOn string
		want           []string
	}{
		{"as soon as possible: available by today", "", []string{"now", "today"}},
		{"starts on 1 September: available by then, that day included", "2026-09-01", []string{"now", "sept-1", "today"}},
		{"start date already past: as soon as possible", "2026-05-01", []string{"now", "today"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := svc.CreateOffer(ctx, outreach.OfferInput{Title: "Boulanger", ROMECode: "D1102", CommuneCode: "69123",
				ContractType: "CDI", StartsOn: tt.startsOn, Employer: outreach.Employer{Name: "Fournil", Email: "rh@fournil.example"},
				CounsellorID: co.ID})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := store.Offer(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := dateOf(stored.StartsOn); got != tt.startsOn {
				t.Errorf("stored starts_on %q, want %q", got, tt.startsOn)
			}
			matches, err := svc.Matches(ctx, o.ID, 50)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range matches {
				got = append(got, m.ExternalID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("matches %v, want %v", got, tt.want)
			}

			// The check of what the candidate index proposes reads the dates too.
			checked, err := store.MatchCandidatesByID(ctx, o.ID, slices.Collect(maps.Keys(ids)))
			if err != nil || len(checked) != len(ids) {
				t.Fatalf("checked %d candidates, %v; want %d", len(checked), err, len(ids))
			}
			for _, c := range checked {
				if got := dateOf(c.AvailableFrom); got != ids[c.ID] {
					t.Errorf("candidate %d checked with available_from %q, want %q", c.ID, got, ids[c.ID])
				}
			}
		})
	}
}

// TestBadDates: a date that is not YYYY-MM-DD, or not plausible, is a
// ValidationError naming the field.
func TestBadDates(t *testing.T) {
	ctx := context.Background()
	env := testenv.Service(t, nil, outreach.ServiceConfig{})
	svc, co := env.Service, env.Counsellor
	tests := []struct {
		name, date string
	}{
		{"French order", "01/09/2026"},
		{"no such day", "2026-02-30"},
		{"with a time", "2026-09-01T08:00:00Z"},
		{"implausible year", "0026-09-01"},
		{"words", "demain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: "C-1", FirstName: "Léa", Phone: "0639980001",
				CommuneCode: "69123", ROMECodes: []string{"D1102"}, AvailableFrom: tt.date, SMSConsent: true, CounsellorID: co.ID})
			checkInvalid(t, err, "available_from")
			_, err = svc.CreateOffer(ctx, outreach.OfferInput{Title: "Boulanger", ROMECode: "D1102", CommuneCode: "69123",
				ContractType: "CDI", StartsOn: tt.date, Employer: outreach.Employer{Name: "Fournil", Email: "rh@fournil.example"},
				CounsellorID: co.ID})
			checkInvalid(t, err, "starts_on")
		})
	}
}

func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var v *outreach.ValidationError
	if !errors.As(err, &v) || v.Field != field {
		t.Errorf("got %v, want a ValidationError on %s", err, field)
	}
}

// dateOf formats a stored date as the API does; "" for none.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
