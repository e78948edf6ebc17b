package outreach_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

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
				id, _ := st.SentBakeryContact(t, phone)
				var wg sync.WaitGroup
				for k, body := range []string{tt.first, tt.second} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						in := outreach.Inbound{MessageSID: fmt.Sprintf("SMin%d%d%d", i, round, k), From: phone, To: "+33700000000", Body: body}
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
