package outreach_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
	"github.com/franceoutreach/outreach/simulator"
	"github.com/franceoutreach/outreach/sms"
)

// testClock is the service's clock in a test: real time moved forward by
// hand, safe to read from the sweeps the test runs at once.
type testClock struct{ ahead atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *testClock) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

// simulatedSender is a Twilio sender on a fresh simulator.
func simulatedSender(t *testing.T) (*simulator.Server, *sms.TwilioSender) {
	t.Helper()
	sim := simulator.New(simulator.Config{AccountSID: simSID, AuthToken: simToken})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { sim.Close(); srv.Close() })
	sender, err := sms.NewTwilioSender(sms.Config{AccountSID: simSID, AuthToken: simToken, From: "+33700000000", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return sim, sender
}

// bakeryCampaign texts the bakery offer to one job seeker per phone and
// returns the offer and their contacts by phone (E.164).
func bakeryCampaign(t *testing.T, env testenv.Stack, phones ...string) (outreach.Offer, map[string]outreach.Contact) {
	t.Helper()
	ctx := context.Background()
	svc := env.Service
	_, offer := env.Bakery(t, phones[0])
	for _, p := range phones[1:] {
		if _, _, err := svc.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: "BAKER-" + p, FirstName: "Max", Phone: p,
			CommuneCode: "69123", ROMECodes: []string{"D1102"}, SMSConsent: true, CounsellorID: env.Counsellor.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := svc.StartOutreach(ctx, offer.ID, 10); err != nil || res.Queued != len(phones) {
		t.Fatalf("start outreach: %+v %v", res, err)
	}
	progress, err := svc.Outreach(ctx, offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	contacts := map[string]outreach.Contact{}
	for _, c := range progress.Contacts {
		if err := svc.SendContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		contacts[c.Phone] = c
	}
	if offer, err = svc.Offer(ctx, offer.ID); err != nil {
		t.Fatal(err)
	}
	return offer, contacts
}

// sweepAtOnce runs n outbox sweeps concurrently, as n workers do, and
// adds up what they did.
func sweepAtOnce(t *testing.T, svc *outreach.Service, n int) outreach.OutboxSwept {
	t.Helper()
	var mu sync.Mutex
	var sum outreach.OutboxSwept
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			r, err := svc.ReconcileOutbox(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			sum.RemindersQueued += r.RemindersQueued
			sum.Closed += r.Closed
			sum.RemindersAdopted += r.RemindersAdopted
			sum.RemindersReleased += r.RemindersReleased
		})
	}
	wg.Wait()
	return sum
}

// TestFollowUp plays a campaign through: Léa stays silent, Max answers NON
// at once, Zoé answers the reminder. Four workers sweeping at once queue
// one reminder each for Léa and Zoé, and tasks run several times send
// one each; after the close, Léa's late OUI reaches her counsellor but
// leaves the final shortlist as it was.
func TestFollowUp(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	clock := &testClock{}
	env := testenv.Service(t, sender, outreach.ServiceConfig{FollowUpAfter: 48 * time.Hour, CampaignWindow: 72 * time.Hour,
		Now: clock.Now})
	svc := env.Service
	const lea, max, zoe = "+33639980301", "+33639980302", "+33639980303"
	offer, contacts := bakeryCampaign(t, env, lea, max, zoe)
	reply := func(from, body string) outreach.InboundOutcome {
		t.Helper()
		out, err := svc.HandleInbound(ctx, outreach.Inbound{MessageSID: fmt.Sprintf("SMin%d%s", time.Now().UnixNano(), from[1:]),
			From: from, To: "+33700000000", Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	reply(max, "NON merci")

	if r := sweepAtOnce(t, svc, 4); r.RemindersQueued != 0 {
		t.Fatalf("%d reminders queued right after the SMS", r.RemindersQueued)
	}
	clock.Advance(48*time.Hour + time.Minute)
	if r := sweepAtOnce(t, svc, 4); r.RemindersQueued != 2 {
		t.Fatalf("four sweeps queued %d reminders, want 2 (Léa and Zoé)", r.RemindersQueued)
	}
	pending, err := asynq.NewInspectorFromRedisClient(env.Redis).ListPendingTasks(env.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	var tasks []string
	for _, task := range pending {
		if task.Type == queue.TypeRemindSMS {
			tasks = append(tasks, task.ID)
		}
	}
	slices.Sort(tasks)
	want := []string{queue.RemindSMSTaskID(contacts[lea].ID), queue.RemindSMSTaskID(contacts[zoe].ID)}
	slices.Sort(want)
	if !slices.Equal(tasks, want) {
		t.Fatalf("tasks in the queue %v, want %v", tasks, want)
	}

	// Each task runs three times at once, then once more (redelivery).
	for _, phone := range []string{lea, max, zoe} {
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if err := svc.RemindContact(ctx, contacts[phone].ID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if err := svc.RemindContact(ctx, contacts[phone].ID); err != nil {
			t.Fatal(err)
		}
	}
	for phone, n := range map[string]int{lea: 2, max: 1, zoe: 2} {
		msgs := sim.Messages(phone)
		if len(msgs) != n {
			t.Fatalf("%s got %d SMS, want %d (offer, and one reminder when silent)", phone, len(msgs), n)
		}
		if n == 2 {
			body := msgs[1].Body
			for _, part := range []string{"Rappel France Travail", "OUI", "NON", offer.Reference, "STOP"} {
				if !strings.Contains(body, part) {
					t.Errorf("reminder %q lacks %q", body, part)
				}
			}
			if enc, segments := outreach.SMSSegments(body); enc != "GSM-7" || segments != 1 {
				t.Errorf("reminder %q: %d %s segments, want 1 GSM-7", body, segments, enc)
			}
		}
	}
	wantReminders := map[string]outreach.ReminderStatus{lea: outreach.ReminderSent, max: outreach.ReminderSkipped, zoe: outreach.ReminderSent}
	for phone, want := range wantReminders {
		if c, err := env.Store.Contact(ctx, contacts[phone].ID); err != nil || c.ReminderStatus != want ||
			(want == outreach.ReminderSent) != (c.RemindedAt != nil) {
			t.Errorf("%s: reminder %q at %v (%v), want %q", phone, c.ReminderStatus, c.RemindedAt, err, want)
		}
	}
	if r := sweepAtOnce(t, svc, 2); r.RemindersQueued != 0 {
		t.Errorf("%d more reminders queued once all were sent", r.RemindersQueued)
	}

	if out := reply(zoe, "oui"); out.Item.Late || !strings.Contains(out.Reply, "Merci !") {
		t.Errorf("Zoé's answer to the reminder: late %v, confirmation %q", out.Item.Late, out.Reply)
	}
	list, err := svc.Shortlist(ctx, offer.ID)
	if err != nil || list.Campaign.Final() || len(list.Contacts) != 1 || list.Contacts[0].Phone != zoe {
		t.Fatalf("shortlist before the close: %+v (%v), want Zoé, not final", list, err)
	}
	if !list.Campaign.ClosesAt.Equal(offer.OutreachStartedAt.Add(72 * time.Hour)) {
		t.Errorf("closes at %s, want 72 h after %s", list.Campaign.ClosesAt, offer.OutreachStartedAt)
	}

	clock.Advance(24 * time.Hour)
	if r := sweepAtOnce(t, svc, 3); r.Closed != 1 {
		t.Fatalf("sweeps closed %d campaigns, want 1", r.Closed)
	}
	late := reply(lea, "OUI")
	if !late.Item.Late || !strings.Contains(late.Reply, "closes") {
		t.Errorf("Léa's late OUI: late %v, confirmation %q", late.Item.Late, late.Reply)
	}
	reply(zoe, "non finalement")
	list, err = svc.Shortlist(ctx, offer.ID)
	if err != nil || !list.Campaign.Final() || len(list.Contacts) != 1 || list.Contacts[0].Phone != zoe {
		t.Fatalf("shortlist after the close: %+v (%v), want Zoé alone, final", list, err)
	}
	inbox, err := svc.Inbox(ctx, env.Counsellor.ID, 10)
	if err != nil || len(inbox) != 4 || !inbox[0].Late || !inbox[1].Late || inbox[2].Late {
		t.Fatalf("inbox %+v (%v), want the two replies after the close marked late", inbox, err)
	}
	// STOP still applies after the close.
	reply(lea, "STOP")
	if out, err := env.Store.IsOptedOut(ctx, lea); err != nil || !out {
		t.Errorf("STOP after the close: opted out %v (%v)", out, err)
	}
	var invalid *outreach.ValidationError
	if _, err := svc.StartOutreach(ctx, offer.ID, 5); !errors.As(err, &invalid) {
		t.Errorf("outreach on a closed campaign: %v, want a validation error", err)
	}
}

// TestReminderSweepSettlesStaleClaims: a reminder claimed by a worker that
// died after the provider took it gets the provider's SID; one whose
// worker died before the call is queued again.
func TestReminderSweepSettlesStaleClaims(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	clock := &testClock{}
	env := testenv.Service(t, sender, outreach.ServiceConfig{FollowUpAfter: time.Hour, SendLease: 30 * time.Second, Now: clock.Now})
	const took, never = "+33639980311", "+33639980312"
	_, contacts := bakeryCampaign(t, env, took, never)
	var sid string
	for _, phone := range []string{took, never} {
		claim, ok, err := env.Store.ClaimReminder(ctx, contacts[phone].ID, "Rappel : OUI ou NON ? STOP", time.Now().Add(-time.Hour))
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if phone == took {
			sent, err := sender.Send(ctx, outreach.OutboundSMS{To: claim.Phone, Body: claim.Body})
			if err != nil {
				t.Fatal(err)
			}
			sid = sent.SID
		}
	}
	if r := sweepAtOnce(t, env.Service, 1); r.RemindersAdopted != 0 || r.RemindersReleased != 0 {
		t.Fatalf("claims settled within their lease: %+v", r)
	}
	clock.Advance(time.Minute)
	if r := sweepAtOnce(t, env.Service, 1); r.RemindersAdopted != 1 || r.RemindersReleased != 1 {
		t.Fatalf("sweep after the lease: %+v, want 1 adopted and 1 released", r)
	}
	if c, err := env.Store.Contact(ctx, contacts[took].ID); err != nil || c.ReminderStatus != outreach.ReminderSent {
		t.Errorf("reminder the provider took: %q (%v), want sent", c.ReminderStatus, err)
	}
	if err := env.Service.RemindContact(ctx, contacts[never].ID); err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{took, never} {
		if msgs := sim.Messages(phone); len(msgs) != 2 {
			t.Errorf("%s got %d SMS, want the offer and one reminder", phone, len(msgs))
		}
	}
	var got string
	if err := env.Pool.QueryRow(ctx, `SELECT reminder_sid FROM contacts WHERE id = $1`, contacts[took].ID).Scan(&got); err != nil || got != sid {
		t.Errorf("reminder SID %q (%v), want the provider's %q", got, err, sid)
	}
}

// TestNoReminderWhenFollowUpIsOff: by default nobody is reminded, and
// campaigns still close after the default window.
func TestNoReminderWhenFollowUpIsOff(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	clock := &testClock{}
	env := testenv.Service(t, sender, outreach.ServiceConfig{Now: clock.Now})
	offer, contacts := bakeryCampaign(t, env, "+33639980321")
	clock.Advance(outreach.DefaultCampaignWindow - time.Hour)
	if r := sweepAtOnce(t, env.Service, 1); r.RemindersQueued != 0 || r.Closed != 0 {
		t.Fatalf("sweep with follow-up off: %+v", r)
	}
	if err := env.Service.RemindContact(ctx, contacts["+33639980321"].ID); err != nil || len(sim.Messages("")) != 1 {
		t.Fatalf("a reminder task with follow-up off: %v, %d SMS", err, len(sim.Messages("")))
	}
	clock.Advance(2 * time.Hour)
	if r := sweepAtOnce(t, env.Service, 1); r.Closed != 1 {
		t.Fatalf("closed %d campaigns after the default window", r.Closed)
	}
	if o, err := env.Service.Offer(ctx, offer.ID); err != nil || !env.Service.Campaign(o).Final() {
		t.Errorf("offer %+v (%v) not final", o, err)
	}
}
