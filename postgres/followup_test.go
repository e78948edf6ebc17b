package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// followUpEnv is a store with contacts whose offer SMS went out, each on
// its own offer, so that each may be closed alone.
type followUpEnv struct {
	t     *testing.T
	st    testenv.Stack
	now   time.Time
	count int
}

func newFollowUpEnv(t *testing.T) *followUpEnv {
	return &followUpEnv{t: t, st: testenv.Service(t, nil, outreach.ServiceConfig{}), now: time.Now()}
}

// sent creates a contact whose outreach started at started and whose SMS
// the provider took at sentAt, both before now; it returns the contact.
func (e *followUpEnv) sent(started, sentAt time.Duration) outreach.Contact {
	e.t.Helper()
	e.count++
	return e.sentTo(fmt.Sprintf("06399802%02d", e.count), started, sentAt)
}

func (e *followUpEnv) sentTo(phone string, started, sentAt time.Duration) outreach.Contact {
	e.t.Helper()
	ctx := context.Background()
	store := e.st.Store
	cand, offer := e.st.Bakery(e.t, phone)
	created, err := store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID,
		Phone: cand.Phone, Status: outreach.StatusPlanned, Body: "Offre " + offer.Reference}})
	if err != nil || len(created) != 1 {
		e.t.Fatalf("create contact: %v %v", created, err)
	}
	id := created[0].ID
	if err := store.MarkOutreachStarted(ctx, offer.ID, e.now.Add(-started)); err != nil {
		e.t.Fatal(err)
	}
	if _, ok, err := store.ClaimSend(ctx, id); err != nil || !ok {
		e.t.Fatalf("claim send: %v %v", ok, err)
	}
	if _, err := store.RecordSent(ctx, id, fmt.Sprintf("SM%032d", id), e.now.Add(-sentAt)); err != nil {
		e.t.Fatal(err)
	}
	c, err := store.Contact(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// reminderStatus reads where a contact's reminder stands.
func (e *followUpEnv) reminderStatus(id int64) outreach.ReminderStatus {
	e.t.Helper()
	c, err := e.st.Store.Contact(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ReminderStatus
}

// closeAlone closes the campaign of the contact's offer, started long
// before every other one of the test.
func (e *followUpEnv) closeAlone(c outreach.Contact) {
	e.t.Helper()
	if n, err := e.st.Store.CloseCampaigns(context.Background(), e.now.Add(-199*time.Hour), e.now); err != nil || n != 1 {
		e.t.Fatalf("closed %d campaigns (%v), want the one of contact %d", n, err, c.ID)
	}
}

// TestDueReminders: a contact is due a reminder when its SMS was sent
// between the start of the window and the follow-up delay ago, nobody
// answered, no reminder was queued, the campaign is open and the phone did
// not opt out.
func TestDueReminders(t *testing.T) {
	ctx := context.Background()
	e := newFollowUpEnv(t)
	store := e.st.Store
	tests := []struct {
		name    string
		started time.Duration // before now
		sent    time.Duration // before now
		twist   func(c outreach.Contact)
		due     bool
	}{
		{"silent for 2 h", 3 * time.Hour, 2 * time.Hour, nil, true},
		{"silent for a day, delivered", 25 * time.Hour, 24 * time.Hour, func(c outreach.Contact) {
			if err := store.SetContactStatus(ctx, c.ID, outreach.StatusDelivered, 0, e.now); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"sent 10 minutes ago", time.Hour, 10 * time.Minute, nil, false},
		{"answered", 3 * time.Hour, 2 * time.Hour, func(c outreach.Contact) {
			if err := store.SetReply(ctx, c.ID, outreach.InterestDeclined, e.now); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"opted out", 3 * time.Hour, 2 * time.Hour, func(c outreach.Contact) {
			if err := store.OptOut(ctx, c.Phone, "sms"); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"campaign closed", 200 * time.Hour, 2 * time.Hour, e.closeAlone, false},
		{"reminder queued already", 3 * time.Hour, 2 * time.Hour, func(c outreach.Contact) {
			if n, err := store.MarkRemindersQueued(ctx, []int64{c.ID}); err != nil || n != 1 {
				t.Fatalf("marked %d (%v)", n, err)
			}
		}, false},
		{"sent before the window", 80 * time.Hour, 80 * time.Hour, nil, false},
		{"undelivered", 3 * time.Hour, 2 * time.Hour, func(c outreach.Contact) {
			if err := store.SetContactStatus(ctx, c.ID, outreach.StatusUndelivered, 30003, e.now); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	var want []int64
	names := map[int64]string{}
	for _, tt := range tests {
		c := e.sent(tt.started, tt.sent)
		if tt.twist != nil {
			tt.twist(c)
		}
		names[c.ID] = tt.name
		if tt.due {
			want = append(want, c.ID)
		}
	}
	got, err := store.DueReminders(ctx, e.now.Add(-72*time.Hour), e.now.Add(-time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		for _, id := range got {
			t.Logf("due: %s", names[id])
		}
		t.Fatalf("due %v, want %v", got, want)
	}
	// Pages: the oldest SMS first.
	if first, err := store.DueReminders(ctx, e.now.Add(-72*time.Hour), e.now.Add(-time.Hour), 1); err != nil ||
		len(first) != 1 || names[first[0]] != "silent for a day, delivered" {
		t.Errorf("first page %v (%v), want the contact silent for a day", first, err)
	}
}

// TestClaimReminder: the claim moves a due reminder to sending, and one
// that a reply, an opt-out, the close or a delivery failure overtook to
// skipped; a reminder claimed or sent already is left alone.
func TestClaimReminder(t *testing.T) {
	ctx := context.Background()
	e := newFollowUpEnv(t)
	store := e.st.Store
	openSince := e.now.Add(-72 * time.Hour)
	tests := []struct {
		name    string
		started time.Duration
		twist   func(c outreach.Contact)
		wantOK  bool
		want    outreach.ReminderStatus
	}{
		{"due", 3 * time.Hour, nil, true, outreach.ReminderSending},
		{"queued", 3 * time.Hour, func(c outreach.Contact) {
			if _, err := store.MarkRemindersQueued(ctx, []int64{c.ID}); err != nil {
				t.Fatal(err)
			}
		}, true, outreach.ReminderSending},
		{"answered meanwhile", 3 * time.Hour, func(c outreach.Contact) {
			if err := store.SetReply(ctx, c.ID, outreach.InterestUnclear, e.now); err != nil {
				t.Fatal(err)
			}
		}, false, outreach.ReminderSkipped},
		{"opted out meanwhile", 3 * time.Hour, func(c outreach.Contact) {
			if err := store.OptOut(ctx, c.Phone, "sms"); err != nil {
				t.Fatal(err)
			}
		}, false, outreach.ReminderSkipped},
		{"campaign closed", 200 * time.Hour, e.closeAlone, false, outreach.ReminderSkipped},
		{"window over, close not swept yet", 100 * time.Hour, nil, false, outreach.ReminderSkipped},
		{"undelivered", 3 * time.Hour, func(c outreach.Contact) {
			if err := store.SetContactStatus(ctx, c.ID, outreach.StatusUndelivered, 30005, e.now); err != nil {
				t.Fatal(err)
			}
		}, false, outreach.ReminderSkipped},
		{"claimed by another call", 3 * time.Hour, func(c outreach.Contact) {
			if _, ok, err := store.ClaimReminder(ctx, c.ID, "Rappel", openSince); err != nil || !ok {
				t.Fatalf("first claim: %v %v", ok, err)
			}
		}, false, outreach.ReminderSending},
		{"sent already", 3 * time.Hour, func(c outreach.Contact) {
			if _, ok, err := store.ClaimReminder(ctx, c.ID, "Rappel", openSince); err != nil || !ok {
				t.Fatalf("first claim: %v %v", ok, err)
			}
			if err := store.RecordReminderSent(ctx, c.ID, fmt.Sprintf("SMR%031d", c.ID), e.now); err != nil {
				t.Fatal(err)
			}
		}, false, outreach.ReminderSent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.sent(tt.started, 2*time.Hour)
			if tt.twist != nil {
				tt.twist(c)
			}
			claim, ok, err := store.ClaimReminder(ctx, c.ID, "Rappel : OUI ou NON ?", openSince)
			if err != nil || ok != tt.wantOK {
				t.Fatalf("claim: ok %v (%v), want %v", ok, err, tt.wantOK)
			}
			if ok && (claim.ContactID != c.ID || claim.Phone != c.Phone || claim.Body != "Rappel : OUI ou NON ?" || claim.ClaimedAt.IsZero()) {
				t.Errorf("claim %+v", claim)
			}
			if got := e.reminderStatus(c.ID); got != tt.want {
				t.Errorf("reminder %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReminderClaimRaces: calls racing for one reminder claim it once;
// released after a provider error, it is claimed again, and once its SID
// is stored nothing claims it.
func TestReminderClaimRaces(t *testing.T) {
	ctx := context.Background()
	e := newFollowUpEnv(t)
	store := e.st.Store
	c := e.sent(3*time.Hour, 2*time.Hour)
	openSince := e.now.Add(-72 * time.Hour)
	claimAll := func() int32 {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				_, ok, err := store.ClaimReminder(ctx, c.ID, "Rappel", openSince)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		return wins.Load()
	}
	if n := claimAll(); n != 1 {
		t.Fatalf("%d claims won, want 1", n)
	}
	if err := store.ReleaseReminder(ctx, c.ID); err != nil || e.reminderStatus(c.ID) != outreach.ReminderQueued {
		t.Fatalf("release: %v, reminder %q", err, e.reminderStatus(c.ID))
	}
	if n := claimAll(); n != 1 {
		t.Fatalf("%d claims won after the release, want 1", n)
	}
	if stale, err := store.StaleReminders(ctx, time.Now().Add(time.Minute), 10); err != nil || len(stale) != 1 || stale[0].Body != "Rappel" {
		t.Fatalf("stale reminders %+v (%v), want this one", stale, err)
	}
	if err := store.RecordReminderSent(ctx, c.ID, "SMreminder0000000000000000000001", e.now); err != nil {
		t.Fatal(err)
	}
	if n := claimAll(); n != 0 {
		t.Fatalf("%d claims won after the reminder was sent", n)
	}
	if err := store.RecordReminderSent(ctx, c.ID, "SMreminder0000000000000000000002", e.now); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("second SID: %v, want ErrNotFound", err)
	}
	if err := store.RecordReminderFailed(ctx, c.ID); err != nil || e.reminderStatus(c.ID) != outreach.ReminderSent {
		t.Errorf("a sent reminder marked failed: %v, %q", err, e.reminderStatus(c.ID))
	}
}

// TestReplyAfterReminderFindsItsContact: a reply without reference goes
// to the contact texted last, a reminder counting as a text.
func TestReplyAfterReminderFindsItsContact(t *testing.T) {
	ctx := context.Background()
	e := newFollowUpEnv(t)
	store := e.st.Store
	const phone = "0639980250"
	reminded := e.sentTo(phone, 5*time.Hour, 4*time.Hour)
	later := e.sentTo(phone, 2*time.Hour, time.Hour)
	last := func() int64 {
		t.Helper()
		var id int64
		err := store.InTx(ctx, func(tx outreach.Store) error {
			c, err := tx.ContactForReply(ctx, reminded.Phone, "")
			id = c.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if got := last(); got != later.ID {
		t.Fatalf("before the reminder, reply linked to %d, want the latest SMS %d", got, later.ID)
	}
	if _, ok, err := store.ClaimReminder(ctx, reminded.ID, "Rappel", e.now.Add(-72*time.Hour)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := store.RecordReminderSent(ctx, reminded.ID, "SMreminder0000000000000000000003", e.now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := last(); got != reminded.ID {
		t.Fatalf("after the reminder, reply linked to %d, want the reminded contact %d", got, reminded.ID)
	}
}

// TestCloseCampaigns: one statement closes the campaigns started before
// the window, once; the time of a closed one stays.
func TestCloseCampaigns(t *testing.T) {
	ctx := context.Background()
	e := newFollowUpEnv(t)
	store := e.st.Store
	old := e.sent(80*time.Hour, 79*time.Hour)
	young := e.sent(time.Hour, time.Hour)
	_, never := e.st.Bakery(t, "0639980299") // no outreach: no campaign
	for i, want := range []int{1, 0} {
		if n, err := store.CloseCampaigns(ctx, e.now.Add(-72*time.Hour), e.now.Add(time.Duration(i)*time.Minute)); err != nil || n != want {
			t.Fatalf("sweep %d closed %d (%v), want %d", i, n, err, want)
		}
	}
	for id, closed := range map[int64]bool{old.OfferID: true, young.OfferID: false, never.ID: false} {
		o, err := store.Offer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (o.ClosedAt != nil) != closed || (closed && !o.ClosedAt.Equal(e.now.Truncate(time.Microsecond))) {
			t.Errorf("offer %d closed at %v, want closed %v at %s", id, o.ClosedAt, closed, e.now)
		}
	}
}
