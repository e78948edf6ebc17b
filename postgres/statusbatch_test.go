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

// TestBatchedStatusReports sends every delivery report of many SMS at
// once, in every order and twice, through the batcher: each report is
// stored once and fresh for exactly one of its copies, and each contact
// ends where its reports applied one by one would have left it.
func TestBatchedStatusReports(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	type sms struct {
		id      int64
		sid     string
		reports []outreach.StatusReport
		want    outreach.ContactStatus
	}
	var all []sms
	for i := range 30 {
		id, sid := st.SentBakeryContact(t, fmt.Sprintf("06399802%02d", i))
		s := sms{id: id, sid: sid}
		switch i % 3 {
		case 0: // delivered, whether "sent" or "read" come before or after
			s.reports = []outreach.StatusReport{{MessageSID: sid, Status: "sent"}, {MessageSID: sid, Status: "delivered"},
				{MessageSID: sid, Status: "read"}}
			s.want = outreach.StatusDelivered
		case 1: // undelivered, with its code
			s.reports = []outreach.StatusReport{{MessageSID: sid, Status: "sent"}, {MessageSID: sid, Status: "undelivered", ErrorCode: 30005}}
			s.want = outreach.StatusUndelivered
		case 2: // only queued and sent: stays sent
			s.reports = []outreach.StatusReport{{MessageSID: sid, Status: "queued"}, {MessageSID: sid, Status: "sent"}}
			s.want = outreach.StatusSent
		}
		all = append(all, s)
	}
	st.Store.StartBatching(ctx)

	fresh := map[string]*atomic.Int32{}
	for _, s := range all {
		for _, r := range s.reports {
			fresh[r.MessageSID+"/"+r.Status] = &atomic.Int32{}
		}
	}
	var wg sync.WaitGroup
	for range 2 { // Twilio retries: every report twice, concurrently
		for _, s := range all {
			for _, r := range s.reports {
				wg.Add(1)
				go func() {
					defer wg.Done()
					to, ok := outreach.ContactStatusFromProvider(r.Status)
					if !ok {
						if _, err := st.Store.RecordStatusEvent(ctx, r.MessageSID, r.Status, r.ErrorCode); err != nil {
							t.Error(err)
						}
						return
					}
					isFresh, _, err := st.Store.ApplyStatusReport(ctx, r, to, outreach.StatusesBefore(to), time.Now())
					if err != nil {
						t.Error(err)
						return
					}
					if isFresh {
						fresh[r.MessageSID+"/"+r.Status].Add(1)
					}
				}()
			}
		}
	}
	wg.Wait()
	for _, s := range all {
		c, err := st.Store.Contact(ctx, s.id)
		if err != nil || c.Status != s.want {
			t.Errorf("contact %d: %s (%v), want %s", s.id, c.Status, err, s.want)
		}
		if s.want == outreach.StatusUndelivered && c.ErrorCode != 30005 {
			t.Errorf("contact %d: error code %d, want 30005", s.id, c.ErrorCode)
		}
		events, err := st.Store.StatusEvents(ctx, s.sid)
		if err != nil || len(events) != len(s.reports) {
			t.Errorf("contact %d: %d status events (%v), want %d", s.id, len(events), err, len(s.reports))
		}
		for _, r := range s.reports {
			key := r.MessageSID + "/" + r.Status
			if n := fresh[key].Load(); r.Status != "queued" && n != 1 {
				t.Errorf("%s reported fresh %d times, want once", key, n)
			}
		}
	}
}
