package outreach_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/queue"
)

func ownerOf(st testenv.Stack) outreach.Viewer {
	return outreach.Viewer{CounsellorID: st.Counsellor.ID, Agency: st.Counsellor.Agency}
}

// TestAnswerBySMS: the counsellor's answer goes through the queue and the
// worker to the provider once, however often its task runs, and shows in
// the job seeker's thread after the offer SMS and the reply.
func TestAnswerBySMS(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	st := testenv.Service(t, sender, outreach.ServiceConfig{})
	const phone = "+33639981201"
	c, item := replyItem(t, st, phone, "c'est où exactement ?")
	const body = "Bonjour Léa, c'est rue de la République à Lyon. Je vous appelle demain matin. Camille"
	m, err := st.Service.AnswerBySMS(ctx, ownerOf(st), item.ID, "  "+body+"\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == 0 || m.Status != outreach.AnswerQueued || m.Body != body || m.Phone != phone ||
		m.CounsellorID != st.Counsellor.ID || m.InboxItemID != item.ID || m.CandidateID != c.CandidateID {
		t.Fatalf("answer %+v", m)
	}
	// Answering handles the reply; the same answer sent again (a double
	// click) is the same SMS.
	var handled bool
	if err := st.Pool.QueryRow(ctx, `SELECT handled_at IS NOT NULL FROM inbox_items WHERE id = $1`, item.ID).Scan(&handled); err != nil || !handled {
		t.Errorf("the answered item is not handled (%v)", err)
	}
	if again, err := st.Service.AnswerBySMS(ctx, ownerOf(st), item.ID, body); err != nil || again.ID != m.ID {
		t.Fatalf("the same answer again: %+v %v, want message %d", again, err, m.ID)
	}
	insp := asynq.NewInspectorFromRedisClient(st.Redis)
	if info, err := insp.GetTaskInfo(st.Namespace, queue.CounsellorSMSTaskID(m.ID)); err != nil || info.Type != queue.TypeCounsellorSMS {
		t.Fatalf("answer's task: %+v %v", info, err)
	}

	w := queue.NewWorker(st.Redis, queue.WorkerConfig{Queue: st.Namespace, ShutdownTimeout: time.Second}, st.Service)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got, err := sim.WaitForMessages(wctx, phone, 1)
	w.Shutdown()
	if err != nil || got[0].Body != body {
		t.Fatalf("SMS to %s: %+v %v, want the answer", phone, got, err)
	}
	// The task runs again, three times at once and once more: nothing goes.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := st.Service.SendCounsellorMessage(ctx, m.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := st.Service.SendCounsellorMessage(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(sim.Messages(phone)); n != 1 {
		t.Fatalf("%d SMS to %s, want the answer once", n, phone)
	}
	stored, err := st.Store.CounsellorMessage(ctx, m.ID)
	if err != nil || stored.Status != outreach.AnswerSent || !strings.HasPrefix(stored.MessageSID, "SM") || stored.SentAt == nil {
		t.Fatalf("answer stored %+v (%v), want sent with its SID", stored, err)
	}

	thread, err := st.Service.Thread(ctx, ownerOf(st), c.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Kind      outreach.ThreadKind
		Direction outreach.Direction
		Body      string
		Status    string
		Who       string
	}
	var lines []line
	for i, tm := range thread {
		lines = append(lines, line{tm.Kind, tm.Direction, tm.Body, tm.Status, tm.CounsellorName})
		if tm.OfferID != c.OfferID || tm.OfferRef == "" {
			t.Errorf("thread message %d: offer %d %q, want %d", i, tm.OfferID, tm.OfferRef, c.OfferID)
		}
		if i > 0 && tm.At.Before(thread[i-1].At) {
			t.Errorf("thread not oldest first: %+v", thread)
		}
	}
	want := []line{
		{outreach.ThreadOffer, outreach.DirectionOut, "Offre", "sent", ""},
		{outreach.ThreadReply, outreach.DirectionIn, "c'est où exactement ?", "received", ""},
		{outreach.ThreadAnswer, outreach.DirectionOut, body, "sent", "Camille Conseil"},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("thread %+v\nwant %+v", lines, want)
	}
}

