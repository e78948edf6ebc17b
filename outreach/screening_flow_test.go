package outreach_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
)

// screeningContact is a sent contact whose offer asks two questions, and
// whose job seeker just said yes: the conversation started.
func screeningContact(t *testing.T, st testenv.Stack, phone string) (contactID int64) {
	t.Helper()
	ctx := context.Background()
	id, _ := st.SentBakeryContact(t, phone)
	c, err := st.Store.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	qs := []outreach.Question{{Kind: outreach.QuestionCanTravel, Town: "Lyon"},
		{Kind: outreach.QuestionHoldsLicence, Licence: "Permis B"}}
	if err := st.Store.SaveOfferQuestions(ctx, c.OfferID, qs); err != nil {
		t.Fatal(err)
	}
	out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMyes" + phone, From: phone, Body: "OUI"})
	if err != nil || out.Reply != "" {
		t.Fatalf("the yes: %+v %v, want no answer: the first question follows", out, err)
	}
	sc, err := st.Store.Screening(ctx, id)
	if err != nil || sc.Status != outreach.ScreeningAsking || sc.Step != 1 {
		t.Fatalf("conversation after the yes: %+v %v", sc, err)
	}
	return id
}

// markSent plays the worker: the conversation's planned or queued SMS are
// claimed and recorded sent at at.
func markSent(t *testing.T, st testenv.Stack, at time.Time) {
	t.Helper()
	ctx := context.Background()
	rows, err := st.Pool.Query(ctx, `SELECT id FROM screening_messages WHERE status IN ('planned', 'queued') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if _, ok, err := st.Store.ClaimScreeningMessage(ctx, id, at); err != nil || !ok {
			t.Fatalf("claim message %d: %v %v", id, ok, err)
		}
		if err := st.Store.RecordScreeningMessageSent(ctx, id, fmt.Sprintf("SM%032d", id), at); err != nil {
			t.Fatal(err)
		}
	}
}

func messageCount(t *testing.T, st testenv.Stack, contactID int64) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM screening_messages WHERE contact_id = $1`,
		contactID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestScreeningAnswersRacing: answers that race, distinct or the same
// webhook replayed, move the conversation by one question, once; an answer
// before the question went moves nothing.
func TestScreeningAnswersRacing(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	const phone = "+33639980601"
	id := screeningContact(t, st, phone)
	answer := func(sids ...string) {
		var wg sync.WaitGroup
		for _, sid := range sids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: sid, From: phone, Body: "oui"}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	tests := []struct {
		name      string
		sent      bool // the question went before the answers
		sids      []string
		wantQ     int
		wantStep  int
		wantPlans int
	}{
		{"before the first question went", false, []string{"SMa1", "SMa2"}, 0, 1, 1},
		{"six distinct answers", true, []string{"SMb1", "SMb2", "SMb3", "SMb4", "SMb5", "SMb6"}, 1, 2, 2},
		{"one answer replayed six times", true, []string{"SMc", "SMc", "SMc", "SMc", "SMc", "SMc"}, 1, 3, 3},
	}
	for _, tt := range tests {
		if tt.sent {
			markSent(t, st, time.Now())
		}
		answer(tt.sids...)
		sc, err := st.Store.Screening(ctx, id)
		if err != nil || sc.Question != tt.wantQ || sc.Step != tt.wantStep || messageCount(t, st, id) != tt.wantPlans {
			t.Fatalf("%s: %+v (%v), %d SMS planned; want question %d, step %d, %d SMS",
				tt.name, sc, err, messageCount(t, st, id), tt.wantQ+1, tt.wantStep, tt.wantPlans)
		}
	}
	sc, _ := st.Store.Screening(ctx, id)
	if sc.Status != outreach.ScreeningQualified || len(sc.Answers) != 2 {
		t.Fatalf("after both questions: %+v, want qualified with 2 answers", sc)
	}
}

// TestScreeningSweep: what a crash left planned is handed to the queue by
// the sweep; timers the queue lost run from the sweep, the reminder
// counted from when the question went, then the expiry; a timer early or
// for a step the conversation left does nothing.
func TestScreeningSweep(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	st := testenv.Service(t, nil, outreach.ServiceConfig{Now: clock.Now})
	const phone = "+33639980602"
	id := screeningContact(t, st, phone)
	insp := asynq.NewInspectorFromRedisClient(st.Redis)

	// As if the process died after the commit: planned, and not in Redis.
	if _, err := st.Pool.Exec(ctx, `UPDATE screening_messages SET status = 'planned', created_at = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	if _, err := insp.DeleteAllPendingTasks(st.Namespace); err != nil {
		t.Fatal(err)
	}
	swept, err := st.Service.ReconcileOutbox(ctx)
	if err != nil || swept.Screening.Queued != 1 {
		t.Fatalf("sweep: %+v %v, want the question queued", swept.Screening, err)
	}
	pending, err := insp.ListPendingTasks(st.Namespace)
	if err != nil || len(pending) != 1 || pending[0].Type != queue.TypeScreeningSMS {
		t.Fatalf("pending %d tasks (%v), want the question's", len(pending), err)
	}

	// The question goes an hour late (quiet hours, say): the reminder
	// waits 4 h from then.
	clock.Advance(time.Hour)
	markSent(t, st, clock.Now())
	clock.Advance(outreach.DefaultScreeningRemindAfter - time.Minute)
	err = st.Service.ScreeningTimerDue(ctx, id, outreach.EventReminderDue, 1)
	var later *outreach.RetryAtError
	if !errors.As(err, &later) {
		t.Fatalf("reminder timer 4 h after the start but 3 h 59 after the question: %v, want a retry later", err)
	}
	if swept, err := st.Service.ReconcileOutbox(ctx); err != nil || swept.Screening.Reminded != 0 {
		t.Fatalf("sweep: %+v %v, want no reminder yet", swept.Screening, err)
	}
	clock.Advance(2 * time.Minute)
	if swept, err := st.Service.ReconcileOutbox(ctx); err != nil || swept.Screening.Reminded != 1 {
		t.Fatalf("sweep: %+v %v, want the reminder", swept.Screening, err)
	}
	if err := st.Service.ScreeningTimerDue(ctx, id, outreach.EventReminderDue, 1); err != nil || messageCount(t, st, id) != 2 {
		t.Fatalf("the reminder's own timer after the sweep: %v, %d SMS, want the question and one reminder", err, messageCount(t, st, id))
	}
	if err := st.Service.ScreeningTimerDue(ctx, id, outreach.EventExpired, 1); !errors.As(err, &later) {
		t.Fatalf("expiry timer early: %v, want a retry at the expiry", err)
	}
	clock.Advance(outreach.DefaultScreeningExpireAfter)
	if swept, err := st.Service.ReconcileOutbox(ctx); err != nil || swept.Screening.Expired != 1 {
		t.Fatalf("sweep: %+v %v, want the expiry", swept.Screening, err)
	}
	sc, err := st.Store.Screening(ctx, id)
	if err != nil || sc.Status != outreach.ScreeningIncomplete || sc.Question != 0 || !sc.Reminded || sc.HandedOver {
		t.Fatalf("after the expiry: %+v %v, want incomplete at question 1, reminded", sc, err)
	}
	if err := st.Service.ScreeningTimerDue(ctx, id, outreach.EventExpired, 1); err != nil || messageCount(t, st, id) != 2 {
		t.Fatalf("the expiry's own timer after the sweep: %v, %d SMS", err, messageCount(t, st, id))
	}
}

// TestScreeningQuietHours: a yes at night starts the conversation, but
// its first question waits for the morning, and the yes is answered with
// when.
func TestScreeningQuietHours(t *testing.T) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := outreach.ParseQuietHours("20:00-08:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	night := time.Date(2026, time.December, 1, 22, 30, 0, 0, paris) // a Tuesday
	_, sender := simulatedSender(t)
	st := testenv.Service(t, sender, outreach.ServiceConfig{QuietHours: quiet, Now: func() time.Time { return night }})
	const phone = "+33639980603"
	id, _ := st.SentBakeryContact(t, phone)
	c, err := st.Store.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Store.SaveOfferQuestions(ctx, c.OfferID, []outreach.Question{{Kind: outreach.QuestionCanTravel, Town: "Lyon"}}); err != nil {
		t.Fatal(err)
	}
	out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMnight", From: phone, Body: "oui"})
	if err != nil || !strings.Contains(out.Reply, "questions sur l'offre") || !strings.Contains(out.Reply, "à partir de 8h") {
		t.Fatalf("the yes at 22:30: %q (%v), want the questions announced for 8h", out.Reply, err)
	}
	var msgID int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM screening_messages WHERE contact_id = $1`, id).Scan(&msgID); err != nil {
		t.Fatal(err)
	}
	var later *outreach.RetryAtError
	if err := st.Service.SendScreeningMessage(ctx, msgID); !errors.As(err, &later) ||
		!later.At.Equal(time.Date(2026, time.December, 2, 8, 0, 0, 0, paris)) {
		t.Fatalf("sending the question at 22:30: %v, want a retry at 8:00 the next day", err)
	}
	var status string
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM screening_messages WHERE id = $1`, msgID).Scan(&status); err != nil || status != "queued" {
		t.Fatalf("question %q (%v), want still queued", status, err)
	}
}
