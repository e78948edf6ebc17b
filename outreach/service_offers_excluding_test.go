package outreach_test

import (
	"context"
	"errors"
	"testing"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestStartOutreachExcluding: the counsellor previews the matches, sets
// two aside and launches: the others are texted, the two never; someone
// who does not see the offer launches nothing.
func TestStartOutreachExcluding(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	st := testenv.Service(t, sender, outreach.ServiceConfig{})
	svc := st.Service
	vs := newViewers(t, st)
	phones := []string{"+33639981301", "+33639981302", "+33639981303", "+33639981304", "+33639981305"}
	_, offer := st.Bakery(t, phones[0])
	for _, p := range phones[1:] {
		if _, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: "BAKER-" + p, FirstName: "Max", Phone: p,
			CommuneCode: "69123", ROMECodes: []string{"D1102"}, SMSConsent: true, CounsellorID: st.Counsellor.ID}); err != nil {
			t.Fatal(err)
		}
	}
	preview, err := svc.Matches(ctx, offer.ID, 0)
	if err != nil || len(preview) != len(phones) {
		t.Fatalf("preview: %d matches (%v), want %d", len(preview), err, len(phones))
	}
	excluded := map[string]int64{}
	for _, m := range preview[1:3] {
		excluded[m.Phone] = m.CandidateID
	}
	ids := []int64{preview[1].CandidateID, preview[2].CandidateID}

	var invalid *outreach.ValidationError
	refused := []struct {
		name     string
		v        outreach.Viewer
		limit    int
		excluded []int64
		want     func(error) bool
	}{
		{"colleague", vs.colleague, 10, ids, isNotFound},
		{"administrator of another agency", vs.otherAdmin, 10, ids, isNotFound},
		{"no limit", vs.owner, 0, ids, func(err error) bool { return errors.As(err, &invalid) && invalid.Field == "limit" }},
		{"too many exclusions", vs.owner, 10, make([]int64, 10001),
			func(err error) bool { return errors.As(err, &invalid) && invalid.Field == "excluded" }},
	}
	for _, tt := range refused {
		if _, err := svc.StartOutreachExcluding(ctx, tt.v, offer.ID, tt.limit, tt.excluded); !tt.want(err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if cs, err := st.Store.OfferContacts(ctx, offer.ID); err != nil || len(cs) != 0 {
		t.Fatalf("refused launches made %d contacts (%v)", len(cs), err)
	}

	res, err := svc.StartOutreachExcluding(ctx, vs.admin, offer.ID, 10, ids)
	if err != nil || res.Queued != 3 || res.Matched != 3 {
		t.Fatalf("launch without two: %+v %v, want 3 matched and queued", res, err)
	}
	cs, err := st.Store.OfferContacts(ctx, offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if excluded[c.Phone] != 0 {
			t.Errorf("excluded %s has a contact", c.Phone)
		}
		if err := svc.SendContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range phones {
		want := 1
		if excluded[p] != 0 {
			want = 0
		}
		if n := len(sim.Messages(p)); n != want {
			t.Errorf("%s got %d SMS, want %d", p, n, want)
		}
	}
}
