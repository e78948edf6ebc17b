package outreach_test

import (
	"context"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestMatchingRules ranks real candidates in PostgreSQL for one offer
// (order picker, Vénissieux) and checks who appears, in which order.
func TestMatchingRules(t *testing.T) {
	ctx := context.Background()
	env := testenv.Service(t, nil, outreach.ServiceConfig{})
	svc, store, pool, co := env.Service, env.Store, env.Pool, env.Counsellor
	// A code linked to N1103 (it can move to order picking), and one that
	// N1103 links to but that has no link back: links are directional.
	var related, oneWay string
	if err := pool.QueryRow(ctx, `SELECT from_code FROM rome_mobility WHERE to_code = 'N1103' ORDER BY rank, from_code LIMIT 1`).Scan(&related); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT m.to_code FROM rome_mobility m WHERE m.from_code = 'N1103'
		AND NOT EXISTS (SELECT 1 FROM rome_mobility b WHERE b.from_code = m.to_code AND b.to_code = 'N1103') ORDER BY m.rank LIMIT 1`).Scan(&oneWay); err != nil {
		t.Fatal(err)
	}
	lyon, err := store.Commune(ctx, "69123")
	if err != nil {
		t.Fatal(err)
	}
	add := func(id, phone string, codes []string, consent bool, commune string, loc *outreach.Point) int64 {
		t.Helper()
		c, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: id, FirstName: id, Phone: phone, CommuneCode: commune,
			Location: loc, ROMECodes: codes, SMSConsent: consent, CounsellorID: co.ID})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	add("exact", "0639980001", []string{"N1103"}, true, "69259", nil)
	add("related", "0639980002", []string{related}, true, "69259", nil)
	add("one-way", "0639980003", []string{oneWay}, true, "69259", nil)
	add("by-commune", "0639980004", []string{"N1103"}, true, "69123", nil)
	add("by-coordinates", "0639980005", []string{"N1103"}, true, "", &lyon.Location)
	add("no-consent", "0639980006", []string{"N1103"}, false, "69259", nil)
	add("opted-out", "0639980007", []string{"N1103"}, true, "69259", nil)
	tired := add("over-fatigued", "0639980008", []string{"N1103"}, true, "69259", nil)
	contacted := add("already-contacted", "0639980009", []string{"N1103"}, true, "69259", nil)
	if err := store.OptOut(ctx, "+33639980007", "sms"); err != nil {
		t.Fatal(err)
	}
	newOffer := func(ext string) outreach.Offer {
		o, err := svc.CreateOffer(ctx, outreach.OfferInput{ExternalID: ext, Title: "Préparateur de commandes", ROMECode: "N1103",
			CommuneCode: "69259", ContractType: "CDI", Employer: outreach.Employer{Name: "E", Email: "e@e.example"}, CounsellorID: co.ID})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	offer := newOffer("main")
	contact := func(o outreach.Offer, cand int64) {
		if _, err := store.CreateContacts(ctx, []outreach.Contact{{OfferID: o.ID, CandidateID: cand, Phone: "+33639980000",
			Status: outreach.StatusDelivered, Body: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	contact(newOffer("earlier-1"), tired) // two offer SMS this week: the cap
	contact(newOffer("earlier-2"), tired)
	contact(offer, contacted)

	matches, err := svc.Matches(ctx, offer.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]outreach.Match{}
	var order []string
	for _, m := range matches {
		got[m.ExternalID] = m
		order = append(order, m.ExternalID)
	}
	for _, id := range []string{"one-way", "no-consent", "opted-out", "over-fatigued", "already-contacted"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s must not be proposed (got %v)", id, order)
		}
	}
	for _, id := range []string{"exact", "related", "by-commune", "by-coordinates"} {
		if _, ok := got[id]; !ok {
			t.Fatalf("%s missing from %v", id, order)
		}
	}
	if got["exact"].Score <= got["related"].Score || got["exact"].DistanceKM != got["related"].DistanceKM {
		t.Errorf("exact %.1f must beat related %.1f at the same place", got["exact"].Score, got["related"].Score)
	}
	if got["by-commune"].DistanceKM != got["by-coordinates"].DistanceKM {
		t.Errorf("commune %.1f km vs coordinates %.1f km", got["by-commune"].DistanceKM, got["by-coordinates"].DistanceKM)
	}
	if got["exact"].Score <= got["by-commune"].Score {
		t.Errorf("nearer (%.1f km, %.1f) must beat farther (%.1f km, %.1f)", got["exact"].DistanceKM, got["exact"].Score,
			got["by-commune"].DistanceKM, got["by-commune"].Score)
	}
	if r := got["related"].Reasons[0]; r.Factor != "occupation" || r.Detail == "" {
		t.Errorf("related reason %+v", r)
	}
	t.Logf("related %s: %s", related, got["related"].Reasons[0].Detail)
}
