package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// answerItem makes a sent bakery contact for phone, its job seeker's
// reply body, and returns the contact and the reply's inbox item.
func answerItem(t *testing.T, st testenv.Stack, phone, body string) (outreach.Contact, outreach.InboxItem) {
	t.Helper()
	ctx := context.Background()
	id, _ := st.SentBakeryContact(t, phone)
	c, err := st.Store.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMin" + phone, From: phone, Body: body})
	if err != nil || out.Item == nil {
		t.Fatalf("reply: %+v %v", out, err)
	}
	return c, *out.Item
}

// TestCounsellorMessageOutbox: of claims racing, one wins; the answer
// then moves only forward, each step once.
func TestCounsellorMessageOutbox(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	store := st.Store
	const phone = "+33639981401"
	c, item := answerItem(t, st, phone, "oui mais")
	m := outreach.CounsellorMessage{InboxItemID: item.ID, CandidateID: c.CandidateID, CounsellorID: st.Counsellor.ID,
		Phone: phone, Body: "Mais ?"}
	if fresh, err := store.PlanCounsellorMessage(ctx, &m, time.Now().Add(-time.Minute)); err != nil || !fresh || m.ID == 0 ||
		m.Status != outreach.AnswerPlanned {
		t.Fatalf("plan: %+v %v %v", m, fresh, err)
	}
	// The same answer again, 5 times at once: it is the one planned.
	var again sync.WaitGroup
	for range 5 {
		again.Add(1)
		go func() {
			defer again.Done()
			dup := outreach.CounsellorMessage{InboxItemID: item.ID, CandidateID: c.CandidateID, CounsellorID: st.Counsellor.ID,
				Phone: phone, Body: "Mais ?"}
			if fresh, err := store.PlanCounsellorMessage(ctx, &dup, time.Now().Add(-time.Minute)); err != nil || fresh || dup.ID != m.ID {
				t.Errorf("the same answer again: %+v fresh %v (%v), want message %d", dup, fresh, err, m.ID)
			}
		}()
	}
	again.Wait()
	other := outreach.CounsellorMessage{InboxItemID: item.ID, CandidateID: c.CandidateID, CounsellorID: st.Counsellor.ID,
		Phone: phone, Body: "Autre chose"}
	if fresh, err := store.PlanCounsellorMessage(ctx, &other, time.Now().Add(-time.Minute)); err != nil || !fresh || other.ID == m.ID {
		t.Fatalf("another answer: %+v %v %v, want a new one", other, fresh, err)
	}
	if n, err := store.MarkCounsellorMessagesQueued(ctx, []int64{m.ID, m.ID + 1000}); err != nil || n != 1 {
		t.Fatalf("mark queued: %d %v", n, err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			claim, ok, err := store.ClaimCounsellorMessage(ctx, m.ID, time.Now())
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
				if claim.Phone != phone || claim.Body != "Mais ?" {
					t.Errorf("claim %+v", claim)
				}
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d claims won, want 1", won.Load())
	}
	steps := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"sent", func() error { return store.RecordCounsellorMessageSent(ctx, m.ID, "SManswer1", time.Now()) },
			func(err error) bool { return err == nil }},
		{"sent again", func() error { return store.RecordCounsellorMessageSent(ctx, m.ID, "SManswer2", time.Now()) },
			func(err error) bool { return errors.Is(err, outreach.ErrNotFound) }},
		{"released once sent", func() error { return store.ReleaseCounsellorMessage(ctx, m.ID) },
			func(err error) bool { return err == nil }},
		{"failed once sent", func() error { return store.RecordCounsellorMessageFailed(ctx, m.ID) },
			func(err error) bool { return err == nil }},
	}
	for _, s := range steps {
		if err := s.do(); !s.want(err) {
			t.Errorf("%s: %v", s.name, err)
		}
	}
	got, err := store.CounsellorMessage(ctx, m.ID)
	if err != nil || got.Status != outreach.AnswerSent || got.MessageSID != "SManswer1" {
		t.Errorf("answer %+v (%v), want sent with its first SID", got, err)
	}
	if _, ok, err := store.ClaimCounsellorMessage(ctx, m.ID, time.Now()); ok || err != nil {
		t.Errorf("claim of a sent answer: %v %v", ok, err)
	}
}

