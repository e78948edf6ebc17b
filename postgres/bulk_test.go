package postgres_test

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/matcher"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/seed"
)

// bulkFixture is a fresh database holding a small national population.
type bulkFixture struct {
	store      *postgres.Store
	people     []outreach.Candidate
	counsellor int64
}

func newBulkFixture(t *testing.T, n int) bulkFixture {
	t.Helper()
	ctx := context.Background()
	pool, _ := testenv.Pool(t)
	store := postgres.NewStore(pool)
	c := outreach.Counsellor{Email: "bench@agence.example", Name: "Bench", Agency: "Bench"}
	if err := store.CreateCounsellor(ctx, &c); err != nil {
		t.Fatal(err)
	}
	src, err := seed.NationalFollowedBy(n, 5, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	got, err := store.CopyCandidates(ctx, src, func(done int) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if got != n || !slices.Equal(progress, []int{n}) {
		t.Fatalf("copied %d, progress %v; want %d, [%d]", got, progress, n, n)
	}
	return bulkFixture{store: store, people: slices.Collect(src), counsellor: c.ID}
}

func TestCopyCandidates(t *testing.T) {
	ctx := context.Background()
	f := newBulkFixture(t, 5000)

	total, prefixed, err := f.store.CandidateCounts(ctx, seed.NationalIDPrefix)
	if err != nil || total != 5000 || prefixed != 5000 {
		t.Fatalf("counts %d, %d (err %v), want 5000, 5000", total, prefixed, err)
	}
	// COPY keeps the order: ids follow the sequence.
	for _, i := range []int{0, 1234, 4999} {
		got, err := f.store.Candidate(ctx, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		want := f.people[i]
		want.ID, want.CreatedAt, want.UpdatedAt, want.OptedOut = got.ID, got.CreatedAt, got.UpdatedAt, got.OptedOut
		if !equalCandidates(got, want) {
			t.Errorf("candidate %d:\n got %+v\nwant %+v", i+1, got, want)
		}
	}

	// Opted-out numbers show on every candidate sharing them.
	phones := seed.OptedOutPhones(0)
	if n, err := f.store.OptOutPhones(ctx, phones, "bench"); err != nil || n != len(phones) {
		t.Fatalf("opted out %d (err %v), want %d", n, err, len(phones))
	}
	if n, err := f.store.OptOutPhones(ctx, phones, "bench"); err != nil || n != 0 {
		t.Fatalf("opting out again: %d (err %v), want 0", n, err)
	}
	for _, i := range []int{0, 1, 100, 4900} {
		got, err := f.store.Candidate(ctx, int64(i+1))
		if err != nil || got.OptedOut != f.people[i].OptedOut {
			t.Errorf("candidate %d: opted out %v (err %v), want %v", i+1, got.OptedOut, err, f.people[i].OptedOut)
		}
	}
	if err := f.store.VacuumCandidates(ctx); err != nil {
		t.Fatal(err)
	}
}

func equalCandidates(a, b outreach.Candidate) bool {
	return a.ExternalID == b.ExternalID && a.FirstName == b.FirstName && a.Phone == b.Phone &&
		a.Location == b.Location && a.CommuneCode == b.CommuneCode && a.MobilityKM == b.MobilityKM &&
		slices.Equal(a.ROMECodes, b.ROMECodes) && slices.Equal(a.Skills, b.Skills) &&
		slices.Equal(a.ContractTypes, b.ContractTypes) && a.SMSConsent == b.SMSConsent &&
		a.CounsellorID == b.CounsellorID && a.AvailableFrom.Equal(b.AvailableFrom)
}

func TestCopyCandidatesEdges(t *testing.T) {
	ctx := context.Background()
	f := newBulkFixture(t, 10)

	called := false
	n, err := f.store.CopyCandidates(ctx, slices.Values([]outreach.Candidate(nil)), func(int) { called = true })
	if err != nil || n != 0 || called {
		t.Errorf("empty source: %d copied, progress called %v, err %v", n, called, err)
	}
	// A date of availability goes through COPY.
	late := f.people[0]
	late.ExternalID, late.AvailableFrom = "COPY-LATE", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	if n, err := f.store.CopyCandidates(ctx, slices.Values([]outreach.Candidate{late}), nil); err != nil || n != 1 {
		t.Fatalf("copy with a date: %d copied, err %v", n, err)
	}
	if got, err := f.store.Candidate(ctx, int64(len(f.people)+1)); err != nil || !equalCandidates(got, late) {
		t.Errorf("copied with a date:\n got %+v (err %v)\nwant %+v", got, err, late)
	}
	// The same people again: their external ids are taken.
	n, err = f.store.CopyCandidates(ctx, slices.Values(f.people), nil)
	if !errors.Is(err, outreach.ErrConflict) || n != 0 {
		t.Errorf("duplicate copy: %d copied, err %v, want ErrConflict", n, err)
	}

	if err := f.store.ResetOutreach(ctx); err != nil {
		t.Fatal(err)
	}
	if total, _, err := f.store.CandidateCounts(ctx, seed.NationalIDPrefix); err != nil || total != 0 {
		t.Errorf("after reset: %d candidates (err %v)", total, err)
	}
}

// TestNaiveShortlist checks the benchmark's baseline against the same
// rules applied in Go: it must return what a correct first version would.
func TestNaiveShortlist(t *testing.T) {
	ctx := context.Background()
	f := newBulkFixture(t, 5000)
	if _, err := f.store.OptOutPhones(ctx, seed.OptedOutPhones(0.05), "bench"); err != nil {
		t.Fatal(err)
	}
	optedOut := map[string]bool{}
	for _, p := range seed.OptedOutPhones(0.05) {
		optedOut[p] = true
	}
	// Paris, the most common occupation among its people.
	paris := outreach.Point{Lat: 48.8566, Lon: 2.3522}
	counts := map[string]int{}
	for _, p := range f.people {
		if matcher.DistanceKM(point(p.Location), point(paris)) < 50 {
			counts[p.ROMECodes[0]]++
		}
	}
	code := slices.MaxFunc(slices.Collect(maps.Keys(counts)), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[a], counts[b]), cmp.Compare(b, a))
	})

	for _, contract := range []string{"CDI", "MIS"} {
		o := outreach.Offer{
			Reference: "NAIVE" + contract[:1], Title: "Test", ROMECode: code, Employer: outreach.Employer{Name: "E", Email: "e@example.org"},
			Location: paris, Town: "Paris", ContractType: contract, RadiusKM: 50, Positions: 1, CounsellorID: f.counsellor,
		}
		if err := f.store.CreateOffer(ctx, &o); err != nil {
			t.Fatal(err)
		}
		var want []string
		type scored struct {
			id string
			km float64
		}
		var eligible []scored
		for _, p := range f.people {
			km := matcher.DistanceKM(point(p.Location), point(paris))
			if p.SMSConsent && !optedOut[p.Phone] && slices.Contains(p.ROMECodes, code) &&
				(len(p.ContractTypes) == 0 || slices.Contains(p.ContractTypes, contract)) &&
				km <= min(o.RadiusKM, p.MobilityKM) {
				eligible = append(eligible, scored{p.ExternalID, km})
			}
		}
		slices.SortFunc(eligible, func(a, b scored) int { return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.id, b.id)) })
		for _, e := range eligible[:min(len(eligible), 20)] {
			want = append(want, e.id)
		}

		ids, err := f.store.NaiveShortlist(ctx, o, 20)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(ids))
		for i, id := range ids {
			c, err := f.store.Candidate(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got[i] = c.ExternalID
		}
		if len(want) < 5 || !slices.Equal(got, want) {
			t.Errorf("%s %s: naive shortlist\n got %v\nwant %v", code, contract, got, want)
		}
	}
}

func point(p outreach.Point) matcher.Point { return matcher.Point{Lat: p.Lat, Lon: p.Lon} }
