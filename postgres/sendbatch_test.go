package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// TestBatchedSendStatements claims and records many contacts at once
// through the batcher: each contact is claimed by exactly one of the calls
// that race for it, and each SID lands on its own contact.
func TestBatchedSendStatements(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	var ids []int64
	for i := range 40 {
		cand, offer := st.Bakery(t, fmt.Sprintf("06399801%02d", i))
		created, err := st.Store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID,
			Phone: cand.Phone, Status: outreach.StatusQueued, Body: "Offre"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, created[0].ID)
	}
	st.Store.StartBatching(ctx)

	var wins [40]atomic.Int32
	var wg sync.WaitGroup
	for range 5 { // five workers race for every contact
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				claim, ok, err := st.Store.ClaimSend(ctx, id)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					wins[i].Add(1)
					if claim.ContactID != id || claim.Phone == "" || claim.Body != "Offre" {
						t.Errorf("claim of %d: %+v", id, claim)
					}
					if _, err := st.Store.RecordSent(ctx, id, fmt.Sprintf("SM%032d", id), time.Now()); err != nil {
						t.Error(err)
					}
				}
			}()
		}
	}
	wg.Wait()
	for i, id := range ids {
		if n := wins[i].Load(); n != 1 {
			t.Errorf("contact %d claimed %d times, want once", id, n)
		}
		c, err := st.Store.Contact(ctx, id)
		if err != nil || c.Status != outreach.StatusSent || c.MessageSID != fmt.Sprintf("SM%032d", id) {
			t.Errorf("contact %d: %s %q (%v)", id, c.Status, c.MessageSID, err)
		}
	}
	// A second record of a SID is refused, batched as alone.
	if _, err := st.Store.RecordSent(ctx, ids[0], "SMother", time.Now()); err == nil {
		t.Error("a contact already sent took a second SID")
	}
}
