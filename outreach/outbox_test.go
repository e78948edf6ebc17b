package outreach_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/sms"
)

// TestOutboxSweep plays, step by step, what the sweep repairs: a contact
// committed but never queued, a worker that died after the provider took
// an SMS but before its SID was stored, one that died before the call, and
// a Redis that lost its tasks. The clock runs a minute ahead of the
// database, so that committed contacts and claims count as old.
func TestOutboxSweep(t *testing.T) {
	ctx := context.Background()
	sim := simulator.New(simulator.Config{AccountSID: simSID, AuthToken: simToken})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { sim.Close(); srv.Close() })
	sender, err := sms.NewTwilioSender(sms.Config{AccountSID: simSID, AuthToken: simToken, From: "+33700000000", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Service(t, sender, outreach.ServiceConfig{SendLease: 30 * time.Second,
		Now: func() time.Time { return time.Now().Add(time.Minute) }})
	svc, store := env.Service, env.Store
	var ids []int64
	var offer outreach.Offer
	for i := range 4 {
		var cand outreach.Candidate
		cand, offer = env.Bakery(t, fmt.Sprintf("06399800%02d", i))
		created, err := store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID,
			Phone: cand.Phone, Status: outreach.StatusPlanned, Body: fmt.Sprintf("Offre %d, réponds OUI ou NON. STOP", i)}})
		if err != nil || len(created) != 1 {
			t.Fatal(created, err)
		}
		ids = append(ids, created[0].ID)
	}
	// Contact 0 stays planned: its outreach start died before queuing it.
	// Contacts 1 and 2 were claimed by a worker that died; the provider
	// took contact 1's SMS, never saw contact 2's. Contact 3 is queued.
	if err := store.MarkEnqueued(ctx, ids[1:]); err != nil {
		t.Fatal(err)
	}
	var sentSID string
	for _, id := range ids[1:3] {
		claim, ok, err := store.ClaimSend(ctx, id)
		if err != nil || !ok {
			t.Fatalf("claim %d: %v %v", id, ok, err)
		}
		if id == ids[1] {
			sent, err := sender.Send(ctx, outreach.OutboundSMS{To: claim.Phone, Body: claim.Body})
			if err != nil {
				t.Fatal(err)
			}
			sentSID = sent.SID
		}
	}

	got, err := svc.ReconcileOutbox(ctx)
	want := outreach.OutboxSwept{Queued: 1, Requeued: 2, QueueLost: true, Adopted: 1, Released: 1}
	if err != nil || got != want {
		t.Fatalf("first sweep: %+v (%v), want %+v", got, err, want)
	}
	statuses := map[int64]outreach.ContactStatus{ids[0]: outreach.StatusQueued, ids[1]: outreach.StatusSent,
		ids[2]: outreach.StatusQueued, ids[3]: outreach.StatusQueued}
	for id, st := range statuses {
		c, err := store.Contact(ctx, id)
		if err != nil || c.Status != st {
			t.Errorf("contact %d: %s (%v), want %s", id, c.Status, err, st)
		}
		if id == ids[1] && c.MessageSID != sentSID {
			t.Errorf("contact %d: SID %q, want the provider's %q", id, c.MessageSID, sentSID)
		}
	}
	// Every contact left to send is in the queue, once.
	insp := asynq.NewInspectorFromRedisClient(env.Redis)
	// (Scheduled: the clock is a minute ahead.)
	scheduled, err := insp.ListScheduledTasks(env.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]bool{}
	for _, task := range scheduled {
		queued[task.ID] = true
	}
	for _, id := range []int64{ids[0], ids[2], ids[3]} {
		if !queued[queue.SendSMSTaskID(id)] {
			t.Errorf("contact %d not in the queue after the sweep (queue: %v)", id, queued)
		}
	}

	// Nothing more to do: the second sweep changes nothing.
	if got, err := svc.ReconcileOutbox(ctx); err != nil || got != (outreach.OutboxSwept{}) {
		t.Fatalf("second sweep: %+v (%v), want nothing", got, err)
	}
	// Redis loses its data (this test's part of the shared Redis): the
	// sweep queues what is queued again.
	if err := insp.DeleteQueue(env.Namespace, true); err != nil {
		t.Fatal(err)
	}
	if err := env.Redis.Del(ctx, "outreach:{"+env.Namespace+"}:queue-whole").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.ReconcileOutbox(ctx); err != nil || !got.QueueLost || got.Requeued != 3 {
		t.Fatalf("sweep after Redis lost its data: %+v (%v), want 3 queued again", got, err)
	}
	// And the worker sends each once: the SMS already sent is not resent.
	for _, id := range ids {
		if err := svc.SendContact(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(sim.Messages("")); n != 4 {
		t.Fatalf("%d SMS at the provider, want 4: one per contact", n)
	}
}