// TestThread: a job seeker's thread holds their offer SMS, its reminder,
// their reply, the pre-screening question it started and the
// counsellor's answer, oldest first, and nothing of anyone else's.
func TestThread(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	store := st.Store
	const phone = "+33639981411"
	id, _ := st.SentBakeryContact(t, phone)
	c, err := store.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.MarkOutreachStarted(ctx, c.OfferID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := store.ClaimReminder(ctx, id, "Rappel", time.Now().Add(-time.Hour)); err != nil || !ok {
		t.Fatalf("claim reminder: %v %v", ok, err)
	}
	if err := store.RecordReminderSent(ctx, id, "SMreminder", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveOfferQuestions(ctx, c.OfferID, []outreach.Question{{Kind: outreach.QuestionCanTravel, Town: "Lyon"}}); err != nil {
		t.Fatal(err)
	}
	out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMyes", From: phone, Body: "oui"})
	if err != nil || out.Item == nil {
		t.Fatalf("the yes: %+v %v", out, err)
	}
	m := outreach.CounsellorMessage{InboxItemID: out.Item.ID, CandidateID: c.CandidateID, CounsellorID: st.Counsellor.ID,
		Phone: phone, Body: "Bienvenue"}
	if _, err := store.PlanCounsellorMessage(ctx, &m, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	answerItem(t, st, "+33639981412", "non") // someone else's

	thread, err := store.Thread(ctx, c.CandidateID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, tm := range thread {
		got = append(got, fmt.Sprintf("%s %s %s", tm.Kind, tm.Direction, tm.Status))
		if i > 0 && tm.At.Before(thread[i-1].At) {
			t.Errorf("thread not oldest first at %d: %s before %s", i, tm.At, thread[i-1].At)
		}
	}
	want := []string{"offer out sent", "reminder out sent", "reply in received", "screening out queued", "answer out planned"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("thread %v, want %v", got, want)
	}
	if thread[4].CounsellorName != st.Counsellor.Name || thread[4].Body != "Bienvenue" || thread[2].Body != "oui" {
		t.Errorf("thread %+v", thread)
	}
	last, err := store.Thread(ctx, c.CandidateID, 2)
	if err != nil || len(last) != 2 || last[0].Kind != outreach.ThreadScreening || last[1].Kind != outreach.ThreadAnswer {
		t.Errorf("the latest two: %+v (%v)", last, err)
	}
	if none, err := store.Thread(ctx, c.CandidateID+1000, 10); err != nil || none == nil || len(none) != 0 {
		t.Errorf("thread of nobody: %+v (%v)", none, err)
	}
}

// TestRecordEmployerStatusOnlyReferred: a status goes only to a contact
// referred for that very offer, checked by the statement that inserts.
func TestRecordEmployerStatusOnlyReferred(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	store := st.Store
	_, offer := st.Bakery(t, "+33639981421")
	_, other := st.Bakery(t, "+33639981422")
	now := time.Now()
	referred := st.InterestedContact(t, offer.ID, "+33639981423", "Ana", 90, now)
	interested := st.InterestedContact(t, offer.ID, "+33639981424", "Bob", 80, now)
	if ids, err := store.MarkReferred(ctx, []int64{referred.ID}, st.Counsellor.ID, now); err != nil || len(ids) != 1 {
		t.Fatalf("refer: %v %v", ids, err)
	}
	tests := []struct {
		name             string
		offerID, contact int64
		want             func(error) bool
	}{
		{"referred", offer.ID, referred.ID, func(err error) bool { return err == nil }},
		{"interested, not referred", offer.ID, interested.ID, func(err error) bool { return errors.Is(err, outreach.ErrNotFound) }},
		{"referred, through another offer", other.ID, referred.ID, func(err error) bool { return errors.Is(err, outreach.ErrNotFound) }},
		{"unknown contact", offer.ID, referred.ID + 1000, func(err error) bool { return errors.Is(err, outreach.ErrNotFound) }},
		{"unknown status", offer.ID, referred.ID, func(err error) bool { return err != nil && !errors.Is(err, outreach.ErrNotFound) }},
	}
	for _, tt := range tests {
		status := outreach.EmployerContacted
		if tt.name == "unknown status" {
			status = "rejected"
		}
		if err := store.RecordEmployerStatus(ctx, tt.offerID, tt.contact, status, now); !tt.want(err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	got, err := store.ReferredCandidates(ctx, offer.ID)
	if err != nil || len(got) != 1 || got[0].ContactID != referred.ID || got[0].Status != outreach.EmployerContacted {
		t.Errorf("referred candidates %+v (%v)", got, err)
	}
}
