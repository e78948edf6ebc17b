package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/live"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/refdata"
	"github.com/franceoutreach/outreach/seed"
)

// TestIndexedShortlistsEqualSQL checks the in-memory index against the
// database scan it replaces: on a national population, then after
// candidates move, retrain, withdraw consent, opt out, get texted, are
// erased or arrive, every top-50 shortlist is the same, match for match.
func TestIndexedShortlistsEqualSQL(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) }
	st := testenv.Service(t, nil, outreach.ServiceConfig{Now: now})
	// A national population in which the offers' shortlists compete.
	src, err := seed.NationalFollowedBy(30000, 9, st.Counsellor.ID)
	if err != nil {
		t.Fatal(err)
	}
	people := slices.Collect(src)
	if _, err := st.Store.CopyCandidates(ctx, slices.Values(people), nil); err != nil {
		t.Fatal(err)
	}

	idx := postgres.NewLiveIndex(st.Pool, slog.New(slog.DiscardHandler))
	indexed := outreach.NewService(st.Store, nil, queue.NewClient(st.Redis, st.Namespace), live.NewHub(st.Redis, st.Namespace),
		outreach.ServiceConfig{Now: now, Logger: slog.New(slog.DiscardHandler)})
	indexed.UseIndex(idx)

	offers := createSeedOffers(t, st, 60)
	if _, err := indexed.Matches(ctx, offers[0].ID, 50); err != nil {
		t.Fatalf("shortlist while the index is not loaded (SQL fallback): %v", err)
	}
	if err := idx.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if want := countConsenting(people); idx.Len() != want {
		t.Fatalf("index holds %d candidates, want the %d with consent", idx.Len(), want)
	}
	compareShortlists(t, st.Service, indexed, offers)

	// Changes, made by the service (another process, as far as the index
	// knows: it only learns them from the database).
	rng := rand.New(rand.NewPCG(1, 2))
	near := offers[0]
	for i := range 300 {
		p := people[rng.IntN(len(people))]
		in := outreach.CandidateInput{ExternalID: p.ExternalID, FirstName: p.FirstName, Phone: p.Phone,
			Location:   &outreach.Point{Lat: near.Location.Lat + rng.NormFloat64()*0.1, Lon: near.Location.Lon + rng.NormFloat64()*0.1},
			MobilityKM: 20 + float64(rng.IntN(40)), ROMECodes: []string{near.ROMECode}, Skills: near.Skills,
			SMSConsent: i%5 != 0, CounsellorID: st.Counsellor.ID}
		if _, _, err := st.Service.UpsertCandidate(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		in := outreach.CandidateInput{ExternalID: fmt.Sprintf("NEW-%d", i), FirstName: "Inès",
			Phone: fmt.Sprintf("+3361299%04d", i), Location: &outreach.Point{Lat: near.Location.Lat, Lon: near.Location.Lon},
			ROMECodes: []string{near.ROMECode}, Skills: near.Skills[:len(near.Skills)/2], SMSConsent: true, CounsellorID: st.Counsellor.ID}
		if _, _, err := st.Service.UpsertCandidate(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	top, err := st.Service.Matches(ctx, near.ID, 50)
	if err != nil || len(top) < 20 {
		t.Fatalf("shortlist of the crowded offer: %d matches, err %v", len(top), err)
	}
	for _, m := range top[:5] {
		if err := st.Store.OptOut(ctx, m.Phone, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Pool.Exec(ctx, `DELETE FROM candidates WHERE id = ANY($1)`, []int64{top[5].CandidateID, top[6].CandidateID}); err != nil {
		t.Fatal(err)
	}
	// Texting about other offers makes people tired (fatigue, 7-day cap).
	for _, o := range offers[1:4] {
		if _, err := st.Service.StartOutreach(ctx, o.ID, 30); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Service.StartOutreach(ctx, near.ID, 10); err != nil {
		t.Fatal(err)
	}
	compareShortlists(t, st.Service, indexed, offers)
	var consenting int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM candidates WHERE sms_consent`).Scan(&consenting); err != nil {
		t.Fatal(err)
	}
	if idx.Len() != consenting {
		t.Fatalf("after the changes the index holds %d candidates, the database %d with consent", idx.Len(), consenting)
	}
}

func countConsenting(people []outreach.Candidate) int {
	n := 0
	for _, p := range people {
		if p.SMSConsent {
			n++
		}
	}
	return n
}

func createSeedOffers(t *testing.T, st testenv.Stack, n int) []outreach.Offer {
	t.Helper()
	communes, err := refdata.Communes()
	if err != nil {
		t.Fatal(err)
	}
	codes, err := refdata.ROMECodes()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := seed.Offers(n, 7, communes, codes)
	if err != nil {
		t.Fatal(err)
	}
	offers := make([]outreach.Offer, len(specs))
	for i, s := range specs {
		loc := s.Location
		offers[i], err = st.Service.CreateOffer(context.Background(), outreach.OfferInput{
			Title: s.Title, ROMECode: s.ROMECode, Location: &loc, CommuneCode: s.CommuneCode, Town: s.Town,
			Employer:     outreach.Employer{Name: "Employeur", Email: "rh@entreprise.example"},
			ContractType: s.ContractType, Skills: s.Skills, RadiusKM: s.RadiusKM, CounsellorID: st.Counsellor.ID,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return offers
}

// compareShortlists asserts that both services give the same top 50 for
// every offer, and that the offers between them shortlist someone.
func compareShortlists(t *testing.T, plain, indexed *outreach.Service, offers []outreach.Offer) {
	t.Helper()
	ctx := context.Background()
	nonEmpty := 0
	for _, o := range offers {
		want, err := plain.Matches(ctx, o.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		got, err := indexed.Matches(ctx, o.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("offer %d (%s, %g km): %d indexed matches, %d by SQL", o.ID, o.ROMECode, o.RadiusKM, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.CandidateID != w.CandidateID || g.Score != w.Score || g.Phone != w.Phone ||
				!slices.Equal(g.Reasons, w.Reasons) {
				t.Fatalf("offer %d match %d:\n got %+v\nwant %+v", o.ID, i, g, w)
			}
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(offers)/2 {
		t.Fatalf("only %d of %d offers shortlist anyone: the comparison proves little", nonEmpty, len(offers))
	}
}