// TestAnswerBody: an answer is 1 to 306 characters once trimmed, and two
// SMS at most, GSM-7 or UCS-2.
func TestAnswerBody(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	_, item := replyItem(t, st, "+33639981211", "oui mais pas le samedi")
	var invalid *outreach.ValidationError
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"one word", "Noté", true},
		{"two lines", "Bonjour,\nje vous rappelle.", true},
		{"306 GSM-7 characters", strings.Repeat("a", 306), true},
		{"306 GSM-7 characters and spaces around", "  " + strings.Repeat("a", 306) + "\n", true},
		{"134 UCS-2 characters", strings.Repeat("ç", 134), true},
		{"66 emoji", strings.Repeat("🙂", 66), true},
		{"empty", "", false},
		{"blank", " \n\t ", false},
		{"307 characters", strings.Repeat("a", 307), false},
		{"three GSM-7 SMS through the extension table", strings.Repeat("€", 154), false},
		{"135 UCS-2 characters", strings.Repeat("ç", 135), false},
		{"67 emoji: a pair is never split", strings.Repeat("🙂", 67), false},
		{"a NUL", "Bonjour\x00", false},
	}
	for _, tt := range tests {
		m, err := st.Service.AnswerBySMS(ctx, ownerOf(st), item.ID, tt.body)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.ok:
			if _, n := outreach.SMSSegments(m.Body); n > 2 || m.Body != strings.TrimSpace(tt.body) {
				t.Errorf("%s: stored %q, %d SMS", tt.name, m.Body, n)
			}
		case !errors.As(err, &invalid) || invalid.Field != "body":
			t.Errorf("%s: %v, want an invalid body", tt.name, err)
		}
	}
	var n int
	// The 306 characters with spaces around, once trimmed, are the answer
	// sent just before: the same submission again, one SMS.
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM counsellor_messages`).Scan(&n); err != nil || n != 5 {
		t.Errorf("%d answers stored (%v), want the 6 valid ones, two of them the same", n, err)
	}
}

// TestAnswerOptedOut: a job seeker who sent STOP is not answered; one who
// sends it while the answer waits in the queue does not get it either.
func TestAnswerOptedOut(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	st := testenv.Service(t, sender, outreach.ServiceConfig{})
	const stopped, later = "+33639981221", "+33639981222"
	_, item := replyItem(t, st, stopped, "STOP")
	var invalid *outreach.ValidationError
	if _, err := st.Service.AnswerBySMS(ctx, ownerOf(st), item.ID, "Bien noté."); !errors.As(err, &invalid) ||
		invalid.Field != "body" || !strings.Contains(invalid.Message, "STOP") {
		t.Errorf("answer to a job seeker who opted out: %v", err)
	}

	_, item2 := replyItem(t, st, later, "oui mais")
	m, err := st.Service.AnswerBySMS(ctx, ownerOf(st), item2.ID, "Mais quoi ?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMstop" + later, From: later, Body: "stop"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Service.SendCounsellorMessage(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if stored, err := st.Store.CounsellorMessage(ctx, m.ID); err != nil || stored.Status != outreach.AnswerSkipped {
		t.Errorf("answer after STOP: %q (%v), want skipped", stored.Status, err)
	}
	if n := len(sim.Messages("")); n != 0 {
		t.Errorf("%d SMS sent, want none", n)
	}
}

// TestAnswerQuietHours: an answer written at night waits for the morning.
func TestAnswerQuietHours(t *testing.T) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := outreach.ParseQuietHours("20:00-08:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.December, 1, 22, 30, 0, 0, paris) // a Tuesday
	morning := time.Date(2026, time.December, 2, 8, 0, 0, 0, paris)
	sim, sender := simulatedSender(t)
	st := testenv.Service(t, sender, outreach.ServiceConfig{QuietHours: quiet, Now: func() time.Time { return now }})
	const phone = "+33639981231"
	_, item := replyItem(t, st, phone, "oui mais c'est payé combien ?")
	m, err := st.Service.AnswerBySMS(ctx, ownerOf(st), item.ID, "Le SMIC, je vous en dis plus demain.")
	if err != nil || m.Status != outreach.AnswerQueued {
		t.Fatalf("answer at 22:30: %+v %v", m, err)
	}
	info, err := asynq.NewInspectorFromRedisClient(st.Redis).GetTaskInfo(st.Namespace, queue.CounsellorSMSTaskID(m.ID))
	if err != nil || info.State != asynq.TaskStateScheduled || !info.NextProcessAt.Equal(morning) {
		t.Fatalf("answer's task %+v (%v), want scheduled at %s", info, err, morning)
	}
	var retry *outreach.RetryAtError
	if err := st.Service.SendCounsellorMessage(ctx, m.ID); !errors.As(err, &retry) || !retry.At.Equal(morning) {
		t.Fatalf("sending at 22:30: %v, want a retry at 8:00", err)
	}
	if stored, err := st.Store.CounsellorMessage(ctx, m.ID); err != nil || stored.Status != outreach.AnswerQueued ||
		len(sim.Messages(phone)) != 0 {
		t.Fatalf("answer at night %q (%v), %d SMS: want still queued, none sent", stored.Status, err, len(sim.Messages(phone)))
	}
	now = morning.Add(time.Minute)
	if err := st.Service.SendCounsellorMessage(ctx, m.ID); err != nil || len(sim.Messages(phone)) != 1 {
		t.Fatalf("sending at 8:01: %v, %d SMS", err, len(sim.Messages(phone)))
	}
}

// TestAnswerSweep: the outbox sweep hands over an answer left planned,
// queues the queued ones again when Redis lost its data, and settles the
// answers whose worker died mid-call: the provider's SID adopted, or the
// answer queued again.
func TestAnswerSweep(t *testing.T) {
	ctx := context.Background()
	sim, sender := simulatedSender(t)
	clock := &testClock{}
	st := testenv.Service(t, sender, outreach.ServiceConfig{SendLease: 30 * time.Second, Now: clock.Now})
	if _, err := st.Service.ReconcileOutbox(ctx); err != nil { // the first sweep marks the queue whole
		t.Fatal(err)
	}
	plan := func(phone string) outreach.CounsellorMessage {
		t.Helper()
		c, item := replyItem(t, st, phone, "oui mais")
		m := outreach.CounsellorMessage{InboxItemID: item.ID, CandidateID: c.CandidateID, CounsellorID: st.Counsellor.ID,
			Phone: phone, Body: "Réponse à " + phone}
		if fresh, err := st.Store.PlanCounsellorMessage(ctx, &m, time.Now().Add(-time.Minute)); err != nil || !fresh {
			t.Fatalf("plan: %v %v", fresh, err)
		}
		return m
	}
	const left, took, never = "+33639981241", "+33639981242", "+33639981243"
	planned := plan(left) // Redis was down when it was written
	clock.Advance(time.Minute)
	if r, err := st.Service.ReconcileOutbox(ctx); err != nil || r.Answers != (outreach.AnswersSwept{Queued: 1}) {
		t.Fatalf("sweep with an answer left planned: %+v %v", r.Answers, err)
	}
	insp := asynq.NewInspectorFromRedisClient(st.Redis)
	if err := insp.DeleteTask(st.Namespace, queue.CounsellorSMSTaskID(planned.ID)); err != nil {
		t.Fatal(err)
	}
	if err := st.Redis.Del(ctx, "outreach:{"+st.Namespace+"}:queue-whole").Err(); err != nil { // Redis emptied
		t.Fatal(err)
	}
	if r, err := st.Service.ReconcileOutbox(ctx); err != nil || r.Answers != (outreach.AnswersSwept{Requeued: 1}) {
		t.Fatalf("sweep after Redis lost its data: %+v %v", r.Answers, err)
	}
	if _, err := insp.GetTaskInfo(st.Namespace, queue.CounsellorSMSTaskID(planned.ID)); err != nil {
		t.Fatalf("answer not queued again: %v", err)
	}

	for _, phone := range []string{took, never} {
		m := plan(phone)
		claim, ok, err := st.Store.ClaimCounsellorMessage(ctx, m.ID, clock.Now())
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if phone == took {
			if _, err := sender.Send(ctx, outreach.OutboundSMS{To: claim.Phone, Body: claim.Body}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r, err := st.Service.ReconcileOutbox(ctx); err != nil || r.Answers.Adopted+r.Answers.Released != 0 {
		t.Fatalf("claims settled within their lease: %+v %v", r.Answers, err)
	}
	clock.Advance(time.Minute)
	if r, err := st.Service.ReconcileOutbox(ctx); err != nil || r.Answers != (outreach.AnswersSwept{Adopted: 1, Released: 1}) {
		t.Fatalf("sweep after the lease: %+v %v, want 1 adopted and 1 released", r.Answers, err)
	}
	var ids []int64
	rows, err := st.Pool.Query(ctx, `SELECT id FROM counsellor_messages WHERE status = 'queued' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if err := st.Service.SendCounsellorMessage(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, phone := range []string{left, took, never} {
		if n := len(sim.Messages(phone)); n != 1 {
			t.Errorf("%s got %d SMS, want its answer once", phone, n)
		}
	}
	var statuses string
	if err := st.Pool.QueryRow(ctx, `SELECT string_agg(status, ',' ORDER BY id) FROM counsellor_messages`).Scan(&statuses); err != nil ||
		statuses != "sent,sent,sent" {
		t.Errorf("answers %q (%v), want all sent", statuses, err)
	}
}
