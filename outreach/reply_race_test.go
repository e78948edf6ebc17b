package outreach_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestConcurrentRepliesKeepTheRule sends two replies of one job seeker at
// the same moment, many times: whichever is applied first, the recorded
// interest is the one NextInterest gives for the two in either order (an
// unclear message never overwrites a yes; nothing overwrites a STOP).
func TestConcurrentRepliesKeepTheRule(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	tests := []struct {
		first, second string
		want          outreach.Interest
	}{
		{"OUI", "c'est où ?", outreach.InterestInterested},
		{"Oui je suis intéressée", "STOP", outreach.InterestOptedOut},
		{"non merci", "STOP", outreach.InterestOptedOut},
		{"??", "pas dispo", outreach.InterestDeclined},
	}
	for i, tt := range tests {
		t.Run(tt.first+" + "+tt.second, func(t *testing.T) {
			for round := range 8 {
				phone := fmt.Sprintf("063998%02d%02d", 30+i, round)
				cand, offer := st.Bakery(t, phone)
				created, err := st.Store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID,
					Phone: cand.Phone, Status: outreach.StatusQueued, Body: "Offre"}})
				if err != nil {
					t.Fatal(err)
				}
				id := created[0].ID
				if _, ok, err := st.Store.ClaimSend(ctx, id); err != nil || !ok {
					t.Fatalf("claim: %v %v", ok, err)
				}
				if _, err := st.Store.RecordSent(ctx, id, fmt.Sprintf("SM%032d", id), time.Now()); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				for k, body := range []string{tt.first, tt.second} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						in := outreach.Inbound{MessageSID: fmt.Sprintf("SMin%d%d%d", i, round, k), From: cand.Phone, To: "+33700000000", Body: body}
						if _, err := st.Service.HandleInbound(ctx, in); err != nil {
							t.Error(err)
						}
					}()
				}
				wg.Wait()
				c, err := st.Store.Contact(ctx, id)
				if err != nil || c.Reply != tt.want {
					t.Fatalf("round %d: interest %q (%v), want %q", round, c.Reply, err, tt.want)
				}
			}
		})
	}
}
